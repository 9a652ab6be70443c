import { eq } from 'drizzle-orm';
import { openDatabase, type Database } from '../../../src/db/client';
import { mailOutbox, reminderLog, reminderSchedules } from '../../../src/db/schema';
import { drainOutbox } from '../../../src/modules/mail/sender';
import { createSmtpTransport } from '../../../src/modules/mail/transport';
import { ReminderScheduler, fireSchedule, type FireOutcome } from '../../../src/modules/reminders/scheduler';
import { createTestDatabase } from '../../support/db';
import { createSchedule, seedReminderWorld } from './fixture';
import { startSmtpPeer } from './smtp-peer';

jest.setTimeout(120_000);

const onServer = !!process.env.TEST_DATABASE_URL;
const baseUrl = 'https://kursvakt.test.kommune.no';
const from = 'Kursvakt <kursvakt@test.kommune.no>';
const waitFor = async (check: () => Promise<boolean>, ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};

describe('reminder scheduler', () => {
  let database: Database;
  /** A second "app instance": its own connection pool to the same schema on the server; the same PGlite otherwise. */
  let second: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedReminderWorld(database.db);
    if (onServer) {
      const schema = /skjema (\w+)/.exec(database.description)![1]!;
      second = await openDatabase({ dataDir: '', databaseUrl: process.env.TEST_DATABASE_URL!, schema });
    } else {
      second = database;
    }
  }, 180_000);
  afterAll(async () => {
    if (second && second !== database) await second.close();
    await database?.close();
  });
  beforeEach(async () => {
    await database.db.delete(mailOutbox);
    await database.db.delete(reminderLog);
    await database.db.delete(reminderSchedules);
  });

  it(
    onServer
      ? 'when two app instances (two connection pools on one PostgreSQL schema) race the same fire, then only one runs it and each mail is delivered once'
      : 'when two runs race the same fire through one PGlite database, then only one runs it and each mail is delivered once',
    async () => {
      const schedule = await createSchedule(database.db);
      const fireTime = new Date('2026-11-23T06:00:00Z');
      const env = { baseUrl, now: new Date('2026-11-23T08:00:00+01:00') };
      const outcomes: FireOutcome[] = await Promise.all([
        fireSchedule(database.db, schedule.id, fireTime, env),
        fireSchedule(second.db, schedule.id, fireTime, env),
      ]);
      expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
      const skipped = outcomes.find((o) => !o.ran) as { ran: false; reason: string };
      expect(['locked', 'already']).toContain(skipped.reason);
      const rows = await database.db.select().from(mailOutbox);
      expect(rows.length).toBeGreaterThan(5);
      expect(new Set(rows.map((r) => r.idempotencyKey)).size).toBe(rows.length);

      const peer = await startSmtpPeer();
      const t1 = createSmtpTransport(peer.url);
      const t2 = createSmtpTransport(peer.url);
      try {
        const now = () => new Date('2026-11-23T08:00:00+01:00');
        await Promise.all([
          drainOutbox(database.db, t1, { from, ratePerSecond: 1000, now, batchSize: 3 }),
          drainOutbox(second.db, t2, { from, ratePerSecond: 1000, now, batchSize: 3 }),
        ]);
        expect(peer.received.map((m) => m.key).sort()).toEqual(rows.map((r) => r.idempotencyKey).sort());
      } finally {
        await t1.close();
        await t2.close();
        await peer.close();
      }
    },
  );

  it('when a fire was missed while the server was down, then it runs once at start and not again at the next start', async () => {
    const schedule = await createSchedule(database.db);
    await database.db
      .update(reminderSchedules)
      .set({ createdAt: new Date('2026-11-01T00:00:00Z'), lastFiredAt: new Date('2026-11-16T06:00:00Z') })
      .where(eq(reminderSchedules.id, schedule.id));
    const fired: FireOutcome[] = [];
    const now = () => new Date('2026-11-23T09:30:00+01:00');
    const first = new ReminderScheduler(database.db, { baseUrl, now, onFire: (_id, o) => fired.push(o) });
    await first.start();
    await first.stop();
    expect(fired).toHaveLength(1);
    expect(fired[0]!.ran).toBe(true);
    const [row] = await database.db
      .select()
      .from(reminderSchedules)
      .where(eq(reminderSchedules.id, schedule.id));
    // Monday 07:00 in Oslo is 06:00 UTC in November.
    expect(row!.lastFiredAt!.toISOString()).toBe('2026-11-23T06:00:00.000Z');
    const mails = (await database.db.select().from(mailOutbox)).length;
    expect(mails).toBeGreaterThan(0);

    const again = new ReminderScheduler(database.db, { baseUrl, now, onFire: (_id, o) => fired.push(o) });
    await again.start();
    await again.stop();
    expect(fired).toHaveLength(1);
    expect(await database.db.select().from(mailOutbox)).toHaveLength(mails);
  });

  it('when a paused schedule is resumed on another instance, then node-cron starts firing it without a restart', async () => {
    // Every second (node-cron's six-field form), so the test sees a real fire quickly.
    const schedule = await createSchedule(database.db, {
      cron: '* * * * * *',
      paused: true,
      createdAt: new Date(),
    });
    const fired: FireOutcome[] = [];
    const scheduler = new ReminderScheduler(database.db, {
      baseUrl,
      pollMs: 200,
      onFire: (_id, o) => fired.push(o),
    });
    await scheduler.start();
    try {
      expect(scheduler.activeSchedules().size).toBe(0);
      await new Promise((r) => setTimeout(r, 1500));
      expect(fired).toHaveLength(0);
      // The edit comes through the database only (as from another instance): the poll notices it.
      await second.db
        .update(reminderSchedules)
        .set({ paused: false, updatedAt: new Date() })
        .where(eq(reminderSchedules.id, schedule.id));
      expect(await waitFor(async () => fired.some((o) => o.ran), 15_000)).toBe(true);
      expect(scheduler.activeSchedules().get(schedule.id)).toBe('* * * * * *');
      const rows = await database.db.select().from(mailOutbox);
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.idempotencyKey)).size).toBe(rows.length);
    } finally {
      await scheduler.stop();
    }
    expect(scheduler.activeSchedules().size).toBe(0);
  });
});

describe('sending window and Norwegian holidays', () => {
  let database: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedReminderWorld(database.db);
  }, 180_000);
  afterAll(async () => {
    await database?.close();
  });

  it('when a schedule fires on a Saturday or on Christmas Day, then its mails wait for the next working morning inside the window', async () => {
    const schedule = await createSchedule(database.db, {
      kinds: ['employee_due_soon', 'employee_overdue'],
      options: { windowStart: '07:00', windowEnd: '16:00' },
    });
    const saturday = new Date('2026-11-28T10:00:00+01:00');
    const fired = await fireSchedule(database.db, schedule.id, saturday, { baseUrl, now: saturday });
    expect(fired.ran).toBe(true);
    const rows = await database.db.select().from(mailOutbox);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.nextAttemptAt.toISOString() === '2026-11-30T06:00:00.000Z')).toBe(true);

    const peer = await startSmtpPeer();
    const transport = createSmtpTransport(peer.url);
    try {
      const opts = (at: string) => ({ from, ratePerSecond: 1000, now: () => new Date(at) });
      expect((await drainOutbox(database.db, transport, opts('2026-11-29T15:00:00+01:00'))).sent).toBe(0);
      expect((await drainOutbox(database.db, transport, opts('2026-11-30T06:59:00+01:00'))).sent).toBe(0);
      expect((await drainOutbox(database.db, transport, opts('2026-11-30T07:00:00+01:00'))).sent).toBe(4);
      expect(peer.received).toHaveLength(4);

      // Christmas Day (Friday) → Monday 28 December, 07:00.
      await database.db.delete(mailOutbox);
      await database.db.delete(reminderLog);
      const christmas = new Date('2026-12-25T10:00:00+01:00');
      expect((await fireSchedule(database.db, schedule.id, christmas, { baseUrl, now: christmas })).ran).toBe(
        true,
      );
      const later = await database.db.select().from(mailOutbox);
      expect(later.length).toBeGreaterThan(0);
      expect(later.every((r) => r.nextAttemptAt.toISOString() === '2026-12-28T06:00:00.000Z')).toBe(true);
    } finally {
      await transport.close();
      await peer.close();
    }
  });

  it('when the schedule allows weekends and holidays, then mail fired on a Saturday may go at once', async () => {
    await database.db.delete(mailOutbox);
    await database.db.delete(reminderLog);
    const schedule = await createSchedule(database.db, {
      kinds: ['employee_overdue'],
      options: { allowWeekends: true, allowHolidays: true, windowStart: '07:00', windowEnd: '16:00' },
    });
    const saturday = new Date('2026-11-28T10:00:00+01:00');
    expect((await fireSchedule(database.db, schedule.id, saturday, { baseUrl, now: saturday })).ran).toBe(
      true,
    );
    const rows = await database.db.select().from(mailOutbox);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.nextAttemptAt.getTime() === saturday.getTime())).toBe(true);
  });
});
