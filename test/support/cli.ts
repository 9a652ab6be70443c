import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { runCli } from '../../src/cli';
import type { CliIo } from '../../src/lib/cli';
import { openDatabase, type Db } from '../../src/db/client';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** An io for a command that keeps what it prints; `result` joins the lines as a terminal shows them. */
export function captureIo(): { io: CliIo; result(code: number, err?: string): CliResult } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (l) => out.push(l), err: (l) => err.push(l) },
    result: (code, message) => ({ code, out: out.join('\n'), err: message ?? err.join('\n') }),
  };
}

/** `kursvakt ARGS` in this process through runCli, with what it prints. */
export async function runKursvakt(args: string[]): Promise<CliResult> {
  const { io, result } = captureIo();
  return result(await runCli(args, io));
}

export interface CliEnvironment {
  /** A new temporary folder; DATA_DIR is its `data` folder. */
  root: string;
  dataDir: string;
  /** The schema on the PostgreSQL server, when TEST_DATABASE_URL names one. */
  schema: string | undefined;
  /** Opens the database the CLI sees (one opener at a time on PGlite), for setting up and checking. */
  withDb<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Puts process.env back, drops the schema and removes the folder. */
  close(): Promise<void>;
}

/**
 * Points runCli at a database of its own through process.env, as the command line sees it: a PGlite
 * folder in DATA_DIR, or a fresh schema on the PostgreSQL server named by TEST_DATABASE_URL.
 */
export function setUpCliEnvironment(prefix: string): CliEnvironment {
  const saved = { ...process.env };
  const url = process.env.TEST_DATABASE_URL;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir);
  const schema = url ? `t_cli_${randomBytes(6).toString('hex')}` : undefined;
  process.env.DATA_DIR = dataDir;
  process.env.LOG_LEVEL = 'silent';
  if (url) Object.assign(process.env, { DATABASE_URL: url, DATABASE_SCHEMA: schema });
  else {
    delete process.env.DATABASE_URL;
    delete process.env.DATABASE_SCHEMA;
  }
  return {
    root,
    dataDir,
    schema,
    async withDb(fn) {
      const database = await openDatabase({ dataDir, databaseUrl: url, schema });
      try {
        return await fn(database.db);
      } finally {
        await database.close();
      }
    },
    async close() {
      process.env = saved;
      if (url) {
        const client = new Client({ connectionString: url });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
