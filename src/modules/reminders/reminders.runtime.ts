import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { logger } from '../../lib/logger';
import { OutboxSender } from '../mail/sender';
import { createMailTransport } from '../mail/transport';
import { ReminderScheduler } from './scheduler';

/**
 * Starts the reminder scheduler and the outbox sender inside the server (unless SCHEDULER=off);
 * returns the function that stops both, waiting for a running fire or mail to finish.
 */
export async function startReminders(config: Config, db: Db): Promise<() => Promise<void>> {
  if (!config.schedulerEnabled) return async () => undefined;
  const transport = createMailTransport(config);
  const sender = new OutboxSender(db, transport, {
    from: config.mailFrom,
    ratePerSecond: config.mailRatePerSecond,
  });
  const scheduler = new ReminderScheduler(db, { baseUrl: config.baseUrl, onFire: () => sender.poke() });
  sender.start();
  await scheduler.start();
  logger.info('Påminnelser og e-post er startet', { mail: transport.description });
  return async () => {
    await scheduler.stop();
    await sender.stop();
  };
}
