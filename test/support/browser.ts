import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import type { Express } from 'express';
import { DEMO_PASSWORD, loadDemo } from '../../src/modules/demo/demo.service';
import { createContentApp } from '../../src/modules/scorm/content-app';
import { createTestApp, type TestApp } from './app';
import { createAppServer } from '../../src/http/app-server';

/** Debian's Chromium, headless, with the flags this closed network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Serves an Express app on a random loopback port. */
export async function listen(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = createAppServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core (WCAG 2.0 A/AA and 2.1 AA) on the page or frame and returns the violations. */
export async function runAxe(target: Page | Frame): Promise<AxeViolation[]> {
  const loaded = await target.evaluate(() => 'axe' in window);
  if (!loaded) await target.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  return target.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

/** Logs in through the login form, as a person does, and waits for the front page. */
export async function logInInBrowser(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/logg-inn`);
  await page.getByLabel('E-postadresse').fill(email);
  await page.getByLabel('Passord').fill(password);
  await page.getByRole('button', { name: 'Logg inn' }).click();
  await page.waitForURL(`${baseUrl}/`);
}

export interface DemoInChromium {
  t: TestApp;
  server: Awaited<ReturnType<typeof listen>>;
  browser: Browser;
  /** A new page in a new context, logged in as a demo user. */
  loggedInPage(
    email: string,
    options?: { bypassCSP?: boolean; onPage?: (page: Page) => void },
  ): Promise<Page>;
  close(): Promise<void>;
}

/** The demo (Eksempel kommune on 22.11.2026) served on a loopback port, with a Chromium to open it. */
export async function startDemoInChromium(): Promise<DemoInChromium> {
  const t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
  await loadDemo(t.database.db, '2026-11-22');
  const server = await listen(t.app);
  const browser = await launchChromium();
  return {
    t,
    server,
    browser,
    async loggedInPage(email, options = {}) {
      const context = await browser.newContext({ bypassCSP: options.bypassCSP ?? true });
      const page = await context.newPage();
      options.onPage?.(page);
      await logInInBrowser(page, server.url, email, DEMO_PASSWORD);
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
      await t.close();
    },
  };
}

/**
 * Starts the demo in Chromium before the tests of the calling describe block and stops it after
 * them; the returned object reads the running one.
 */
export function useDemoInChromium(): DemoInChromium {
  let demo: DemoInChromium | undefined;
  beforeAll(async () => {
    demo = await startDemoInChromium();
  });
  afterAll(() => demo?.close());
  const current = (): DemoInChromium => {
    if (!demo) throw new Error('the demo is not started yet');
    return demo;
  };
  return {
    get t() {
      return current().t;
    },
    get server() {
      return current().server;
    },
    get browser() {
      return current().browser;
    },
    loggedInPage: (email, options) => current().loggedInPage(email, options),
    close: () => current().close(),
  };
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function serve(handler: http.RequestListener, port: number): Promise<() => Promise<void>> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

export interface PlayerApp {
  t: TestApp;
  /** The app's own origin (localhost), which the course content (127.0.0.1) is not. */
  appUrl: string;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The app and its SCORM content app on two listeners, as in production: the app on localhost, the
 * content on 127.0.0.1 (another origin), with DATA_DIR in a new temporary folder.
 */
export async function startPlayerApp(opts: {
  prefix: string;
  env?: Record<string, string>;
}): Promise<PlayerApp> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), opts.prefix));
  const [appPort, contentPort] = [await freePort(), await freePort()];
  const appUrl = `http://localhost:${appPort}`;
  const t = await createTestApp({
    now: new Date(),
    env: {
      DATA_DIR: dataDir,
      PORT: String(appPort),
      CONTENT_PORT: String(contentPort),
      BASE_URL: appUrl,
      CONTENT_BASE_URL: `http://127.0.0.1:${contentPort}`,
      ...opts.env,
    },
  });
  const closers = [await serve(t.app, appPort), await serve(createContentApp(t.context), contentPort)];
  return {
    t,
    appUrl,
    dataDir,
    async close() {
      for (const close of closers) await close();
      await t.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
