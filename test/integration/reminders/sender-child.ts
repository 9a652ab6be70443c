/**
 * A sender in its own process, for the crash test: drains the outbox (configured from the
 * environment like the server) until nothing is pending or claimed, printing "sent <key>" after
 * each mail's state is committed. argv[2] is the claim lease in milliseconds.
 */
import { loadConfig } from '../../../src/config';
import { countOutboxByStatus } from '../../../src/modules/mail/mail.repo';
import { drainOutbox } from '../../../src/modules/mail/sender';
import { createSmtpTransport } from '../../../src/modules/mail/transport';
import { openConfiguredDatabase } from '../../support/child-process';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openConfiguredDatabase(config);
  const transport = createSmtpTransport(config.smtpUrl!, { maxConnections: 1 });
  const leaseMs = Number(process.argv[2] ?? 3000);
  console.log('ready');
  for (;;) {
    await drainOutbox(database.db, transport, {
      from: config.mailFrom,
      ratePerSecond: config.mailRatePerSecond,
      leaseMs,
      batchSize: 10,
      concurrency: 1,
      onResult: (mail, outcome) => console.log(`${outcome} ${mail.idempotencyKey}`),
    });
    const counts = await countOutboxByStatus(database.db);
    if (counts.pending + counts.sending === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await transport.close();
  await database.close();
  console.log('done');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
