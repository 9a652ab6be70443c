import request from 'supertest';
import type { Express } from 'express';
import { createApp, type AppContext } from '../../src/app';
import { parseConfig, type Config } from '../../src/config';
import type { Database } from '../../src/db/client';
import { createTestDatabase } from './db';

export interface TestApp {
  app: Express;
  context: AppContext;
  database: Database;
  config: Config;
  close(): Promise<void>;
}

/** createApp() on a fresh database with a fixed clock. */
export async function createTestApp(
  opts: { now?: Date; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = parseConfig({ NODE_ENV: 'test', PORT: '3999', DATA_DIR: '/tmp/kursvakt-test', ...opts.env });
  const now = opts.now ?? new Date('2026-11-22T10:00:00+01:00');
  const { app, context } = createApp({ config, database, now: () => now });
  return {
    app,
    context,
    database,
    config,
    async close() {
      context.sessionStore.stopPruning();
      await database.close();
    },
  };
}

/** Reads the CSRF token from a page's hidden `_csrf` field. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no _csrf field in page');
  return match[1]!;
}

/** Logs in through the real login form and returns the cookie-keeping agent. */
export async function loginAs(app: Express, email: string, password: string) {
  const agent = request.agent(app);
  const page = await agent.get('/logg-inn').expect(200);
  const res = await agent
    .post('/logg-inn')
    .type('form')
    .send({ email, password, _csrf: csrfFrom(page.text), neste: '/' });
  if (res.status !== 302) throw new Error(`login as ${email} failed with ${res.status}`);
  return agent;
}

/** Posts a form as the browser does, with the CSRF token of a page the agent opens first. */
export async function postForm(
  agent: ReturnType<typeof request.agent>,
  from: string,
  to: string,
  body: Record<string, string | string[]>,
) {
  const page = await agent.get(from).expect(200);
  return agent
    .post(to)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), ...body });
}
