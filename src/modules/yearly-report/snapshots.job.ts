import cron from 'node-cron';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { todayInOslo } from '../../lib/dates';
import { errorFields, logger } from '../../lib/logger';
import { ensureLastMonthEndSnapshot } from './snapshots.service';

/** Runs the snapshot check once; failures are logged, never thrown, so a job cannot stop the server. */
export async function runSnapshotJob(db: Db, now: () => Date): Promise<void> {
  try {
    const taken = await ensureLastMonthEndSnapshot(db, todayInOslo(now()));
    if (taken) logger.info('Månedlig øyeblikksbilde lagret', { asOf: taken });
  } catch (error) {
    logger.error('Månedlig øyeblikksbilde feilet', errorFields(error));
  }
}

/**
 * At start and every night at 01:30 Europe/Oslo: store last month end's snapshot if it is missing.
 * Safe with several instances: the snapshot is an idempotent upsert. Returns a stop function.
 */
export function startSnapshotScheduler(
  config: Config,
  db: Db,
  now: () => Date = () => new Date(),
): () => void {
  if (!config.schedulerEnabled) return () => undefined;
  void runSnapshotJob(db, now);
  const task = cron.schedule('30 1 * * *', () => runSnapshotJob(db, now), {
    timezone: config.timeZone,
    name: 'kursvakt-monthly-snapshot',
  });
  return () => {
    void task.stop();
  };
}
