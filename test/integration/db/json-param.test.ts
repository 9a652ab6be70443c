import { sql } from 'drizzle-orm';
import { jsonbParam, jsonParam, queryRows, type Database } from '../../../src/db/client';
import { errorFields } from '../../../src/lib/logger';
import { createTestDatabase } from '../../support/db';

describe('JSON parameters', () => {
  let database: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.close();
  });

  it('when rows with Norwegian letters, dashes, emoji, quotes, backslashes, line breaks and nulls go in as bytes, then json_to_recordset reads them back unchanged', async () => {
    const rows = [
      { id: 1, name: 'Åse Ødegård Bjørnæs', text: 'Frist – «Taushetsplikt» 🙂\n"sitat" \\ bakstrek\ttab' },
      { id: 2, name: null, text: '' },
    ];
    const read = await queryRows<{ id: number; name: string | null; text: string }>(
      database.db,
      sql`select id, name, text from json_to_recordset(${jsonParam(rows)}) as x(id int, name text, text text) order by id`,
    );
    expect(read).toEqual(rows);
  });

  it('when a string is given to a json parameter directly, then it still reads as JSON text', async () => {
    const read = await queryRows<{ n: number }>(
      database.db,
      sql`select json_array_length(${JSON.stringify(['æ', 'ø', 'å'])}::json) as n`,
    );
    expect(Number(read[0]!.n)).toBe(3);
  });

  describe('jsonbParam', () => {
    it('when a document with Norwegian letters, emoji, escapes and nesting goes in as jsonb bytes, then it reads back unchanged and as jsonb', async () => {
      const doc = {
        attempts: [
          { id: 7, cmi: { core: { student_name: 'Ødegård, Åse' }, suspend_data: 'a=«1»;\n"x"\t🙂' } },
        ],
        logs: [],
        n: null,
      };
      const [row] = await queryRows<{ doc: unknown; type: string; name: string }>(
        database.db,
        sql`select d as doc, pg_typeof(d)::text as type, d #>> '{attempts,0,cmi,core,student_name}' as name
            from (select ${jsonbParam(doc)} as d) x`,
      );
      expect(row).toEqual({ doc, type: 'jsonb', name: 'Ødegård, Åse' });
    });

    it('when an ordinary value is given to a jsonb parameter, then it still goes in as JSON', async () => {
      const [row] = await queryRows<{ n: number }>(
        database.db,
        sql`select jsonb_array_length(${JSON.stringify(['æ', 'ø'])}::jsonb) as n`,
      );
      expect(Number(row!.n)).toBe(2);
    });
  });
});

describe('errorFields of a failed query', () => {
  it('when a query with a parameter fails, then the logged fields name the SQL and the database error but not the parameter', async () => {
    const database = await createTestDatabase();
    try {
      const error = await queryRows(
        database.db,
        sql`select 1 / (json_array_length(${jsonParam([{ n: 'Åse' }])}) - length(${'Hemmelig'}) + 7) as n`,
      ).then(
        () => null,
        (e: unknown) => e,
      );
      const fields = errorFields(error);
      expect(fields.error).toBe('division by zero');
      expect(fields.code).toBe('22012');
      expect(fields.query).toContain('json_array_length');
      expect(JSON.stringify(fields)).not.toContain('Hemmelig');
      expect(JSON.stringify(fields)).not.toContain('params');
    } finally {
      await database.close();
    }
  });
});
