import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Config } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/client';
import { createTestDatabase } from './db';

const ROOT = path.resolve(__dirname, '../..');

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface TsChild {
  child: ChildProcess;
  /** Settles when the process has exited, with what it wrote to stderr. */
  exited: Promise<ChildExit>;
  /** Resolves with the first line on stdout that matches; rejects if the process exits first. */
  waitForLine(pattern: RegExp): Promise<RegExpExecArray>;
  /** Sends the signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<ChildExit>;
}

/**
 * Runs a TypeScript file in a child process, configured only by `env` (plus PATH and HOME), with
 * its stdout read line by line. The child is node itself with tsx as a loader, not the tsx
 * wrapper, so a signal reaches the process that does the work.
 */
export function startTsChild(
  script: string,
  opts: {
    args?: string[];
    env: Record<string, string>;
    onLine?: (line: string, child: ChildProcess) => void;
  },
): TsChild {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  const lines = readline.createInterface({ input: child.stdout! });
  if (opts.onLine) lines.on('line', (line) => opts.onLine!(line, child));
  const exited = new Promise<ChildExit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr: stderr.join('') })),
  );
  return {
    child,
    exited,
    waitForLine: (pattern) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        lines.on('line', (line) => {
          const match = pattern.exec(line);
          if (match) resolve(match);
        });
        void exited.then((exit) =>
          reject(new Error(`child stopped before printing ${pattern}: ${exit.stderr}`)),
        );
      }),
    stop: (signal = 'SIGKILL') => {
      child.kill(signal);
      return exited;
    },
  };
}

export interface ChildDatabase {
  /** The environment that points a child at the database: DATA_DIR, and on the server DATABASE_URL and DATABASE_SCHEMA. */
  env: Record<string, string>;
  dataDir: string;
  /** The parent's own connection: kept on the server, opened only between children on PGlite (one process at a time). */
  withDb<T>(fn: (db: Database['db']) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A database shared by the test and the children it starts: a PGlite folder in a new temporary
 * folder, or a fresh schema on the PostgreSQL server named by TEST_DATABASE_URL.
 */
export async function createChildDatabase(prefix: string): Promise<ChildDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let database: Database | undefined;
  let env: Record<string, string> = { DATA_DIR: dataDir };
  if (process.env.TEST_DATABASE_URL) {
    database = await createTestDatabase();
    const schema = /skjema (\w+)/.exec(database.description)![1]!;
    env = { DATABASE_URL: process.env.TEST_DATABASE_URL, DATABASE_SCHEMA: schema, DATA_DIR: dataDir };
  }
  return {
    env,
    dataDir,
    async withDb(fn) {
      if (database) return fn(database.db);
      const local = await openDatabase({ dataDir });
      try {
        return await fn(local.db);
      } finally {
        await local.close();
      }
    },
    async close() {
      await database?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** In a child: opens the database its configuration names, as the server does. */
export function openConfiguredDatabase(
  config: Pick<Config, 'databaseUrl' | 'databaseSchema' | 'dataDir'>,
): Promise<Database> {
  return openDatabase({
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    dataDir: config.dataDir,
  });
}
