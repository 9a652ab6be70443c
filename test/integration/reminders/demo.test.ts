import { eq } from 'drizzle-orm';
import type { Database } from '../../../src/db/client';
import { employees, orgUnits, reminderSchedules } from '../../../src/db/schema';
import { loadDemo } from '../../../src/modules/demo/demo.service';
import { listLeaders } from '../../../src/modules/reminders/reminders.repo';
import { runScheduleNow } from '../../../src/modules/reminders/reminders.service';
import { findSchedule } from '../../../src/modules/reminders/reminders.repo';
import { createTestDatabase } from '../../support/db';
import { readOutbox } from './outbox';

jest.setTimeout(300_000);

const env = { baseUrl: 'https://kursvakt.test.kommune.no', now: new Date('2026-12-01T08:00:00+01:00') };

describe('default reminder schedules on the demo', () => {
  let database: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    await loadDemo(database.db, '2026-11-23');
  }, 300_000);
  afterAll(async () => {
    await database?.close();
  });

  it('when the demo is loaded, then it has weekly employee reminders, monthly leader digests and escalation after 30 days', async () => {
    const rows = await database.db.select().from(reminderSchedules);
    expect(rows.map((r) => [r.name, r.cron, r.kinds, r.paused])).toEqual([
      [
        'Ukentlige påminnelser til ansatte',
        '0 7 * * 1',
        ['employee_due_soon', 'employee_due_today', 'employee_overdue'],
        false,
      ],
      ['Månedlig oversikt til ledere', '0 7 1-7 * *', ['leader_digest'], false],
      ['Eskalering etter 30 dager', '0 7 * * 1', ['escalation'], false],
    ]);
    expect(rows[2]!.options).toMatchObject({ escalationDays: 30 });
  });

  it('when every demo schedule runs on the first working day of December, then mails are enqueued once', async () => {
    const schedules = await database.db.select().from(reminderSchedules);
    let total = 0;
    for (const s of schedules)
      total += (
        await runScheduleNow(database.db, (await findSchedule(database.db, s.id))!, '2026-12-01', env)
      ).enqueued;
    expect(total).toBeGreaterThan(10);
    const kinds = new Set((await readOutbox(database.db)).map((m) => m.kind));
    expect(kinds).toEqual(new Set(['employee_due_soon', 'employee_overdue', 'leader_digest', 'escalation']));
    let again = 0;
    for (const s of schedules)
      again += (
        await runScheduleNow(database.db, (await findSchedule(database.db, s.id))!, '2026-12-01', env)
      ).enqueued;
    expect(again).toBe(0);
    expect(await readOutbox(database.db)).toHaveLength(total);
  });

  it('when leaders get digests and escalations on the demo, then every employee named is inside the units they lead', async () => {
    const leaders = new Map((await listLeaders(database.db)).map((l) => [l.email, l]));
    const mails = (await readOutbox(database.db)).filter(
      (m) => m.kind === 'leader_digest' || m.kind === 'escalation',
    );
    expect(mails.length).toBeGreaterThan(3);
    let checked = 0;
    for (const mail of mails) {
      const leader = leaders.get(mail.toAddress)!;
      const ids = [...mail.bodyText.matchAll(/\/leder\/ansatt\/(\d+)/g)].map((m) => Number(m[1]));
      for (const id of ids) {
        const [row] = await database.db
          .select({ path: orgUnits.path })
          .from(employees)
          .innerJoin(orgUnits, eq(orgUnits.id, employees.unitId))
          .where(eq(employees.id, id));
        expect(leader.units.some((u) => row!.path.startsWith(u.path))).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
    // The demo's employee without an e-mail address is in their leaders' digests, linked like the rest.
    const flagged = mails.filter((m) => m.bodyText.includes('Uten e-postadresse, får ikke påminnelser (1)'));
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((m) => m.kind === 'leader_digest')).toBe(true);
  });
});
