import { and, asc, count, eq, max, sql } from 'drizzle-orm';
import { jsonParam, queryRows, type DbOrTx } from '../../db/client';
import { mailOutbox, orgUnits, reminderLog, reminderSchedules, unitLeaders, users } from '../../db/schema';
import type { LocalDate } from '../../lib/dates';
import type { MailContent } from '../mail/templates';
import type { ReminderKind } from './reminders.schema';
import { overdueHistoryKey, type LeaderInfo, type OverdueHistory, type UnitInfo } from './selection';

/** All SQL of reminder schedules and the reminder log. */

export interface ScheduleRecord {
  id: number;
  name: string;
  cron: string;
  kinds: ReminderKind[];
  unitIds: number[];
  templateKey: string | null;
  options: unknown;
  paused: boolean;
  lastFiredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const scheduleColumns = {
  id: reminderSchedules.id,
  name: reminderSchedules.name,
  cron: reminderSchedules.cron,
  kinds: reminderSchedules.kinds,
  unitIds: reminderSchedules.unitIds,
  templateKey: reminderSchedules.templateKey,
  options: reminderSchedules.options,
  paused: reminderSchedules.paused,
  lastFiredAt: reminderSchedules.lastFiredAt,
  createdAt: reminderSchedules.createdAt,
  updatedAt: reminderSchedules.updatedAt,
};

export async function listSchedules(
  db: DbOrTx,
  opts: { activeOnly?: boolean } = {},
): Promise<ScheduleRecord[]> {
  const rows = await db
    .select(scheduleColumns)
    .from(reminderSchedules)
    .where(opts.activeOnly ? eq(reminderSchedules.paused, false) : sql`true`)
    .orderBy(asc(reminderSchedules.id));
  return rows as ScheduleRecord[];
}

export async function findSchedule(db: DbOrTx, id: number): Promise<ScheduleRecord | null> {
  const rows = await db.select(scheduleColumns).from(reminderSchedules).where(eq(reminderSchedules.id, id));
  return (rows[0] as ScheduleRecord | undefined) ?? null;
}

export interface ScheduleValues {
  name: string;
  cron: string;
  kinds: ReminderKind[];
  unitIds: number[];
  templateKey: string | null;
  options: Record<string, unknown>;
}

export async function insertSchedule(
  db: DbOrTx,
  values: ScheduleValues & { createdBy: number | null; paused?: boolean },
): Promise<number> {
  const [row] = await db.insert(reminderSchedules).values(values).returning({ id: reminderSchedules.id });
  return row!.id;
}

export async function updateSchedule(db: DbOrTx, id: number, values: ScheduleValues): Promise<boolean> {
  const rows = await db
    .update(reminderSchedules)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(reminderSchedules.id, id))
    .returning({ id: reminderSchedules.id });
  return rows.length > 0;
}

export async function setSchedulePaused(db: DbOrTx, id: number, paused: boolean): Promise<boolean> {
  const rows = await db
    .update(reminderSchedules)
    .set({ paused, updatedAt: new Date() })
    .where(eq(reminderSchedules.id, id))
    .returning({ id: reminderSchedules.id });
  return rows.length > 0;
}

export async function deleteSchedule(db: DbOrTx, id: number): Promise<void> {
  await db.delete(reminderSchedules).where(eq(reminderSchedules.id, id));
}

/** Records that a fire ran; never moves last_fired_at backwards. */
export async function markScheduleFired(db: DbOrTx, id: number, firedAt: Date): Promise<void> {
  await db
    .update(reminderSchedules)
    .set({
      lastFiredAt: sql`greatest(${reminderSchedules.lastFiredAt}, ${firedAt.toISOString()}::timestamptz)`,
    })
    .where(eq(reminderSchedules.id, id));
}

/** Changes to any schedule (count + latest update), so every instance notices an edit made on another. */
export async function schedulesFingerprint(db: DbOrTx): Promise<string> {
  const [row] = await db
    .select({ n: count(), latest: max(reminderSchedules.updatedAt) })
    .from(reminderSchedules);
  const latest = row?.latest as Date | string | null | undefined;
  return `${Number(row?.n ?? 0)}:${latest ? new Date(latest).toISOString() : ''}`;
}

/**
 * Takes the transaction-scoped advisory lock of one schedule's fires; false when another
 * instance holds it. Released at commit or rollback.
 */
export async function tryLockScheduleFire(db: DbOrTx, scheduleId: number): Promise<boolean> {
  const rows = await queryRows<{ locked: boolean }>(
    db,
    sql`select pg_try_advisory_xact_lock(hashtext('kursvakt.reminder-fire'), ${scheduleId}::int) as locked`,
  );
  return rows[0]?.locked === true;
}

/** Reads last_fired_at inside the fire's transaction, after the lock. */
export async function readLastFiredAt(db: DbOrTx, scheduleId: number): Promise<Date | null> {
  const rows = await db
    .select({ lastFiredAt: reminderSchedules.lastFiredAt })
    .from(reminderSchedules)
    .where(eq(reminderSchedules.id, scheduleId));
  return rows[0]?.lastFiredAt ?? null;
}

/** Leaders (enabled users with e-mail) and the units they lead directly. */
export async function listLeaders(db: DbOrTx): Promise<LeaderInfo[]> {
  const rows = await db
    .select({
      userId: users.id,
      name: users.displayName,
      email: users.email,
      unitId: orgUnits.id,
      unitName: orgUnits.name,
      unitPath: orgUnits.path,
    })
    .from(unitLeaders)
    .innerJoin(users, eq(users.id, unitLeaders.userId))
    .innerJoin(orgUnits, eq(orgUnits.id, unitLeaders.unitId))
    .where(eq(users.disabled, false))
    .orderBy(asc(users.id), asc(orgUnits.path));
  const byUser = new Map<number, LeaderInfo>();
  for (const r of rows) {
    let leader = byUser.get(r.userId);
    if (!leader) {
      leader = { userId: r.userId, name: r.name, email: r.email, units: [] };
      byUser.set(r.userId, leader);
    }
    leader.units.push({ id: r.unitId, name: r.unitName, path: r.unitPath });
  }
  return [...byUser.values()];
}

export async function listUnitInfos(db: DbOrTx): Promise<UnitInfo[]> {
  return db
    .select({ id: orgUnits.id, name: orgUnits.name, parentId: orgUnits.parentId, path: orgUnits.path })
    .from(orgUnits)
    .orderBy(asc(orgUnits.path));
}

export interface NewReminderLog {
  idempotencyKey: string;
  scheduleId: number | null;
  kind: string;
  employeeId: number | null;
  requirementId: number | null;
  recipientUserId: number | null;
  dueDate: LocalDate | null;
  period: string;
}

/**
 * A reminder_log row's columns as json_to_recordset reads them. Callers add their own columns to
 * the same object: a spread copy per row cost 0.15–0.2 s in a run of 21,500 mails.
 */
function logRecord(r: NewReminderLog): Record<string, unknown> {
  return {
    idempotency_key: r.idempotencyKey,
    schedule_id: r.scheduleId,
    kind: r.kind,
    employee_id: r.employeeId,
    requirement_id: r.requirementId,
    recipient_user_id: r.recipientUserId,
    due_date: r.dueDate,
    period: r.period,
  };
}

/** Keys per lookup: one JSON array parameter each. */
const KEY_CHUNK = 10_000;

/** A reminder and its mail, written together. */
export interface NewReminderMail extends NewReminderLog {
  toAddress: string;
  toName: string | null;
  subject: string;
  content: MailContent;
  /** The earliest time the mail may be sent (the sending window and holiday rule decide). */
  nextAttemptAt: Date;
}

/**
 * Writes reminders and their mails in one statement: the reminder_log row first, and the outbox
 * mail only where that row was new (ON CONFLICT DO NOTHING on the idempotency key in both tables).
 * Returns the keys that were not written because another run had logged them first. Rows travel as
 * one JSON parameter (json_to_recordset): far cheaper than a multi-row VALUES list for tens of
 * thousands of rows, and the same on PGlite and node-postgres. The caller sizes the batches.
 */
export async function insertRemindersWithMails(db: DbOrTx, rows: NewReminderMail[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const json = jsonParam(
    rows.map((r) => {
      const record = logRecord(r);
      record.to_address = r.toAddress;
      record.to_name = r.toName;
      record.subject = r.subject;
      record.content = r.content;
      record.next_attempt_at = r.nextAttemptAt.toISOString();
      return record;
    }),
  );
  const skipped = await queryRows<{ key: string }>(
    db,
    sql`with input as materialized (
          select * from json_to_recordset(${json}) as x(idempotency_key text, schedule_id int, kind text,
            employee_id int, requirement_id int, recipient_user_id int, due_date date, period text, to_address text,
            to_name text, subject text, content json, next_attempt_at timestamptz)
        ),
        logged as (
          insert into reminder_log (idempotency_key, schedule_id, kind, employee_id, requirement_id,
            recipient_user_id, due_date, period)
          select idempotency_key, schedule_id, kind, employee_id, requirement_id, recipient_user_id, due_date, period
          from input
          on conflict (idempotency_key) do nothing
          returning idempotency_key
        ),
        mailed as (
          insert into mail_outbox (idempotency_key, kind, to_address, to_name, subject, content,
            employee_id, recipient_user_id, schedule_id, next_attempt_at)
          select i.idempotency_key, i.kind, i.to_address, i.to_name, i.subject, i.content,
            i.employee_id, i.recipient_user_id, i.schedule_id, i.next_attempt_at
          from input i join logged l on l.idempotency_key = i.idempotency_key
          on conflict (idempotency_key) do nothing
        )
        select i.idempotency_key as key from input i
        where not exists (select 1 from logged l where l.idempotency_key = i.idempotency_key)`,
  );
  return new Set(skipped.map((r) => r.key));
}

/** Escalation lines per statement. */
const ESCALATION_CHUNK = 2_000;

/** An escalation line's log row: the person's own key, and the key of the mail that lists them. */
export interface NewEscalationLine extends NewReminderLog {
  mailKey: string;
}

/**
 * Logs escalation lines (ON CONFLICT DO NOTHING) and returns the keys this call wrote: only those
 * may be listed in the mails written next in the same transaction. Another run writing the same key
 * first makes this one wait for it and then skip the key.
 */
export async function insertEscalationLines(db: DbOrTx, rows: NewEscalationLine[]): Promise<Set<string>> {
  const written = new Set<string>();
  for (let i = 0; i < rows.length; i += ESCALATION_CHUNK) {
    const json = jsonParam(
      rows.slice(i, i + ESCALATION_CHUNK).map((r) => {
        const record = logRecord(r);
        record.mail_key = r.mailKey;
        return record;
      }),
    );
    const inserted = await queryRows<{ key: string }>(
      db,
      sql`insert into reminder_log (idempotency_key, schedule_id, kind, employee_id, requirement_id,
            recipient_user_id, due_date, period, mail_key)
          select idempotency_key, schedule_id, kind, employee_id, requirement_id, recipient_user_id, due_date,
            period, mail_key
          from json_to_recordset(${json}) as x(idempotency_key text, schedule_id int, kind text,
            employee_id int, requirement_id int, recipient_user_id int, due_date date, period text, mail_key text)
          on conflict (idempotency_key) do nothing
          returning idempotency_key as key`,
    );
    for (const r of inserted) written.add(r.key);
  }
  return written;
}

/** The keys among these that were already reminded. */
export async function findExistingKeys(db: DbOrTx, keys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += KEY_CHUNK) {
    const rows = await queryRows<{ key: string }>(
      db,
      sql`select idempotency_key as key from reminder_log
          where idempotency_key in (select json_array_elements_text(${jsonParam(keys.slice(i, i + KEY_CHUNK))}))`,
    );
    for (const r of rows) found.add(r.key);
  }
  return found;
}

/** How many mails each schedule has produced, and how many of them are sent or failed. */
export async function countMailsPerSchedule(
  db: DbOrTx,
): Promise<Map<number, { total: number; sent: number; failed: number }>> {
  const rows = await db
    .select({
      scheduleId: mailOutbox.scheduleId,
      total: count(),
      sent: sql<number>`count(*) filter (where ${mailOutbox.status} = 'sent')`,
      failed: sql<number>`count(*) filter (where ${mailOutbox.status} = 'failed')`,
    })
    .from(mailOutbox)
    .where(and(sql`${mailOutbox.scheduleId} is not null`))
    .groupBy(mailOutbox.scheduleId);
  return new Map(
    rows.map((r) => [
      r.scheduleId!,
      { total: Number(r.total), sent: Number(r.sent), failed: Number(r.failed) },
    ]),
  );
}

/**
 * Earlier overdue reminders per employee, requirement and due date. The log's period is
 * 'forfalt-<n>@<as-of date>'; the idempotency key holds only 'forfalt-<n>'.
 */
export async function loadOverdueHistory(db: DbOrTx): Promise<Map<string, OverdueHistory>> {
  const rows = await db
    .select({
      employeeId: reminderLog.employeeId,
      requirementId: reminderLog.requirementId,
      dueDate: reminderLog.dueDate,
      n: count(),
      lastOn: sql<string | null>`max(split_part(${reminderLog.period}, '@', 2))`,
    })
    .from(reminderLog)
    .where(eq(reminderLog.kind, 'employee_overdue'))
    .groupBy(reminderLog.employeeId, reminderLog.requirementId, reminderLog.dueDate);
  const out = new Map<string, OverdueHistory>();
  for (const r of rows) {
    if (!r.employeeId || !r.requirementId || !r.dueDate) continue;
    out.set(overdueHistoryKey(r.employeeId, r.requirementId, r.dueDate), {
      count: Number(r.n),
      lastOn: r.lastOn && /^\d{4}-\d{2}-\d{2}$/.test(r.lastOn) ? r.lastOn : null,
    });
  }
  return out;
}
