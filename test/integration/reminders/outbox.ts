import type { Db } from '../../../src/db/client';
import { insertOutboxMails, type NewOutboxMail } from '../../../src/modules/mail/mail.repo';

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

/** One plain mail as the outbox stores it: text, and the mail's own HTML without the layout. */
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
    bodyText: `Hei, ansatt ${i}!\n`,
    bodyHtml: `<p>Hei, ansatt ${i}!</p>`,
    employeeId: null,
    recipientUserId: null,
    scheduleId: null,
    nextAttemptAt: opts.at ?? new Date('2026-11-23T07:00:00Z'),
  };
}
