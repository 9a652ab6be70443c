import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { sql } from 'drizzle-orm';
import { MIGRATIONS_FOLDER, type Db } from '../../../src/db/client';
import { listOutboxByKeys } from '../../../src/modules/mail/mail.repo';

/** A copy of the migrations folder that stops after the first `count` migrations. */
function migrationsUpTo(count: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kursvakt-migrations-'));
  fs.cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, count);
  fs.writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

describe('migrations', () => {
  it('when escalations become one mail per leader (0004), then an edited escalation text with the old placeholders is kept in the audit log and removed, and other texts stay', async () => {
    const client = await PGlite.create('memory://');
    const db = drizzle(client);
    const before = migrationsUpTo(4);
    try {
      await migrate(db, { migrationsFolder: before });
      await db.execute(sql`insert into mail_templates (key, name, subject, body_text) values
        ('escalation', 'Eskalering', 'Forfalt: {{ansatt}}', 'Hei {{navn}}, {{ansatt}} i {{enhet}} mangler {{kurs}}.'),
        ('escalation:skole', 'Eskalering skole', 'Eskalering', 'Hei {{navn}}, se {{lenke}}.'),
        ('leader_digest', 'Oversikt', 'Oversikt {{periode}}', 'Hei {{navn}}!')`);
      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
      const kept = await db.execute<{ key: string }>(sql`select key from mail_templates order by key`);
      expect(kept.rows.map((r) => r.key)).toEqual(['escalation:skole', 'leader_digest']);
      const audit = await db.execute<{ action: string; entity_id: string; details: Record<string, string> }>(
        sql`select action, entity_id, details from audit_log`,
      );
      expect(audit.rows).toHaveLength(1);
      expect(audit.rows[0]).toMatchObject({
        action: 'mail_template.reset',
        entity_id: 'escalation',
        details: {
          subject: 'Forfalt: {{ansatt}}',
          body: 'Hei {{navn}}, {{ansatt}} i {{enhet}} mangler {{kurs}}.',
        },
      });
      const column = await db.execute<{ column_name: string }>(
        sql`select column_name from information_schema.columns where table_name = 'reminder_log' and column_name = 'mail_key'`,
      );
      expect(column.rows).toHaveLength(1);
    } finally {
      await client.close();
      fs.rmSync(before, { recursive: true, force: true });
    }
  });

  it('when the outbox starts keeping content (0005), then a mail written before it is read and sent with its stored text and HTML, and a mail with neither content nor text is refused', async () => {
    const client = await PGlite.create('memory://');
    const db = drizzle(client);
    const before = migrationsUpTo(5);
    try {
      await migrate(db, { migrationsFolder: before });
      await db.execute(sql`insert into mail_outbox (idempotency_key, kind, to_address, subject, body_text, body_html)
        values ('gammel', 'employee_due_soon', 'a@test.kommune.no', 'Gammel', 'Lagret tekst', '<p>Lagret</p>')`);
      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
      const [old] = await listOutboxByKeys(db as unknown as Db, ['gammel']);
      expect(old).toMatchObject({ bodyText: 'Lagret tekst', bodyHtml: '<p>Lagret</p>' });
      const refused = await db
        .execute(
          sql`insert into mail_outbox (idempotency_key, kind, to_address, subject)
            values ('tom', 'employee_due_soon', 'a@test.kommune.no', 'Tom')`,
        )
        .then(
          () => null,
          (e: Error) => e.cause as { constraint?: string },
        );
      expect(refused?.constraint).toBe('mail_outbox_body_ck');
    } finally {
      await client.close();
      fs.rmSync(before, { recursive: true, force: true });
    }
  });

  it('when password links arrive (0006), then an existing user can get a link, a token hash is stored once, and the links go with the user', async () => {
    const client = await PGlite.create('memory://');
    const db = drizzle(client);
    const before = migrationsUpTo(6);
    try {
      await migrate(db, { migrationsFolder: before });
      await db.execute(
        sql`insert into users (email, display_name) values ('importert@test.no', 'Ida Import')`,
      );
      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
      const insertToken = () =>
        db.execute(sql`insert into password_tokens (user_id, token_hash, origin, expires_at)
          select id, 'abc123', 'self', now() + interval '1 hour' from users`);
      await insertToken();
      const duplicate = await insertToken().then(
        () => null,
        (e: Error) => e.cause as { constraint?: string },
      );
      expect(duplicate?.constraint).toBe('password_tokens_hash_uq');
      const [token] = (await db.execute<{ used_at: unknown }>(sql`select used_at from password_tokens`)).rows;
      expect(token).toEqual({ used_at: null });
      await db.execute(sql`delete from users`);
      const left = await db.execute(sql`select 1 from password_tokens`);
      expect(left.rows).toHaveLength(0);
    } finally {
      await client.close();
      fs.rmSync(before, { recursive: true, force: true });
    }
  });
});
