import type { Db } from '../../../src/db/client';
import {
  insertOutboxMails,
  listOutboxMails,
  type NewOutboxMail,
  type OutboxMail,
} from '../../../src/modules/mail/mail.repo';

/** Puts n plain mails in the outbox, due now, addressed to `to(i)`. */
export async function enqueueTestMails(
  db: Db,
  n: number,
  opts: { prefix?: string; to?: (i: number) => string; at?: Date } = {},
) {
  const prefix = opts.prefix ?? 'test';
  const keys = Array.from({ length: n }, (_, i) => `${prefix}|${i}`);
  await insertOutboxMails(
    db,
    keys.map((key, i) => testMail(key, i, opts)),
  );
  return keys;
}

/**
 * Every mail in the outbox in the order written, as the sender and HR read it: text and HTML
 * rendered from the content.
 */
export async function readOutbox(db: Db): Promise<OutboxMail[]> {
  return (await listOutboxMails(db, { limit: 1_000_000, offset: 0 })).sort((a, b) => a.id - b.id);
}

/** One plain mail as the outbox stores it: what it says, one paragraph. */
export function testMail(
  key: string,
  i: number,
  opts: { to?: (i: number) => string; at?: Date } = {},
): NewOutboxMail {
  return {
    idempotencyKey: key,
    kind: 'employee_due_soon',
    toAddress: opts.to?.(i) ?? `ansatt${i}@test.kommune.no`,
    toName: `Ansatt ${i}`,
    subject: `Påminnelse ${i}`,
    content: { body: `Hei, ansatt ${i}!`, sections: [] },
    employeeId: null,
    recipientUserId: null,
    scheduleId: null,
    nextAttemptAt: opts.at ?? new Date('2026-11-23T07:00:00Z'),
  };
}
