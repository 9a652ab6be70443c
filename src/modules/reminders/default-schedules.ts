import type { DbOrTx } from '../../db/client';
import { insertSchedule } from './reminders.repo';
import { scheduleOptionsSchema } from './reminders.schema';

/**
 * The schedules a new municipality (and the demo) starts with: weekly employee reminders on Monday
 * mornings, a monthly digest to leaders on the first working day, and escalation after 30 days overdue.
 */
export const DEFAULT_SCHEDULES = [
  {
    name: 'Ukentlige påminnelser til ansatte',
    cron: '0 7 * * 1',
    kinds: ['employee_due_soon', 'employee_due_today', 'employee_overdue'] as const,
    options: { overdueIntervalDays: 7, overdueMaxCount: 4 },
  },
  {
    name: 'Månedlig oversikt til ledere',
    cron: '0 7 1-7 * *',
    kinds: ['leader_digest'] as const,
    options: { digestPeriod: 'month', firstWorkingDayOnly: true },
  },
  {
    name: 'Eskalering etter 30 dager',
    cron: '0 7 * * 1',
    kinds: ['escalation'] as const,
    options: { escalationDays: 30 },
  },
];

/** Inserts the default schedules. */
export async function insertDefaultSchedules(db: DbOrTx, createdBy: number | null): Promise<void> {
  for (const s of DEFAULT_SCHEDULES) {
    await insertSchedule(db, {
      name: s.name,
      cron: s.cron,
      kinds: [...s.kinds],
      unitIds: [],
      templateKey: null,
      options: scheduleOptionsSchema.parse(s.options),
      createdBy,
    });
  }
}
