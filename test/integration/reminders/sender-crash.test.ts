import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { openDatabase, type Database } from '../../../src/db/client';
import { mailOutbox } from '../../../src/db/schema';
import { createTestDatabase } from '../../support/db';
import { enqueueTestMails } from './outbox';
import { startSmtpPeer } from './smtp-peer';

jest.setTimeout(300_000);

const root = path.resolve(__dirname, '../../..');
const onServer = !!process.env.TEST_DATABASE_URL;

/** Starts the child sender; resolves `lines` as it prints them. */
function startChild(env: Record<string, string>, onLine: (line: string, child: ChildProcess) => void) {
  // node itself with tsx as a loader (not the tsx wrapper), so SIGKILL hits the process that sends.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'sender-child.ts'), '3000'],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stderr: string[] = [];
  child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  readline.createInterface({ input: child.stdout! }).on('line', (line) => onLine(line, child));
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr: stderr.join('') })),
  );
  return { child, exited };
}

describe(`outbox sender killed with SIGKILL mid-run (${onServer ? 'PostgreSQL server, shared schema' : 'PGlite folder database'})`, () => {
  let dataDir: string;
  let database: Database | undefined;
  let dbEnv: Record<string, string>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kursvakt-crash-'));
    if (onServer) {
      database = await createTestDatabase();
      const schema = /skjema (\w+)/.exec(database.description)![1]!;
      dbEnv = { DATABASE_URL: process.env.TEST_DATABASE_URL!, DATABASE_SCHEMA: schema, DATA_DIR: dataDir };
    } else {
      dbEnv = { DATA_DIR: dataDir };
    }
  }, 180_000);
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The parent's own connection: kept on the server, opened only between children on PGlite (one process at a time). */
  async function withDb<T>(fn: (db: Database['db']) => Promise<T>): Promise<T> {
    if (database) return fn(database.db);
    const local = await openDatabase({ dataDir });
    try {
      return await fn(local.db);
    } finally {
      await local.close();
    }
  }

  it('when the sender is killed after some mails and restarted, then every mail is delivered exactly once', async () => {
    const keys = await withDb((db) =>
      enqueueTestMails(db, 20, { prefix: 'crash', at: new Date(Date.now() - 1000) }),
    );
    const peer = await startSmtpPeer();
    try {
      const env = { ...dbEnv, SMTP_URL: peer.url, MAIL_RATE_PER_SECOND: '10' };
      let sentBeforeKill = 0;
      const first = startChild(env, (line, child) => {
        if (line.startsWith('sent ') && ++sentBeforeKill === 5) child.kill('SIGKILL');
      });
      const firstExit = await first.exited;
      expect(firstExit.signal).toBe('SIGKILL');
      expect(sentBeforeKill).toBe(5);
      // The killed sender left claimed mails behind; their lease (3 s) runs out and the next sender takes them.
      const claimed = await withDb(
        async (db) => (await db.select().from(mailOutbox)).filter((r) => r.status === 'sending').length,
      );
      expect(claimed).toBeGreaterThan(0);

      const secondLines: string[] = [];
      const second = startChild(env, (line) => secondLines.push(line));
      const secondExit = await second.exited;
      expect(secondExit).toMatchObject({ code: 0 });
      expect(secondLines).toContain('done');
      expect(secondLines.filter((l) => l.startsWith('sent '))).toHaveLength(15);

      expect(peer.received.map((m) => m.key).sort()).toEqual([...keys].sort());
      const rows = await withDb((db) => db.select().from(mailOutbox));
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
    } finally {
      await peer.close();
    }
  });
});
