import cron from 'node-cron';
import { sql } from 'drizzle-orm';
import type { Config } from '../config';
import { errorFields, logger } from '../lib/logger';
import type { Database } from './client';

/**
 * PGlite runs PostgreSQL as a single backend, without autovacuum (decision 0011): the space of
 * every updated or deleted row stays taken, and the planner's statistics are never refreshed.
 * A SCORM commit rewrites the attempt's row, so the embedded database grew with every commit.
 * On PGlite this runs VACUUM (ANALYZE) over the whole database; a PostgreSQL server has
 * autovacuum, and is left to it.
 */
export async function runDatabaseMaintenance(database: Database): Promise<'vacuumed' | 'skipped'> {
  if (database.kind !== 'pglite') return 'skipped';
  const started = Date.now();
  await database.db.execute(sql`vacuum (analyze)`);
  logger.info('Databasen er ryddet (VACUUM)', { ms: Date.now() - started });
  return 'vacuumed';
}

/**
 * Every night at 03:15 Europe/Oslo, on PGlite only (SCHEDULER=off skips it). PGlite runs one
 * statement at a time, so other requests wait while VACUUM runs: at night, few do. Returns a stop
 * function.
 */
export function startDatabaseMaintenance(config: Config, database: Database): () => void {
  if (!config.schedulerEnabled || database.kind !== 'pglite') return () => undefined;
  const task = cron.schedule(
    '15 3 * * *',
    () =>
      void runDatabaseMaintenance(database).catch((error: unknown) =>
        logger.error('Rydding av databasen (VACUUM) feilet', errorFields(error)),
      ),
    { timezone: config.timeZone, name: 'kursvakt-pglite-vacuum' },
  );
  return () => {
    // Destroyed, not only stopped: node-cron then forgets the task.
    void task.destroy();
  };
}
