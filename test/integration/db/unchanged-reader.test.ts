import { eq, sql } from 'drizzle-orm';
import { queryPrepared, queryRows, unchangedReader, type Database } from '../../../src/db/client';
import { users } from '../../../src/db/schema';
import { readDataVersions } from '../../../src/db/versions';
import { createTestDatabase } from '../../support/db';
import { createUser } from '../../support/factories';
import { DrizzleSessionStore } from '../../../src/http/session-store';
import type session from 'express-session';

describe('unchangedReader and the data versions read through it', () => {
  let database: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  const readOnlyText = 'select 7 as n';
  const reader = unchangedReader<string, number>(() => [readOnlyText]);
  let reads = 0;
  const readSeven = () =>
    reader(database.db, 'sju', async () => {
      reads += 1;
      return Number((await queryRows<{ n: number }>(database.db, sql.raw(readOnlyText)))[0]!.n);
    });

  test('when nothing else runs between two reads, then PGlite answers the second from memory and the server reads again', async () => {
    reads = 0;
    expect(await readSeven()).toBe(7);
    expect(await readSeven()).toBe(7);
    expect(reads).toBe(database.kind === 'pglite' ? 1 : 2);
  });

  test('when any other statement runs in between – a write, a transaction, a plain select, a prepared statement, or one that fails – then the next read goes to the database', async () => {
    const db = database.db;
    const between: Array<() => Promise<unknown>> = [
      () => createUser(db),
      () => db.transaction(async (tx) => tx.execute(sql`select 1`)),
      () => db.execute(sql`select 2`),
      () => queryPrepared(db, 'test_between_reads', sql`select ${2} as n`),
      () => db.execute(sql`select 1 / 0`).catch(() => undefined),
    ];
    for (const run of between) {
      await readSeven();
      reads = 0;
      await run();
      await readSeven();
      expect(reads).toBe(1);
    }
  });

  test('when a user is renamed, then the very next readDataVersions sees the directory version move', async () => {
    const db = database.db;
    const user = await createUser(db);
    const before = await readDataVersions(db);
    expect(await readDataVersions(db)).toEqual(before);
    await db.update(users).set({ displayName: 'Nytt navn' }).where(eq(users.id, user.id));
    const after = await readDataVersions(db);
    expect(after.directory).toBe(before.directory + 1);
    expect(after.compliance).toBe(before.compliance);
  });

  test('when a session is read twice and the first copy is changed, then the second is as stored, and a deleted session is gone at once', async () => {
    const store = new DrizzleSessionStore(database.db);
    const get = (sid: string) =>
      new Promise<session.SessionData | null | undefined>((resolve, reject) =>
        store.get(sid, (error, sess) => (error ? reject(error) : resolve(sess))),
      );
    const stored = {
      cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) },
      passport: { user: 42 },
    } as unknown as session.SessionData;
    await new Promise<void>((resolve, reject) =>
      store.set('sid-1', stored, (e) => (e ? reject(e) : resolve())),
    );
    const first = (await get('sid-1')) as unknown as { passport: { user: number } };
    first.passport.user = 7;
    const second = (await get('sid-1')) as unknown as { passport: { user: number } };
    expect(second.passport.user).toBe(42);
    // As the password change ends other sessions: straight in the database, not through the store.
    await database.db.execute(sql`delete from sessions where sid = 'sid-1'`);
    expect(await get('sid-1')).toBeNull();
  });
});
