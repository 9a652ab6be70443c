import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * PGlite in a worker thread, with the part of PGlite's interface that Drizzle and this code use:
 * `query`, `exec`, `transaction` and `close` (decision 0010).
 *
 * PGlite is PostgreSQL compiled to WebAssembly; in the server's own thread every statement ran
 * synchronously and stopped all other requests while it ran (a 70 ms report stopped every page for
 * 70 ms). In a thread of its own it runs beside the HTTP handling, as a PostgreSQL server does in a
 * process of its own. It is still one connection: PGlite runs one statement at a time, and a
 * statement outside a transaction waits for an open transaction to end.
 */

/** The types Drizzle asks PGlite to return as text (its PglitePreparedQuery's parsers). */
const TEXT_TYPES = [1114, 1184, 1186, 1082, 1231, 1115, 1185, 1187, 1182];

export interface QueryResult {
  rows: unknown[];
  fields: Array<{ name: string; dataTypeID: number }>;
  affectedRows?: number;
}

interface QueryOptions {
  rowMode?: 'array' | 'object';
  parsers?: Record<number, unknown>;
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: Record<string, unknown> & { message: string; name: string };
}

/** An error from the worker, with PostgreSQL's fields (code, detail, constraint …) as they were. */
function toError(fields: NonNullable<Reply['error']>): Error {
  const error = new Error(fields.message);
  Object.assign(error, fields);
  return error;
}

/** One open transaction: its statements go to the worker under its number. */
export class PgliteThreadTransaction {
  constructor(
    private readonly thread: PgliteThread,
    private readonly tx: number,
  ) {}

  query(text: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult> {
    return this.thread.query(text, params, options, this.tx);
  }

  exec(text: string): Promise<QueryResult[]> {
    return this.thread.exec(text, this.tx);
  }
}

export class PgliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  private failure: Error | null = null;
  private readonly ready: Promise<unknown>;

  private constructor(dataDir: string) {
    this.worker = new Worker(path.join(__dirname, 'pglite-worker.cjs'), {
      workerData: { dataDir, textTypes: TEXT_TYPES },
    });
    // The thread keeps the process alive only while it is starting or a statement is waiting for it:
    // it is let go when the last answer arrives (see call).
    this.ready = new Promise((resolve, reject) => this.pending.set(0, { resolve, reject }));
    this.worker.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(toError(reply.error!));
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) =>
      fail(new Error(`Databasetråden (PGlite) stoppet uventet (kode ${code}).`)),
    );
  }

  /** Starts the thread and opens the database in `dataDir` (a folder, or 'memory://'). */
  static async create(dataDir: string): Promise<PgliteThread> {
    const thread = new PgliteThread(dataDir);
    try {
      await thread.ready;
    } catch (error) {
      await thread.worker.terminate();
      throw error;
    }
    return thread;
  }

  private call<T>(message: Record<string, unknown>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        this.worker.postMessage({ id, ...message });
      } catch (error) {
        // A parameter that cannot be copied to the thread (a function, say): nothing was sent.
        this.pending.delete(id);
        if (this.pending.size === 0) this.worker.unref();
        reject(error as Error);
      }
    });
  }

  async query(text: string, params?: unknown[], options?: QueryOptions, tx?: number): Promise<QueryResult> {
    if (options?.parsers) checkParsers(options.parsers);
    return this.call({ op: 'query', text, params: params ?? [], rowMode: options?.rowMode, tx });
  }

  exec(text: string, tx?: number): Promise<QueryResult[]> {
    return this.call({ op: 'exec', text, tx });
  }

  /**
   * Runs `text` as the named statement `name`, parsed and planned once per thread: one call into
   * PGlite instead of the six of `query` (see pglite-worker.cjs). Outside transactions only; each
   * parameter is bytes (binary format), a string (text) or null.
   */
  prepared(name: string, text: string, params: Array<Uint8Array | string | null>): Promise<QueryResult> {
    return this.call({ op: 'prepared', name, text, params });
  }

  /** Runs `callback` in a transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(callback: (tx: PgliteThreadTransaction) => Promise<T>): Promise<T> {
    const tx = await this.call<number>({ op: 'begin' });
    let result: T;
    try {
      result = await callback(new PgliteThreadTransaction(this, tx));
    } catch (error) {
      await this.call({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw error;
    }
    await this.call({ op: 'end', tx, commit: true });
    return result;
  }

  async close(): Promise<void> {
    try {
      await this.call({ op: 'close' });
    } finally {
      this.failure ??= new Error('Databasetråden (PGlite) er stoppet: databasen er lukket.');
      await this.worker.terminate();
    }
  }
}

const checked = new WeakSet<object>();

/**
 * Drizzle's parsers (each returns the text as it is) are given to PGlite once, in the worker, for
 * TEXT_TYPES. A Drizzle that asks for another type would get other values: refused at once.
 */
function checkParsers(parsers: Record<number, unknown>): void {
  if (checked.has(parsers)) return;
  for (const oid of Object.keys(parsers))
    if (!TEXT_TYPES.includes(Number(oid)))
      throw new Error(`PGlite-tråden kjenner ikke parseren for type ${oid} som Drizzle ber om.`);
  checked.add(parsers);
}
