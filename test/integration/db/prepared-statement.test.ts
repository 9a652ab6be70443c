import { sql } from 'drizzle-orm';
import { jsonbParam, queryPrepared, queryRows, sqlStateOf, type Database } from '../../../src/db/client';
import { createTestDatabase } from '../../support/db';

/**
 * queryPrepared: the SCORM commit batch runs as a named prepared statement (parsed and planned once);
 * on PGlite it goes to the database thread as one protocol message (docs/performance.md).
 */
describe('queryPrepared', () => {
  let database: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.execute(sql`create table prepared_probe (id int primary key, doc jsonb, note text)`);
  });
  afterAll(() => database.close());

  const insert = (id: number, doc: unknown, note: string | null) =>
    queryPrepared<{ id: number; doc: unknown; note: string | null }>(
      database.db,
      'test_prepared_insert',
      sql`insert into prepared_probe (id, doc, note) values (${id}, ${jsonbParam(doc)}, ${note})
          returning id, doc, note`,
    );

  it('when run again and again under its name, then each run gets its own parameters and rows back as queryRows gives them', async () => {
    for (let id = 1; id <= 5; id += 1) {
      const doc = { id, navn: 'Ødegård, Åse', data: 'x'.repeat(id * 1000) };
      const [row] = await insert(id, doc, id % 2 === 0 ? null : `nr. ${id} – «æøå»`);
      expect({ ...row, id: Number(row!.id) }).toEqual({
        id,
        doc,
        note: id % 2 === 0 ? null : `nr. ${id} – «æøå»`,
      });
    }
    const read = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from prepared_probe`,
    );
    expect(Number(read[0]!.n)).toBe(5);
  });

  it('when a run fails, then it is refused with PostgreSQL’s error, nothing of it is written, and the next run works', async () => {
    const failed = await insert(1, { again: true }, 'samme id').catch((error: unknown) => error);
    expect(sqlStateOf(failed)).toBe('23505');
    const [row] = await insert(6, { after: 'feil' }, null);
    expect(Number(row!.id)).toBe(6);
    const notes = await queryRows<{ note: string | null }>(
      database.db,
      sql`select note from prepared_probe where id = 1`,
    );
    expect(notes).toEqual([{ note: 'nr. 1 – «æøå»' }]);
  });

  it('when its first run fails, then the statement is parsed again on the next run and works', async () => {
    const first = () =>
      queryPrepared<{ n: number }>(
        database.db,
        'test_prepared_first_fails',
        sql`select ${jsonbParam({ n: 1 })} ->> 'n' as n, 1 / (select count(*)::int - 7 from prepared_probe) as q`,
      );
    // 6 rows: 1 / (6 - 7) works; with a 7th row it divides by zero.
    await queryRows(database.db, sql`insert into prepared_probe (id) values (7)`);
    expect(sqlStateOf(await first().catch((error: unknown) => error))).toBe('22012');
    await queryRows(database.db, sql`delete from prepared_probe where id = 7`);
    expect(await first()).toEqual([{ n: '1', q: -1 }]);
  });

  it('when a name already used is given another text, then it is refused instead of running the first statement', async () => {
    await queryPrepared(database.db, 'test_prepared_named', sql`select ${1} as n`);
    await expect(
      queryPrepared(database.db, 'test_prepared_named', sql`select ${1} + 1 as n`),
    ).rejects.toThrow(/test_prepared_named/);
  });

  it('when a statement cannot be parsed, then it is refused with the syntax error', async () => {
    const error = await queryPrepared(database.db, 'test_prepared_broken', sql`selec 1`).catch(
      (e: unknown) => e,
    );
    expect(sqlStateOf(error)).toBe('42601');
  });

  it('when another caller has a transaction open, then it waits for it and does not run inside it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const hasInserted = new Promise<void>((resolve) => (inserted = resolve));
    const transaction = database.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into prepared_probe (id, note) values (100, 'uferdig')`);
        inserted();
        await held;
        throw new Error('rull tilbake');
      })
      .catch(() => undefined);
    await hasInserted;
    const counting = queryPrepared<{ n: number }>(
      database.db,
      'test_prepared_count',
      sql`select count(*)::int as n from prepared_probe where id = ${100}`,
    );
    release();
    await transaction;
    // Run inside the open transaction, it would have counted the row that was rolled back.
    expect((await counting).map((r) => Number(r.n))).toEqual([0]);
  });

  it('when called inside a transaction, then it runs in that transaction', async () => {
    let inside: number[] = [];
    await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into prepared_probe (id, note) values (200, 'i transaksjonen')`);
        const rows = await queryPrepared<{ n: number }>(
          tx,
          'test_prepared_in_tx',
          sql`select count(*)::int as n from prepared_probe where id = ${200}`,
        );
        inside = rows.map((r) => Number(r.n));
        throw new Error('rull tilbake');
      })
      .catch(() => undefined);
    expect(inside).toEqual([1]);
    const after = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from prepared_probe where id = 200`,
    );
    expect(Number(after[0]!.n)).toBe(0);
  });
});
