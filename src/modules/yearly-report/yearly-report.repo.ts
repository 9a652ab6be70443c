import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { MAIL_KINDS } from '../mail/templates';
import { unitScopeCondition, type UnitScope } from '../org/unit-scope';

export interface MailCountRow {
  unitPath: string | null;
  sent: number;
}

/**
 * Mails sent in a calendar year (Europe/Oslo), counted by the unit of the employee they concern
 * (or, for a leader digest without an employee, the recipient's own employee record). Mails linked
 * to nobody have a null path and only count in HR's total. Only reminders and digests count (the
 * report says so), not mails such as a link to set a password.
 */
export async function countMailsSentByUnitPath(
  db: DbOrTx,
  scope: UnitScope,
  year: number,
): Promise<MailCountRow[]> {
  const scoped = scope.kind === 'all' ? sql`true` : unitScopeCondition(scope, sql`o.path`);
  const rows = await queryRows<{ unit_path: string | null; sent: number | string }>(
    db,
    sql`select o.path as unit_path, count(*)::int as sent
        from mail_outbox m
        left join users u on u.id = m.recipient_user_id
        left join employees e on e.id = coalesce(m.employee_id, u.employee_id)
        left join org_units o on o.id = e.unit_id
        where m.status = 'sent' and m.sent_at is not null
          and m.kind in (${sql.join(
            MAIL_KINDS.map((k) => sql`${k}`),
            sql`, `,
          )})
          and extract(year from (m.sent_at at time zone 'Europe/Oslo')) = ${year}
          and ${scoped}
        group by o.path`,
  );
  return rows.map((r) => ({ unitPath: r.unit_path, sent: Number(r.sent) }));
}
