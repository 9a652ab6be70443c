import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type Database } from '../../../src/db/client';
import cron from 'node-cron';
import { parseConfig } from '../../../src/config';
import { runDatabaseMaintenance, startDatabaseMaintenance } from '../../../src/db/maintenance';
import { createTestDatabase } from '../../support/db';

async function tableBytes(database: Database): Promise<number> {
  const [row] = await queryRows<{ bytes: number }>(
    database.db,
    sql`select pg_total_relation_size('maintenance_test')::int as bytes`,
  );
  return row!.bytes;
}

/** Rewrites every row, as SCORM commits rewrite their attempts' rows. */
async function rewriteAll(database: Database, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1)
    await database.db.execute(sql`update maintenance_test set doc = repeat(chr(65 + ${i % 26}), 1500)`);
}

describe('Database maintenance (VACUUM on PGlite)', () => {
  it('when rows have been rewritten on PGlite, then the maintenance run frees their old space for the next rewrites', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    try {
      await database.db.execute(sql`create table maintenance_test (id int primary key, doc text not null)`);
      await database.db.execute(
        sql`insert into maintenance_test select g, repeat('x', 1500) from generate_series(1, 500) g`,
      );
      const start = await tableBytes(database);
      await rewriteAll(database, 10);
      const grown = await tableBytes(database);
      // Without autovacuum every rewrite takes new space.
      expect(grown).toBeGreaterThan(start * 5);

      expect(await runDatabaseMaintenance(database)).toBe('vacuumed');
      // VACUUM adds the free space map and the visibility map (a few pages), and frees the rest.
      const vacuumed = await tableBytes(database);
      expect(vacuumed - grown).toBeLessThan(64 * 1024);
      await rewriteAll(database, 5);
      // The old versions' space is reused: five more rewrites take less than one took before.
      const perRewriteBefore = (grown - start) / 10;
      expect((await tableBytes(database)) - vacuumed).toBeLessThan(perRewriteBefore);
      expect(await queryRows(database.db, sql`select count(*)::int as n from maintenance_test`)).toEqual([
        { n: 500 },
      ]);
    } finally {
      await database.close();
    }
  });

  it('when the database is the test run’s own, then maintenance vacuums PGlite every night and leaves a PostgreSQL server to autovacuum', async () => {
    const database = await createTestDatabase();
    try {
      expect(await runDatabaseMaintenance(database)).toBe(
        database.kind === 'pglite' ? 'vacuumed' : 'skipped',
      );
      // The nightly run is scheduled for PGlite only, and only with the scheduler on.
      const scheduled = () => [...cron.getTasks().values()].map((task) => task.name);
      const config = parseConfig({ ...process.env, SCHEDULER: 'on' });
      const stop = startDatabaseMaintenance(config, database);
      expect(scheduled().includes('kursvakt-pglite-vacuum')).toBe(database.kind === 'pglite');
      stop();
      expect(scheduled()).not.toContain('kursvakt-pglite-vacuum');
      startDatabaseMaintenance({ ...config, schedulerEnabled: false }, database)();
      expect(scheduled()).not.toContain('kursvakt-pglite-vacuum');
    } finally {
      await database.close();
    }
  });
});
