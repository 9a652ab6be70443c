import { createApp } from './app';
import { createAppServer } from './http/app-server';
import { ConfigError, loadConfig } from './config';
import { DataDirInUseError, durabilityWarning, openDatabase, type Database } from './db/client';
import { startDatabaseMaintenance } from './db/maintenance';
import { errorFields, logger, setLogLevel } from './lib/logger';
import { DEFAULT_DIST_DIR, installBuiltinCourses } from './modules/courses/courses.service';
import { startSnapshotScheduler } from './modules/yearly-report/snapshots.job';
import { createContentApp } from './modules/scorm/content-app';
import { startReminders } from './modules/reminders/reminders.runtime';

/** Boot: config → database → app.listen; graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  setLogLevel(config.logLevel);

  let database: Database;
  try {
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      schema: config.databaseSchema,
      dataDir: config.dataDir,
    });
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      console.error(`Kursvakt kan ikke starte: ${error.message}`);
      process.exit(1);
    }
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    console.error(`Kursvakt kan ikke starte: databasen svarer ikke (${reason}).`);
    process.exit(1);
  }

  // The built-in courses from dist/courses; a changed course becomes a new version (docs/scorm-packages.md).
  await installBuiltinCourses(database.db, config.dataDir, DEFAULT_DIST_DIR).catch((error: unknown) =>
    logger.error('De innebygde kursene kunne ikke installeres', errorFields(error)),
  );

  const { app, context } = createApp({ config, database });
  const server = createAppServer(app);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  // SCORM package files are served from their own origin only (see docs/scorm-player.md).
  const contentServer = createAppServer(createContentApp(context));
  contentServer.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => contentServer.listen(config.contentPort, config.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // Monthly compliance snapshots: last month end at start if missing, then a nightly check (SCHEDULER=off skips).
  const stopSnapshots = startSnapshotScheduler(config, database.db);
  // On PGlite, which has no autovacuum: VACUUM (ANALYZE) every night (decision 0011).
  const stopMaintenance = startDatabaseMaintenance(config, database);
  // Reminder schedules (node-cron) and the mail outbox sender (SCHEDULER=off skips both).
  const stopReminders = await startReminders(config, database.db);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('Stopper', { signal });
    const force = setTimeout(() => {
      logger.warn('Tvinger avslutning etter 10 s');
      process.exit(1);
    }, 10_000);
    force.unref();
    // Stop accepting connections, let running requests finish, then close the database.
    server.close(() => {
      context.sessionStore.stopPruning();
      stopReminders()
        .catch((error) => logger.error('Feil ved stopp av påminnelser', errorFields(error)))
        .then(() => database.close())
        .catch((error) => logger.error('Feil ved lukking av databasen', errorFields(error)))
        .finally(() => {
          clearTimeout(force);
          process.exit(0);
        });
    });
    server.closeIdleConnections();
    stopSnapshots();
    stopMaintenance();
    contentServer.close();
    contentServer.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Announced only now: a SIGTERM right after this line finds its handler (before, the schedulers'
  // start could still be running and the signal's default action killed the process with code 143).
  logger.info('Kursvakt kjører', { url: config.baseUrl, port, database: database.description });
  logger.info('Innholdslytter kjører', { url: config.contentBaseUrl });
  const warning = durabilityWarning(database.kind, config.isProduction);
  if (warning) logger.warn(warning);
  console.log(`Kursvakt kjører på ${config.baseUrl} (database: ${database.description})`);
}

main().catch((error) => {
  logger.error('Uventet feil ved oppstart', errorFields(error));
  process.exit(1);
});
