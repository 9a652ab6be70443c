import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, sqlStateOf, type Database } from '../../../src/db/client';
import { PgliteThread } from '../../../src/db/pglite-thread';

/**
 * PGlite in its worker thread (decision 0010), through Drizzle as the app uses it. Always PGlite,
 * also when the suite runs against a PostgreSQL server: this is the embedded database's own code.
 */
describe('PGlite in a thread of its own', () => {
  let database: Database;

  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    await database.db.execute(sql`create table thread_test (id int primary key, name text not null)`);
  });

  afterAll(async () => {
    await database.close();
  });

  beforeEach(async () => {
    await database.db.execute(sql`delete from thread_test`);
  });

  it('when a query returns numbers, text, json, booleans and a timestamp, then they arrive as Drizzle expects them', async () => {
    const [row] = await queryRows<Record<string, unknown>>(
      database.db,
      sql`select 42 as n, 'Åse Ødegård' as name, '{"a":[1,"ø"]}'::jsonb as doc, true as yes,
        '2026-11-24 12:00:00+00'::timestamptz as at, '2026-11-24'::date as day`,
    );
    expect(row).toEqual({
      n: 42,
      name: 'Åse Ødegård',
      doc: { a: [1, 'ø'] },
      yes: true,
      // Drizzle maps timestamps and dates from their text; the thread gives them as text.
      at: expect.stringMatching(/^2026-11-24 12:00:00/),
      day: '2026-11-24',
    });
  });

  it('when a statement breaks a constraint, then the error keeps its SQLSTATE and constraint', async () => {
    await database.db.execute(sql`insert into thread_test values (1, 'a')`);
    const error = await database.db
      .execute(sql`insert into thread_test values (1, 'b')`)
      .catch((e: unknown) => e);
    expect(sqlStateOf(error)).toBe('23505');
    expect((error as { cause?: { constraint?: string } }).cause?.constraint).toBe('thread_test_pkey');
  });

  it('when a transaction throws, then nothing of it is written, and a committed one is', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into thread_test values (1, 'rulles tilbake')`);
        throw new Error('avbrutt');
      }),
    ).rejects.toThrow('avbrutt');
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into thread_test values (2, 'lagret')`);
      // A savepoint (Drizzle's nested transaction) rolled back inside a committed transaction.
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`insert into thread_test values (3, 'savepoint')`);
          throw new Error('indre');
        })
        .catch(() => undefined);
    });
    const rows = await queryRows<{ id: number }>(database.db, sql`select id from thread_test order by id`);
    expect(rows).toEqual([{ id: 2 }]);
  });

  it('when a statement outside a transaction arrives while one is open, then it sees the transaction only once committed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const transaction = database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into thread_test values (5, 'i transaksjon')`);
      await gate;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const outside = queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from thread_test`);
    release();
    await transaction;
    expect((await outside)[0]!.n).toBe(1);
  });

  it('when a statement runs for a while, then the server thread keeps running timers meanwhile', async () => {
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(Date.now()), 5);
    try {
      await database.db.execute(sql`select pg_sleep(0.2)`);
    } finally {
      clearInterval(timer);
    }
    // In the server's own thread, PGlite held the event loop for the whole statement: no tick.
    expect(ticks.length).toBeGreaterThan(5);
  });

  it('when Drizzle asks for a type the thread was not told to return as text, then the query is refused', async () => {
    const thread = await PgliteThread.create('memory://');
    try {
      await expect(thread.query('select 1', [], { parsers: { 23: (v: string) => v } })).rejects.toThrow(
        'kjenner ikke parseren for type 23',
      );
      await expect(thread.query('select 1 as one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    } finally {
      await thread.close();
    }
  });

  it('when a parameter cannot be copied to the thread, then that query fails and the next one runs', async () => {
    const thread = await PgliteThread.create('memory://');
    try {
      await expect(thread.query('select $1::text', [() => 'funksjon'])).rejects.toMatchObject({
        name: 'DataCloneError',
      });
      await expect(thread.query('select 2 as two')).resolves.toMatchObject({ rows: [{ two: 2 }] });
    } finally {
      await thread.close();
    }
  });

  it('when the thread is closed, then a later statement fails with a message instead of waiting', async () => {
    const thread = await PgliteThread.create('memory://');
    await thread.close();
    await expect(thread.query('select 1')).rejects.toThrow('Databasetråden (PGlite) er stoppet');
  });
});
