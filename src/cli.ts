import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, type Config } from './config';
import { DataDirInUseError, openDatabase, type Database } from './db/client';
import { hashPassword } from './http/auth';
import { todayInOslo } from './lib/dates';
import { AppError } from './lib/errors';
import { setLogLevel } from './lib/logger';
import { CliError, parseArgsMessage, type CliCommand, type CliCommandSet, type CliIo } from './lib/cli';
import { createOrPromoteAdmin } from './modules/auth/auth.service';
import { isDatabaseEmpty, loadDemo } from './modules/demo/demo.service';
import { coursesCommands, describeBuiltinInstall } from './modules/courses/courses.cli';
import { DEFAULT_DIST_DIR, installBuiltinCourses } from './modules/courses/courses.service';
import { remindersCommands } from './modules/reminders/reminders.cli';
import { mailCommands } from './modules/mail/mail.cli';
import { yearlyReportCommands } from './modules/yearly-report/yearly-report.cli';
import { importCommands } from './modules/import/import.cli';
import { requirementCommands } from './modules/requirements/requirements.cli';
import { reportCommands } from './modules/reports/reports.cli';

/**
 * The `kursvakt` command. Each command opens the configured database, does one thing and exits.
 * Features add their commands as a CliCommandSet in `modules/<feature>/<feature>.cli.ts` and list it
 * in `featureCommandSets` below.
 */

export { CliError };

const coreCommands: Record<string, CliCommand> = {
  async demo(args, { database, io, config }) {
    const { values } = parseArgs({
      args,
      options: { 'if-empty': { type: 'boolean', default: false } },
      strict: true,
    });
    if (!(await isDatabaseEmpty(database.db))) {
      if (values['if-empty']) {
        io.out('Databasen har allerede data; demodata lastes ikke inn på nytt.');
        return;
      }
      throw new CliError(
        'Databasen har allerede enheter eller ansatte. Demodata lastes bare inn i en tom database.',
      );
    }
    const result = await loadDemo(database.db, todayInOslo());
    // The demo's three requirements point at the built-in courses; install their packages now.
    const builtin = await installBuiltinCourses(database.db, config.dataDir, DEFAULT_DIST_DIR);
    for (const line of describeBuiltinInstall(builtin)) io.out(line);
    io.out(
      `Eksempel kommune er lastet inn: ${result.units} enheter, ${result.employees} ansatte, ${result.completions} fullføringer.`,
    );
    io.out(`Logg inn på ${config.baseUrl}/logg-inn med passordet «${result.password}» og en av disse:`);
    for (const login of result.logins)
      io.out(`  ${login.role.padEnd(20)} ${login.email.padEnd(40)} ${login.description}`);
  },

  async admin(args, { config, database, io }) {
    const [sub, ...rest] = args;
    if (sub !== 'create') throw new CliError('Bruk: kursvakt admin create --email E [--name N]');
    const { values } = parseArgs({
      args: rest,
      options: { email: { type: 'string' }, name: { type: 'string' } },
      strict: true,
    });
    const email = values.email?.trim().toLowerCase();
    if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      throw new CliError('Oppgi en gyldig e-postadresse med --email.');
    const password = randomBytes(12).toString('base64url');
    await createOrPromoteAdmin(
      database.db,
      email,
      values.name?.trim() || email,
      await hashPassword(password),
    );
    io.out(`Administrator ${email} er klar. Engangspassord: ${password}`);
    io.out(`Bytt passordet etter første innlogging, på ${config.baseUrl}/min-konto/passord.`);
  },
};

const coreHelp = [
  '  demo [--if-empty]                 last inn eksempeldata (Eksempel kommune) i en tom database',
  '  admin create --email E [--name N] opprett en administrator (HR); skriver ut et engangspassord',
];

/** Every feature's commands; add a feature's set here. */
const featureCommandSets: CliCommandSet[] = [
  remindersCommands,
  mailCommands,
  importCommands,
  requirementCommands,
  reportCommands,
  yearlyReportCommands,
  coursesCommands,
];

const commands: Record<string, CliCommand> = Object.assign(
  {},
  coreCommands,
  ...featureCommandSets.map((set) => set.commands),
);

const HELP = [
  'Bruk: kursvakt <kommando> [valg]',
  '',
  'Kommandoer:',
  ...coreHelp,
  ...featureCommandSets.flatMap((set) => set.help),
  '  help                              vis denne hjelpen',
  '',
].join('\n');

/** Runs the CLI with the given arguments; returns the exit code. */
export async function runCli(
  argv: string[],
  io: CliIo = { out: console.log, err: console.error },
): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(HELP);
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    io.err(`Ukjent kommando «${name}».\n\n${HELP}`);
    return 1;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
  setLogLevel(config.logLevel === 'info' ? 'warn' : config.logLevel);
  let database: Database;
  try {
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      schema: config.databaseSchema,
      dataDir: config.dataDir,
    });
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      io.err(error.message);
      return 1;
    }
    io.err(`Databasen svarer ikke: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return 1;
  }
  try {
    await command(args, { config, database, io });
    return 0;
  } catch (error) {
    if (error instanceof CliError || error instanceof AppError) {
      io.err(error.message);
      return 1;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(parseArgsMessage(error as TypeError & { code: string }));
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

/** Runs the CLI on the process's arguments and exits with its code. */
export function main(): void {
  runCli(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((error) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    });
}

if (require.main === module) main();
