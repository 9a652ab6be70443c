import path from 'node:path';
import { mailOutbox } from '../../../src/db/schema';
import { createChildDatabase, startTsChild, type ChildDatabase } from '../../support/child-process';
import { enqueueTestMails } from './outbox';
import { startSmtpPeer } from './smtp-peer';

jest.setTimeout(300_000);

const onServer = !!process.env.TEST_DATABASE_URL;

/** Starts the child sender (claim lease 3 s); `onLine` sees each line it prints. */
function startChild(env: Record<string, string>, onLine: Parameters<typeof startTsChild>[1]['onLine']) {
  return startTsChild(path.join(__dirname, 'sender-child.ts'), { args: ['3000'], env, onLine });
}

describe(`outbox sender killed with SIGKILL mid-run (${onServer ? 'PostgreSQL server, shared schema' : 'PGlite folder database'})`, () => {
  let shared: ChildDatabase;

  beforeAll(async () => {
    shared = await createChildDatabase('kursvakt-crash-');
  }, 180_000);
  afterAll(() => shared?.close());

  it('when the sender is killed after some mails and restarted, then every mail is delivered exactly once', async () => {
    const keys = await shared.withDb((db) =>
      enqueueTestMails(db, 20, { prefix: 'crash', at: new Date(Date.now() - 1000) }),
    );
    const peer = await startSmtpPeer();
    try {
      const env = { ...shared.env, SMTP_URL: peer.url, MAIL_RATE_PER_SECOND: '10' };
      let sentBeforeKill = 0;
      const first = startChild(env, (line, child) => {
        if (line.startsWith('sent ') && ++sentBeforeKill === 5) child.kill('SIGKILL');
      });
      const firstExit = await first.exited;
      expect(firstExit.signal).toBe('SIGKILL');
      expect(sentBeforeKill).toBe(5);
      // The killed sender left claimed mails behind; their lease (3 s) runs out and the next sender takes them.
      const claimed = await shared.withDb(
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
      const rows = await shared.withDb((db) => db.select().from(mailOutbox));
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
    } finally {
      await peer.close();
    }
  });
});
