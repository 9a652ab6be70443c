/**
 * The app in its own process, for the commit crash test: configured from the environment like the
 * server, listening on a free port, which it prints as "port <n>".
 */
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../src/app';
import { createAppServer } from '../../../src/http/app-server';
import { loadConfig } from '../../../src/config';
import { openConfiguredDatabase } from '../../support/child-process';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openConfiguredDatabase(config);
  const { app } = createApp({ config, database });
  const server = createAppServer(app);
  server.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as AddressInfo).port}`));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
