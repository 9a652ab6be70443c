import type { Database } from '../../../src/db/client';
import { mailOutbox } from '../../../src/db/schema';
import { drainOutbox } from '../../../src/modules/mail/sender';
import { createSmtpTransport } from '../../../src/modules/mail/transport';
import { createTestDatabase } from '../../support/db';
import { enqueueTestMails } from './outbox';
import { freePort, startSmtpPeer } from './smtp-peer';

const from = 'Kursvakt <kursvakt@test.kommune.no>';

/** A message's source with quoted-printable soft line breaks and escapes undone (UTF-8). */
function unfoldQuotedPrintable(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, '');
  return Buffer.from(
    joined.replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}

jest.setTimeout(60_000);

describe('outbox sender with a real SMTP peer', () => {
  let database: Database;
  let clock: Date;
  const now = () => clock;

  beforeAll(async () => {
    database = await createTestDatabase();
  }, 180_000);
  beforeEach(async () => {
    await database.db.delete(mailOutbox);
    clock = new Date('2026-11-23T08:00:00Z');
  });
  afterAll(async () => {
    await database?.close();
  });

  it('when a mail is sent, then its parts are rendered from its content and its HTML arrives inside the layout; rows written before the outbox kept content arrive as stored', async () => {
    const [key] = await enqueueTestMails(database.db, 1, { prefix: 'layout' });
    const whole = '<!doctype html>\n<html lang="nb"><body><p>Et eldre dokument</p></body></html>';
    // Rows as the outbox wrote them before migration 0005: rendered text and HTML, no content.
    await database.db.insert(mailOutbox).values([
      {
        idempotencyKey: 'layout|old',
        kind: 'employee_due_soon',
        toAddress: 'eldre@test.kommune.no',
        subject: 'Eldre',
        bodyText: 'Et eldre dokument\n',
        bodyHtml: whole,
        nextAttemptAt: new Date(clock.getTime() - 1000),
      },
      {
        idempotencyKey: 'layout|fragment',
        kind: 'employee_due_soon',
        toAddress: 'fragment@test.kommune.no',
        subject: 'Fragment',
        bodyText: 'Lagret tekst\n',
        bodyHtml: '<p>Lagret fragment</p>',
        nextAttemptAt: new Date(clock.getTime() - 1000),
      },
    ]);
    const peer = await startSmtpPeer();
    try {
      const transport = createSmtpTransport(`smtp://127.0.0.1:${peer.port}`);
      expect(await drainOutbox(database.db, transport, { from, ratePerSecond: 1000, now })).toMatchObject({
        sent: 3,
      });
      const raw = (k: string) => unfoldQuotedPrintable(peer.received.find((m) => m.key === k)!.raw);
      const fresh = raw(key!);
      expect(fresh.match(/<!doctype html>/gi)).toHaveLength(1);
      expect(fresh).toContain('<html lang="nb">');
      expect(fresh).toContain('<title>Påminnelse 0</title>');
      expect(fresh).toContain('<p>Hei, ansatt 0!</p>');
      expect(fresh).toMatch(/Content-Type: text\/plain[\s\S]*Hei, ansatt 0![\s\S]*Content-Type: text\/html/);
      expect(fresh).toContain('Sendt av Kursvakt.');
      const fragment = raw('layout|fragment');
      expect(fragment).toContain('Lagret tekst');
      expect(fragment).toContain('<p>Lagret fragment</p>');
      expect(fragment).toContain('<title>Fragment</title>');
      const old = raw('layout|old');
      expect(old.match(/<!doctype html>/gi)).toHaveLength(1);
      expect(old).toContain('<p>Et eldre dokument</p>');
      expect(old).not.toContain('Sendt av Kursvakt.');
    } finally {
      await peer.close();
    }
  });

  it('when SMTP refuses connections for a while, then each mail is delivered once after it returns', async () => {
    const port = await freePort();
    const keys = await enqueueTestMails(database.db, 3, { prefix: 'refused' });
    const transport = createSmtpTransport(`smtp://127.0.0.1:${port}`);
    try {
      const down = await drainOutbox(database.db, transport, {
        from,
        ratePerSecond: 1000,
        now,
        backoffBaseMs: 60_000,
      });
      expect(down).toEqual({ sent: 0, retried: 3, failed: 0 });
      let rows = await database.db.select().from(mailOutbox);
      expect(
        rows.every(
          (r) => r.status === 'pending' && r.attempts === 1 && /ECONNREFUSED/.test(r.lastError ?? ''),
        ),
      ).toBe(true);
      expect(rows.every((r) => r.nextAttemptAt.getTime() === clock.getTime() + 60_000)).toBe(true);

      const peer = await startSmtpPeer({ port });
      try {
        // Not yet time for the retry: nothing happens.
        expect(await drainOutbox(database.db, transport, { from, ratePerSecond: 1000, now })).toEqual({
          sent: 0,
          retried: 0,
          failed: 0,
        });
        clock = new Date(clock.getTime() + 61_000);
        expect(await drainOutbox(database.db, transport, { from, ratePerSecond: 1000, now })).toEqual({
          sent: 3,
          retried: 0,
          failed: 0,
        });
        expect(await drainOutbox(database.db, transport, { from, ratePerSecond: 1000, now })).toEqual({
          sent: 0,
          retried: 0,
          failed: 0,
        });
        expect(peer.received.map((m) => m.key).sort()).toEqual([...keys].sort());
        rows = await database.db.select().from(mailOutbox);
        expect(rows.every((r) => r.status === 'sent' && r.attempts === 2 && r.lastError === null)).toBe(true);
        expect(rows.every((r) => /^250/.test(r.smtpResponse ?? ''))).toBe(true);
      } finally {
        await peer.close();
      }
    } finally {
      await transport.close();
    }
  });

  it('when SMTP answers 421 for a while, then the mail is retried with growing backoff and delivered once', async () => {
    const peer = await startSmtpPeer({
      answer: (_to, attempt) => (attempt <= 2 ? { code: 421, message: 'Prøv igjen senere' } : 'accept'),
    });
    const transport = createSmtpTransport(peer.url);
    try {
      const [key] = await enqueueTestMails(database.db, 1);
      const opts = { from, ratePerSecond: 1000, now, backoffBaseMs: 1000 };
      expect(await drainOutbox(database.db, transport, opts)).toEqual({ sent: 0, retried: 1, failed: 0 });
      let [row] = await database.db.select().from(mailOutbox);
      expect(row!.smtpResponse).toMatch(/^421/);
      expect(row!.nextAttemptAt.getTime() - clock.getTime()).toBe(1000);
      clock = new Date(clock.getTime() + 1000);
      expect(await drainOutbox(database.db, transport, opts)).toEqual({ sent: 0, retried: 1, failed: 0 });
      [row] = await database.db.select().from(mailOutbox);
      expect(row!.nextAttemptAt.getTime() - clock.getTime()).toBe(2000);
      clock = new Date(clock.getTime() + 2000);
      expect(await drainOutbox(database.db, transport, opts)).toEqual({ sent: 1, retried: 0, failed: 0 });
      expect(peer.received.map((m) => m.key)).toEqual([key]);
      [row] = await database.db.select().from(mailOutbox);
      expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    } finally {
      await transport.close();
      await peer.close();
    }
  });

  it('when SMTP answers 550, then the mail is failed with the server reply and the others are delivered', async () => {
    const peer = await startSmtpPeer({
      answer: (to) => (to.startsWith('ukjent') ? { code: 550, message: 'Mottakeren finnes ikke' } : 'accept'),
    });
    const transport = createSmtpTransport(peer.url);
    try {
      await enqueueTestMails(database.db, 3, {
        to: (i) => (i === 1 ? 'ukjent@test.kommune.no' : `ansatt${i}@test.kommune.no`),
      });
      expect(await drainOutbox(database.db, transport, { from, ratePerSecond: 1000, now })).toEqual({
        sent: 2,
        retried: 0,
        failed: 1,
      });
      const rows = await database.db.select().from(mailOutbox);
      const failed = rows.find((r) => r.toAddress === 'ukjent@test.kommune.no')!;
      expect(failed.status).toBe('failed');
      expect(failed.attempts).toBe(1);
      expect(failed.smtpResponse).toContain('550 Mottakeren finnes ikke');
      expect(failed.lastError).toContain('550');
      // Failed stays failed: a later drain does not try again.
      clock = new Date(clock.getTime() + 24 * 3600_000);
      expect(await drainOutbox(database.db, transport, { from, ratePerSecond: 1000, now })).toEqual({
        sent: 0,
        retried: 0,
        failed: 0,
      });
      expect(peer.received.map((m) => m.to[0]).sort()).toEqual([
        'ansatt0@test.kommune.no',
        'ansatt2@test.kommune.no',
      ]);
    } finally {
      await transport.close();
      await peer.close();
    }
  });

  it('when the rate limit is 20 per second, then 10 mails take at least 450 ms', async () => {
    const peer = await startSmtpPeer();
    const transport = createSmtpTransport(peer.url);
    try {
      await enqueueTestMails(database.db, 10);
      const started = Date.now();
      const result = await drainOutbox(database.db, transport, { from, ratePerSecond: 20, now });
      expect(result.sent).toBe(10);
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      expect(new Set(peer.received.map((m) => m.messageId)).size).toBe(10);
    } finally {
      await transport.close();
      await peer.close();
    }
  });

  it('when two senders drain the same outbox at once, then every mail is delivered exactly once', async () => {
    const peer = await startSmtpPeer();
    const t1 = createSmtpTransport(peer.url);
    const t2 = createSmtpTransport(peer.url);
    try {
      const keys = await enqueueTestMails(database.db, 40);
      const [a, b] = await Promise.all([
        drainOutbox(database.db, t1, { from, ratePerSecond: 1000, now, batchSize: 5 }),
        drainOutbox(database.db, t2, { from, ratePerSecond: 1000, now, batchSize: 5 }),
      ]);
      expect(a.sent + b.sent).toBe(40);
      expect(peer.received.map((m) => m.key).sort()).toEqual([...keys].sort());
    } finally {
      await t1.close();
      await t2.close();
      await peer.close();
    }
  });

  it('when a sender is stopped mid-drain, then the mails it claimed but did not send go back to the queue and each is delivered once', async () => {
    const peer = await startSmtpPeer();
    const transport = createSmtpTransport(peer.url);
    try {
      const keys = await enqueueTestMails(database.db, 12);
      let results = 0;
      const first = await drainOutbox(database.db, transport, {
        from,
        ratePerSecond: 1000,
        now,
        batchSize: 10,
        concurrency: 1,
        onResult: () => results++,
        shouldStop: () => results >= 3,
      });
      expect(first.sent).toBeGreaterThanOrEqual(3);
      expect(first.sent).toBeLessThan(12);
      const rows = await database.db.select().from(mailOutbox);
      // Nothing is left claimed: the rest is pending again, with the claim's attempt not counted.
      expect(rows.filter((r) => r.status === 'sending')).toEqual([]);
      const pending = rows.filter((r) => r.status === 'pending');
      expect(pending).toHaveLength(12 - first.sent);
      expect(pending.every((r) => r.attempts === 0 && r.lockedUntil === null)).toBe(true);

      const second = await drainOutbox(database.db, transport, { from, ratePerSecond: 1000, now });
      expect(first.sent + second.sent).toBe(12);
      expect(peer.received.map((m) => m.key).sort()).toEqual([...keys].sort());
    } finally {
      await transport.close();
      await peer.close();
    }
  });

  it('when many mails go out at once and the database answers slowly, then no more than maxUnmarked are ever handed to SMTP without a committed sent mark', async () => {
    const maxUnmarked = 6;
    let worst = 0;
    const peer = await startSmtpPeer({
      // Each message is one the sender handed over; compare with what the database knows as sent.
      beforeAccept: async () => {
        const rows = await database.db.select({ status: mailOutbox.status }).from(mailOutbox);
        const committed = rows.filter((r) => r.status === 'sent').length;
        worst = Math.max(worst, peer.received.length - committed);
      },
    });
    const transport = createSmtpTransport(peer.url);
    try {
      const keys = await enqueueTestMails(database.db, 60);
      // The same database, but every statement of the sender's takes 30 ms longer, as on a busy server.
      const slowDb = new Proxy(database.db, {
        get(target, prop, receiver) {
          if (prop !== 'execute') return Reflect.get(target, prop, receiver) as unknown;
          return async (query: Parameters<typeof target.execute>[0]) => {
            await new Promise((resolve) => setTimeout(resolve, 30));
            return target.execute(query);
          };
        },
      });
      const result = await drainOutbox(slowDb, transport, {
        from,
        ratePerSecond: 100_000,
        now,
        concurrency: 3,
        batchSize: 20,
        maxUnmarked,
      });
      expect(result).toEqual({ sent: 60, retried: 0, failed: 0 });
      expect(worst).toBeGreaterThan(1);
      expect(worst).toBeLessThanOrEqual(maxUnmarked);
      expect(peer.received.map((m) => m.key).sort()).toEqual([...keys].sort());
    } finally {
      await transport.close();
      await peer.close();
    }
  });
});
