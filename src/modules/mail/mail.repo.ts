import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { jsonParam, queryRows, type DbOrTx } from '../../db/client';
import { mailOutbox, mailTemplates } from '../../db/schema';
import { renderContent, type MailContent } from './templates';

/** All SQL of the outbox and the editable mail texts. */

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface NewOutboxMail {
  idempotencyKey: string;
  kind: string;
  toAddress: string;
  toName: string | null;
  subject: string;
  /** What the mail says; its parts are rendered when it is read (`OutboxMail.bodyText`, `bodyHtml`). */
  content: MailContent;
  employeeId: number | null;
  recipientUserId: number | null;
  scheduleId: number | null;
  /** The earliest time the mail may be sent (the sending window and holiday rule decide). */
  nextAttemptAt: Date;
}

export interface OutboxMail {
  id: number;
  idempotencyKey: string;
  kind: string;
  toAddress: string;
  toName: string | null;
  subject: string;
  /** The text part, rendered from the stored content (or as stored, for a mail written before 0005). */
  bodyText: string;
  /** The mail's own HTML, the same way; the sender puts it into the layout. */
  bodyHtml: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lastError: string | null;
  smtpResponse: string | null;
  messageId: string | null;
  employeeId: number | null;
  scheduleId: number | null;
  createdAt: Date;
  sentAt: Date | null;
}

const CHUNK = 500;

/**
 * Inserts mails, skipping any whose idempotency key already exists. Returns nothing: a run learns
 * which keys are new from the reminder log, written first in the same transaction.
 */
export async function insertOutboxMails(db: DbOrTx, mails: NewOutboxMail[]): Promise<void> {
  for (let i = 0; i < mails.length; i += CHUNK) {
    // One JSON parameter per chunk: cheap to build and to send, the same on PGlite and node-postgres.
    const json = jsonParam(
      mails.slice(i, i + CHUNK).map((m) => ({
        idempotency_key: m.idempotencyKey,
        kind: m.kind,
        to_address: m.toAddress,
        to_name: m.toName,
        subject: m.subject,
        content: m.content,
        employee_id: m.employeeId,
        recipient_user_id: m.recipientUserId,
        schedule_id: m.scheduleId,
        next_attempt_at: m.nextAttemptAt.toISOString(),
      })),
    );
    await db.execute(
      sql`insert into mail_outbox (idempotency_key, kind, to_address, to_name, subject, content,
            employee_id, recipient_user_id, schedule_id, next_attempt_at)
          select idempotency_key, kind, to_address, to_name, subject, content,
            employee_id, recipient_user_id, schedule_id, next_attempt_at
          from json_to_recordset(${json}) as x(idempotency_key text, kind text, to_address text, to_name text,
            subject text, content json, employee_id int, recipient_user_id int, schedule_id int,
            next_attempt_at timestamptz)
          on conflict (idempotency_key) do nothing`,
    );
  }
}

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(String(value));
}

/**
 * The text and HTML parts of a stored mail: rendered from its content, or as stored by a mail
 * written before the outbox kept content (migration 0005).
 */
function bodiesOf(
  content: unknown,
  bodyText: unknown,
  bodyHtml: unknown,
): Pick<OutboxMail, 'bodyText' | 'bodyHtml'> {
  if (content !== null && content !== undefined) {
    // Both drivers parse json columns into objects.
    const rendered = renderContent(content as MailContent);
    return { bodyText: rendered.text, bodyHtml: rendered.htmlBody };
  }
  return { bodyText: String(bodyText ?? ''), bodyHtml: (bodyHtml as string | null) ?? null };
}

function mapRawRow(r: Record<string, unknown>): OutboxMail {
  return {
    id: Number(r.id),
    idempotencyKey: String(r.idempotency_key),
    kind: String(r.kind),
    toAddress: String(r.to_address),
    toName: (r.to_name as string | null) ?? null,
    subject: String(r.subject),
    ...bodiesOf(r.content, r.body_text, r.body_html),
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: toDate(r.next_attempt_at)!,
    lockedUntil: toDate(r.locked_until),
    lastError: (r.last_error as string | null) ?? null,
    smtpResponse: (r.smtp_response as string | null) ?? null,
    messageId: (r.message_id as string | null) ?? null,
    employeeId: r.employee_id === null ? null : Number(r.employee_id),
    scheduleId: r.schedule_id === null ? null : Number(r.schedule_id),
    createdAt: toDate(r.created_at)!,
    sentAt: toDate(r.sent_at),
  };
}

/**
 * Claims up to `limit` mails: pending ones due by `dueBy`, and ones left in 'sending' by a sender
 * whose lease has run out at `now` (it crashed). `FOR UPDATE SKIP LOCKED` lets several senders claim
 * at once without taking the same row; the lease (`now` + leaseMs) marks the row as taken after commit.
 */
export async function claimDueMails(
  db: DbOrTx,
  opts: { dueBy: Date; now: Date; limit: number; leaseMs: number },
): Promise<OutboxMail[]> {
  const dueIso = opts.dueBy.toISOString();
  const nowIso = opts.now.toISOString();
  const leaseIso = new Date(opts.now.getTime() + opts.leaseMs).toISOString();
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`update mail_outbox set status = 'sending', attempts = attempts + 1, locked_until = ${leaseIso}::timestamptz
        where id in (
          select id from mail_outbox
          where (status = 'pending' and next_attempt_at <= ${dueIso}::timestamptz)
             or (status = 'sending' and locked_until < ${nowIso}::timestamptz)
          order by next_attempt_at, id
          limit ${opts.limit}
          for update skip locked
        )
        returning *`,
  );
  return rows.map(mapRawRow).sort((a, b) => a.id - b.id);
}

// The state changes are plain SQL: they run for every mail, so query building must cost nothing.

export interface SentMark {
  id: number;
  smtpResponse: string;
  messageId: string;
  sentAt: Date;
}

/** Marks mails the SMTP server has accepted as sent, many in one statement (one JSON parameter). */
export async function markMailsSent(db: DbOrTx, marks: SentMark[]): Promise<void> {
  if (marks.length === 0) return;
  const json = jsonParam(
    marks.map((m) => ({
      id: m.id,
      sent_at: m.sentAt.toISOString(),
      smtp_response: m.smtpResponse,
      message_id: m.messageId,
    })),
  );
  await db.execute(
    sql`update mail_outbox m set status = 'sent', sent_at = x.sent_at, smtp_response = x.smtp_response,
          message_id = x.message_id, locked_until = null, last_error = null
        from json_to_recordset(${json}) as x(id bigint, sent_at timestamptz, smtp_response text, message_id text)
        where m.id = x.id`,
  );
}

/**
 * Gives claimed mails that were never handed to SMTP back to the queue (a sender stopping or
 * failing), so they need not wait for the lease; the claim's attempt is not counted. Only rows
 * still held under the same lease are touched, never a claim another sender has taken over.
 */
export async function releaseClaimedMails(
  db: DbOrTx,
  claims: Array<Pick<OutboxMail, 'id' | 'lockedUntil'>>,
): Promise<void> {
  if (claims.length === 0) return;
  const json = jsonParam(
    claims.map((c) => ({ id: c.id, locked_until: c.lockedUntil?.toISOString() ?? null })),
  );
  await db.execute(
    sql`update mail_outbox m set status = 'pending', locked_until = null, attempts = greatest(m.attempts - 1, 0)
        from json_to_recordset(${json}) as x(id bigint, locked_until timestamptz)
        where m.id = x.id and m.status = 'sending' and m.locked_until = x.locked_until`,
  );
}

export async function markMailForRetry(
  db: DbOrTx,
  id: number,
  values: { nextAttemptAt: Date; lastError: string; smtpResponse: string | null },
): Promise<void> {
  await db.execute(
    sql`update mail_outbox set status = 'pending', next_attempt_at = ${values.nextAttemptAt.toISOString()}::timestamptz,
          last_error = ${values.lastError}, smtp_response = ${values.smtpResponse}, locked_until = null
        where id = ${id}`,
  );
}

export async function markMailFailed(
  db: DbOrTx,
  id: number,
  values: { lastError: string; smtpResponse: string | null },
): Promise<void> {
  await db.execute(
    sql`update mail_outbox set status = 'failed', last_error = ${values.lastError},
          smtp_response = ${values.smtpResponse}, locked_until = null
        where id = ${id}`,
  );
}

/** Puts a failed mail back in the queue (HR's «Send på nytt»). */
export async function requeueFailedMail(db: DbOrTx, id: number, now: Date): Promise<boolean> {
  const rows = await db
    .update(mailOutbox)
    .set({ status: 'pending', nextAttemptAt: now, attempts: 0 })
    .where(and(eq(mailOutbox.id, id), eq(mailOutbox.status, 'failed')))
    .returning({ id: mailOutbox.id });
  return rows.length > 0;
}

const listColumns = {
  id: mailOutbox.id,
  idempotencyKey: mailOutbox.idempotencyKey,
  kind: mailOutbox.kind,
  toAddress: mailOutbox.toAddress,
  toName: mailOutbox.toName,
  subject: mailOutbox.subject,
  content: mailOutbox.content,
  bodyText: mailOutbox.bodyText,
  bodyHtml: mailOutbox.bodyHtml,
  status: mailOutbox.status,
  attempts: mailOutbox.attempts,
  nextAttemptAt: mailOutbox.nextAttemptAt,
  lockedUntil: mailOutbox.lockedUntil,
  lastError: mailOutbox.lastError,
  smtpResponse: mailOutbox.smtpResponse,
  messageId: mailOutbox.messageId,
  employeeId: mailOutbox.employeeId,
  scheduleId: mailOutbox.scheduleId,
  createdAt: mailOutbox.createdAt,
  sentAt: mailOutbox.sentAt,
};

function toOutboxMail(row: Pick<typeof mailOutbox.$inferSelect, keyof typeof listColumns>): OutboxMail {
  const { content, bodyText, bodyHtml, ...rest } = row;
  return { ...(rest as Omit<OutboxMail, 'bodyText' | 'bodyHtml'>), ...bodiesOf(content, bodyText, bodyHtml) };
}

/** The newest mails first, optionally only one status. */
export async function listOutboxMails(
  db: DbOrTx,
  opts: { status?: OutboxStatus; limit: number; offset: number },
): Promise<OutboxMail[]> {
  const rows = await db
    .select(listColumns)
    .from(mailOutbox)
    .where(opts.status ? eq(mailOutbox.status, opts.status) : sql`true`)
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(opts.limit)
    .offset(opts.offset);
  return rows.map(toOutboxMail);
}

export async function findOutboxMail(db: DbOrTx, id: number): Promise<OutboxMail | null> {
  const rows = await db.select(listColumns).from(mailOutbox).where(eq(mailOutbox.id, id));
  return rows[0] ? toOutboxMail(rows[0]) : null;
}

export async function countOutboxByStatus(db: DbOrTx): Promise<Record<OutboxStatus, number>> {
  const rows = await db
    .select({ status: mailOutbox.status, n: count() })
    .from(mailOutbox)
    .groupBy(mailOutbox.status);
  const out: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
  for (const r of rows) out[r.status as OutboxStatus] = Number(r.n);
  return out;
}

export async function listOutboxByKeys(db: DbOrTx, keys: string[]): Promise<OutboxMail[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .select(listColumns)
    .from(mailOutbox)
    .where(inArray(mailOutbox.idempotencyKey, keys))
    .orderBy(asc(mailOutbox.id));
  return rows.map(toOutboxMail);
}

export interface StoredTemplate {
  key: string;
  name: string;
  subject: string;
  body: string;
  updatedAt: Date;
}

export async function listStoredTemplates(db: DbOrTx): Promise<StoredTemplate[]> {
  return db
    .select({
      key: mailTemplates.key,
      name: mailTemplates.name,
      subject: mailTemplates.subject,
      body: mailTemplates.bodyText,
      updatedAt: mailTemplates.updatedAt,
    })
    .from(mailTemplates)
    .orderBy(asc(mailTemplates.key));
}

export async function upsertStoredTemplate(
  db: DbOrTx,
  values: { key: string; name: string; subject: string; body: string; updatedBy: number | null },
): Promise<void> {
  await db
    .insert(mailTemplates)
    .values({
      key: values.key,
      name: values.name,
      subject: values.subject,
      bodyText: values.body,
      updatedBy: values.updatedBy,
    })
    .onConflictDoUpdate({
      target: mailTemplates.key,
      set: {
        name: values.name,
        subject: values.subject,
        bodyText: values.body,
        updatedBy: values.updatedBy,
        updatedAt: new Date(),
      },
    });
}

export async function deleteStoredTemplate(db: DbOrTx, key: string): Promise<void> {
  await db.delete(mailTemplates).where(eq(mailTemplates.key, key));
}
