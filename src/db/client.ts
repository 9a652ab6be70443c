import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';
import { VersionedCache } from '../lib/versioned-cache';
import { PgliteThread } from './pglite-thread';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the database or an open transaction: repos accept both. */
export type DbOrTx = Db | Tx;

/**
 * True inside a transaction. Not `instanceof PgTransaction`: drizzle-orm can be loaded twice (its
 * CommonJS and ES module builds, as under tsx), and then the class of a transaction is another copy.
 */
export function isTransaction(db: DbOrTx): db is Tx {
  return typeof (db as Partial<Tx>).rollback === 'function';
}

/**
 * Runs independent reads at once, or one after another inside a transaction: a transaction has one
 * connection, and node-postgres deprecates (and pg 9 refuses) a query sent while another is running.
 */
export async function readAll<T extends readonly unknown[]>(
  db: DbOrTx,
  reads: { [K in keyof T]: () => Promise<T[K]> },
): Promise<T> {
  if (!isTransaction(db)) return (await Promise.all(reads.map((read) => read()))) as unknown as T;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as unknown as T;
}

/**
 * A query built once per database object and run with parameters. Most requests read a data
 * version and their session; building the SQL of those each time cost more than running them, and
 * on the PostgreSQL server a named statement is parsed and planned once per connection.
 */
export function preparedPerDatabase<P>(build: (db: Db) => P): (db: Db) => P {
  const prepared = new WeakMap<Db, P>();
  return (db) => {
    let query = prepared.get(db);
    if (!query) prepared.set(db, (query = build(db)));
    return query;
  };
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Human-readable description without secrets, for logs and /healthz. */
  description: string;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The warning for production on PGlite: it runs PostgreSQL with fsync off, and its file system has
 * no fsync (decision 0013). A write survives a crash of the process, not of the machine.
 */
export function durabilityWarning(kind: Database['kind'], isProduction: boolean): string | null {
  if (kind !== 'pglite' || !isProduction) return null;
  return (
    'Den innebygde databasen (PGlite) skriver ikke til disk med fsync. Lagret fremdrift tåler at ' +
    'Kursvakt stopper, men ikke strømbrudd eller krasj i operativsystemet. Bruk en PostgreSQL-server ' +
    '(DATABASE_URL) i drift.'
  );
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** PostgreSQL schema (server only); created if missing. */
  schema?: string;
  /** PGlite folder; 'memory://' for an in-memory database. */
  dataDir: string;
}

export const MIGRATIONS_FOLDER = path.resolve(__dirname, '../../drizzle');

/** Opens PGlite (no DATABASE_URL) or a node-postgres pool, and applies the committed migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options.schema)
    : await openPglite(options.dataDir);
  try {
    await migrateDatabase(database, options.schema);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
  return database;
}

/** The PGlite folder of DATA_DIR is open in another process (or already in this one). */
export class DataDirInUseError extends Error {}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims a PGlite folder for this process with a pid file, and returns its release. PGlite keeps the
 * database in the process's memory and writes it back to the folder: a second process on the same
 * folder (a CLI command while the server runs) would work on its own copy, and one of the two would
 * silently lose its writes. A pid file whose process is gone (a crash, kill -9) is taken over.
 */
function claimDataDir(target: string): () => void {
  const pidFile = path.join(target, 'kursvakt.pid');
  for (let tries = 0; tries < 3; tries += 1) {
    try {
      fs.writeFileSync(pidFile, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(pidFile, 'utf8').trim() === String(process.pid)) fs.rmSync(pidFile);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: number;
    try {
      holder = Number(fs.readFileSync(pidFile, 'utf8').trim());
    } catch {
      continue; // released in between: try again
    }
    if (Number.isInteger(holder) && holder > 0 && (holder === process.pid || isRunning(holder)))
      throw new DataDirInUseError(
        `Databasen i ${path.dirname(target)} er i bruk av en annen Kursvakt-prosess (pid ${holder}). ` +
          'Stopp den først (for eksempel serveren), eller bruk en PostgreSQL-server med DATABASE_URL, ' +
          'som flere prosesser kan bruke samtidig.',
      );
    fs.rmSync(pidFile, { force: true });
  }
  throw new DataDirInUseError(`Databasen i ${path.dirname(target)} kunne ikke tas i bruk. Prøv igjen.`);
}

async function openPglite(dataDir: string): Promise<Database> {
  const { drizzle } = await import('drizzle-orm/pglite');
  let target = dataDir;
  let release = () => {};
  if (!dataDir.startsWith('memory://')) {
    target = path.join(dataDir, 'pglite');
    fs.mkdirSync(target, { recursive: true });
    release = claimDataDir(target);
  }
  let client: PgliteThread;
  try {
    client = await PgliteThread.create(target);
  } catch (error) {
    release();
    throw error;
  }
  // Drizzle's PGlite driver uses query and transaction, which the thread's client has (its class is
  // not PGlite's, so the type is asserted).
  const db = drizzle(client as unknown as PGlite, { schema }) as unknown as Db;
  changeCounters.set(db, countChanges(client));
  preparedRunners.set(db, async (name, text, params) =>
    client.prepared(name, text, params.map(toPgliteParam)),
  );
  return wrapDatabase(
    db,
    'pglite',
    target.startsWith('memory://') ? 'PGlite i minnet' : `PGlite i ${target}`,
    {
      query: (text) => client.query(text),
      end: async () => {
        try {
          await client.close();
        } finally {
          release();
        }
      },
    },
  );
}

async function openPostgres(url: string, schemaName: string | undefined): Promise<Database> {
  const { Pool } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const pool = new Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    ...(schemaName ? { options: `-c search_path=${schemaName}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  if (schemaName) {
    const admin = await pool.connect();
    try {
      await admin.query(`create schema if not exists "${schemaName}"`);
    } finally {
      admin.release();
    }
  } else {
    const probe = await pool.connect();
    probe.release();
  }
  const db = drizzle(pool, { schema }) as unknown as Db;
  // node-postgres parses a named statement once on each connection of the pool.
  preparedRunners.set(db, async (name, text, params) => pool.query({ name, text, values: params }));
  const safeUrl = new URL(url);
  safeUrl.password = safeUrl.password ? '***' : '';
  const description = `PostgreSQL ${safeUrl.host}${safeUrl.pathname}${schemaName ? ` (skjema ${schemaName})` : ''}`;
  return wrapDatabase(db, 'postgres', description, {
    query: (text) => pool.query(text),
    end: () => pool.end(),
  });
}

/**
 * On PGlite, which only this process can open (claimDataDir), the count of statements run so far
 * that may have changed the database: every statement except the reads marked read-only by their
 * exact SQL text. A value read at count n is still the database's while the count is n – what lets
 * the session and the data versions be answered from memory between writes (`unchangedReader`).
 */
interface ChangeCounter {
  count: number;
  readOnly: Set<string>;
}

const changeCounters = new WeakMap<Db, ChangeCounter>();

type PgliteEntryPoints = Record<
  'query' | 'exec' | 'transaction' | 'prepared',
  (...args: never[]) => Promise<unknown>
>;

/**
 * Counts every statement through the entry points of the PGlite thread's client (query, exec,
 * transaction), once it has finished. A statement inside a transaction goes through `query` as
 * well, and the transaction counts once more when it ends: a count too many only sends the next
 * read to the database.
 */
function countChanges(client: object): ChangeCounter {
  const counter: ChangeCounter = { count: 0, readOnly: new Set() };
  const entry = client as unknown as PgliteEntryPoints;
  for (const name of ['query', 'exec', 'transaction', 'prepared'] as const) {
    const original = entry[name].bind(client) as (...args: unknown[]) => Promise<unknown>;
    const counted = (...args: unknown[]) =>
      original(...args).finally(() => {
        if (!(name === 'query' && counter.readOnly.has(args[0] as string))) counter.count += 1;
      });
    entry[name] = counted as PgliteEntryPoints[typeof name];
  }
  return counter;
}

/**
 * A read that PGlite can answer from memory while nothing else has run: `read` goes to the
 * database only when a statement other than the read-only ones (`readOnlySql`, exact texts) has
 * finished since the value was read. On the PostgreSQL server – other processes write there –
 * and inside a transaction, `read` runs every time. A caller that changes what it gets passes
 * `copy`: the value kept is then a copy of the one read, and each answer from memory another.
 */
export function unchangedReader<K, V>(
  readOnlySql: (db: Db) => string[],
  copy: (value: V) => V = (value) => value,
): (db: DbOrTx, key: K, read: () => Promise<V>) => Promise<V> {
  // Per database, each value under the count it was read at (the count plays the version).
  const kept = new WeakMap<Db, VersionedCache<K, V>>();
  return async (db, key, read) => {
    const counter = isTransaction(db) ? undefined : changeCounters.get(db);
    if (!counter) return read();
    const plain = db as Db;
    let values = kept.get(plain);
    if (!values) {
      // First use on this database: its reads are marked read-only once.
      for (const text of readOnlySql(plain)) counter.readOnly.add(text);
      kept.set(plain, (values = new VersionedCache(10_000)));
    }
    const known = values.get(key, counter.count);
    if (known !== undefined) return copy(known);
    // The count before the read: a write that finishes while it runs makes the value old at once.
    const count = counter.count;
    const value = await read();
    values.set(key, count, copy(value));
    return value;
  };
}

/** The common Database wrapper: ping answers false once closed or when the driver cannot query. */
function wrapDatabase(
  db: Db,
  kind: Database['kind'],
  description: string,
  driver: { query(text: string): Promise<unknown>; end(): Promise<void> },
): Database {
  let closed = false;
  return {
    db,
    kind,
    description,
    async ping() {
      if (closed) return false;
      try {
        await driver.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await driver.end();
    },
  };
}

async function migrateDatabase(database: Database, schemaName: string | undefined): Promise<void> {
  const migrationsSchema = schemaName ?? 'drizzle';
  if (database.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER, migrationsSchema });
  } else {
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    await migrate(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER, migrationsSchema });
  }
}

/**
 * A value as a `json` parameter of raw SQL, sent as UTF-8 bytes: both drivers pass bytes to the
 * server in binary format, which for `json` is the text itself. A string parameter would make
 * PGlite measure its UTF-8 length one character at a time in JavaScript: for the 20,000 mails of a
 * reminder run that was 0.7–0.9 s of a 5 s run (docs/performance.md).
 */
export function jsonParam(value: unknown): SQL {
  return sql`${encodeJson(value)}::json`;
}

/**
 * A value as a `jsonb` parameter of raw SQL, sent as bytes in jsonb's binary format (a version
 * byte, then the text), as jsonParam does for `json`: the server parses it once, as for a text
 * parameter, and PGlite skips measuring and copying a string in JavaScript (the SCORM commit
 * batches, docs/performance.md).
 */
export function jsonbParam(value: unknown): SQL {
  const bytes = encodeJson(value, 1);
  bytes[0] = 1;
  return sql`${bytes}::jsonb`;
}

/** TextEncoder, not Buffer.from: on Node 20 it encodes text with æøå about five times faster. */
const utf8 = new TextEncoder();

/** An array or plain object that JSON.stringify writes element by element (it has no toJSON). */
function isSplittable(value: unknown): value is unknown[] | Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * The UTF-8 bytes of `JSON.stringify(value)`, after `offset` bytes left for the caller. A list of
 * rows, or an object of such lists (a batch), is stringified and encoded row by row, so that no
 * string of the whole batch is built. A batch of 50 SCORM commits is about 220 KB: as one string,
 * V8 puts it (and its flattened copy) in fresh pages of its large-object space, and encoding it
 * took 2.1–2.3 ms per batch, with 77 page faults; row by row 0.8–1.3 ms and none (2026-11-24,
 * docs/performance.md).
 */
export function encodeJson(value: unknown, offset = 0): Uint8Array {
  if (isOmitted(value)) throw new TypeError('A JSON parameter needs a value that JSON.stringify can write.');
  const parts: Uint8Array[] = [];
  collectJson(value, 0, parts);
  let length = offset;
  for (const part of parts) length += part.length;
  const bytes = new Uint8Array(length);
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

const OPEN_ARRAY = utf8.encode('[');
const CLOSE_ARRAY = utf8.encode(']');
const OPEN_OBJECT = utf8.encode('{');
const CLOSE_OBJECT = utf8.encode('}');
const COMMA = utf8.encode(',');
const COLON = utf8.encode(':');
const NULL = utf8.encode('null');

/** Level 0 is the value itself: an object there, and an array there or in it, are split. */
function collectJson(value: unknown, level: number, parts: Uint8Array[]): void {
  if (level <= 1 && Array.isArray(value) && isSplittable(value)) {
    parts.push(OPEN_ARRAY);
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) parts.push(COMMA);
      const element: unknown = value[i];
      parts.push(isOmitted(element) ? NULL : utf8.encode(JSON.stringify(element)));
    }
    parts.push(CLOSE_ARRAY);
  } else if (level === 0 && isSplittable(value)) {
    parts.push(OPEN_OBJECT);
    let first = true;
    for (const [key, element] of Object.entries(value)) {
      if (isOmitted(element)) continue;
      if (!first) parts.push(COMMA);
      first = false;
      parts.push(utf8.encode(JSON.stringify(key)), COLON);
      collectJson(element, 1, parts);
    }
    parts.push(CLOSE_OBJECT);
  } else {
    parts.push(utf8.encode(JSON.stringify(value)));
  }
}

type PreparedRunner = (name: string, text: string, params: unknown[]) => Promise<{ rows: unknown[] }>;

/** How each database runs a named prepared statement (queryPrepared). */
const preparedRunners = new WeakMap<Db, PreparedRunner>();

const dialect = new PgDialect();

/** A parameter as the PGlite thread's `prepared` takes it: bytes, text or null. */
function toPgliteParam(value: unknown): Uint8Array | string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array || typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  throw new TypeError(
    `A prepared statement takes bytes, text, numbers, booleans or dates, not ${typeof value}.`,
  );
}

/**
 * Runs raw SQL as the named prepared statement `name`, and returns its rows as queryRows does. The
 * database parses and plans the statement once (per connection) instead of every time; on PGlite it
 * also goes to the database thread in one call instead of six (docs/performance.md). For statements
 * run often, with the same text every time under the same name. Inside a transaction it runs as
 * queryRows does.
 */
export async function queryPrepared<T extends Record<string, unknown>>(
  db: DbOrTx,
  name: string,
  query: SQL,
): Promise<T[]> {
  const run = isTransaction(db) ? undefined : preparedRunners.get(db);
  if (!run) return queryRows<T>(db, query);
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await run(name, text, params)).rows as T[];
}

/** Runs raw SQL and returns its rows, the same shape for both drivers. */
export async function queryRows<T extends Record<string, unknown>>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** The PostgreSQL error code (SQLSTATE) of a failed query, from the driver's error or the one Drizzle wraps. */
export function sqlStateOf(error: unknown): string | null {
  for (let e = error as { code?: unknown; cause?: unknown } | null, depth = 0; e && depth < 3; depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return null;
}

/** True for errors that mean the database cannot be reached (as opposed to a bad query). */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  const codes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    'ENOTFOUND',
    '57P01',
    '57P02',
    '57P03',
    '08000',
    '08003',
    '08006',
    '08001',
    '08004',
  ];
  if (e.code && codes.includes(e.code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end/i.test(
    e.message ?? '',
  );
}

export { sql };
