'use strict';
/**
 * PGlite in a worker thread (see pglite-thread.ts, decision 0010). Plain JavaScript, because a
 * worker thread loads its file with Node's own loader, under `npm start` (tsx) and Jest alike.
 *
 * Messages from the main thread: { id, op, ... } with op one of query, exec, begin, end, close.
 * Every message is answered with { id, ok: true, result } or { id, ok: false, error }.
 */
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite, types, parse, protocol } = require('@electric-sql/pglite');

const identity = (value) => value;
/** A json or jsonb parameter given as bytes goes to the server as it is (jsonParam, jsonbParam). */
const keepBytes = (serialize) => (value) => (ArrayBuffer.isView(value) ? value : serialize(value));

const { TextEncoder } = require('node:util');

const utf8 = new TextEncoder();
const { serialize } = protocol;

/**
 * The extended-protocol messages that run the named statement `name` with `params` (each a
 * Uint8Array, sent in binary format, a string, sent as text, or null), describe its rows and end
 * with Sync, preceded by the statement's Parse when `text` is given: one buffer, for one
 * execProtocol call. PGlite's own `query` makes six calls (parse, describe, bind, describe, execute,
 * sync), parses and plans the statement every time, and copies a large parameter four times. The
 * small messages come from PGlite's serializer; the Bind, which carries the parameters, is written
 * straight into the buffer.
 */
function preparedMessages(name, text, params) {
  const before = text === undefined ? [] : [serialize.parse({ name, text })];
  const after = [serialize.describe({ type: 'P' }), serialize.execute(), serialize.sync()];
  const nameBytes = utf8.encode(name);
  const values = params.map((p) => (p === null ? null : typeof p === 'string' ? utf8.encode(p) : p));
  let bindLength = 4 + 1 + nameBytes.length + 1 + 2 + 2 * values.length + 2 + 2;
  for (const v of values) bindLength += 4 + (v ? v.length : 0);
  let length = 1 + bindLength;
  for (const message of [...before, ...after]) length += message.length;

  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let o = 0;
  const append = (bytes) => {
    out.set(bytes, o);
    o += bytes.length;
  };
  const int16 = (n) => {
    view.setInt16(o, n);
    o += 2;
  };
  before.forEach(append);
  out[o] = 0x42; // Bind
  view.setInt32(o + 1, bindLength);
  o += 5;
  out[o++] = 0; // unnamed portal
  append(nameBytes);
  out[o++] = 0;
  int16(values.length);
  for (const p of params) int16(p === null || typeof p === 'string' ? 0 : 1);
  int16(values.length);
  for (const v of values) {
    view.setInt32(o, v ? v.length : -1);
    o += 4;
    if (v) append(v);
  }
  int16(0); // results as text
  after.forEach(append);
  if (o !== length) throw new Error(`preparedMessages wrote ${o} of ${length} bytes`);
  return out;
}

/** Close of the named statement, then Sync. */
function closeStatementMessages(name) {
  const close = serialize.close({ type: 'S', name });
  const sync = serialize.sync();
  const out = new Uint8Array(close.length + sync.length);
  out.set(close);
  out.set(sync, close.length);
  return out;
}

/** Plain fields of a PostgreSQL (or any) error: an Error crossing threads keeps only its message. */
function errorFields(error) {
  const fields = { name: 'Error', message: String(error) };
  if (error && typeof error === 'object') {
    for (const [key, value] of Object.entries(error))
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
    if (typeof error.message === 'string') fields.message = error.message;
    if (typeof error.name === 'string') fields.name = error.name;
  }
  return fields;
}

async function main() {
  const pg = await PGlite.create(workerData.dataDir, {
    // Drizzle asks for these types as text with every query; PGlite merged its ~300 parsers with
    // those for each statement (about 70 µs). Given once here, the main thread leaves them out.
    parsers: Object.fromEntries(workerData.textTypes.map((oid) => [oid, identity])),
    serializers: {
      [types.JSON]: keepBytes(types.serializers[types.JSON]),
      [types.JSONB]: keepBytes(types.serializers[types.JSONB]),
    },
  });
  /** Open transactions: each holds PGlite's transaction callback open until `end` arrives. */
  const transactions = new Map();
  let nextTransaction = 1;

  const target = (tx) => {
    if (tx === undefined) return pg;
    const open = transactions.get(tx);
    if (!open) throw new Error('Transaksjonen er allerede avsluttet.');
    return open.tx;
  };

  /** Named statements parsed in this session, with their text (PGlite is one session for the thread's life). */
  const prepared = new Map();

  const handlers = {
    query: (m) => target(m.tx).query(m.text, m.params, m.rowMode ? { rowMode: m.rowMode } : undefined),
    exec: (m) => target(m.tx).exec(m.text),
    // Outside any transaction, as `query` outside one: the transaction lock first, then PGlite's
    // lock for protocol calls (runExclusive), so it neither runs inside another caller's open
    // transaction nor beside another statement.
    prepared: (m) =>
      pg._runExclusiveTransaction(() =>
        pg.runExclusive(async () => {
          const parsing = !prepared.has(m.name);
          if (!parsing && prepared.get(m.name) !== m.text)
            throw new Error(`The prepared statement ${m.name} already has another text.`);
          let messages;
          try {
            ({ messages } = await pg.execProtocol(
              preparedMessages(m.name, parsing ? m.text : undefined, m.params),
            ));
          } catch (error) {
            // Whether the Parse took effect is not known after an error: the statement is closed
            // (no error if it does not exist) and parsed again next time.
            if (parsing) await pg.execProtocol(closeStatementMessages(m.name), { throwOnError: false });
            throw error;
          }
          prepared.set(m.name, m.text);
          const [result] = parse.parseResults(
            messages,
            pg.parsers,
            m.rowMode ? { rowMode: m.rowMode } : undefined,
          );
          return result;
        }),
      ),
    begin: () =>
      new Promise((resolve, reject) => {
        const id = nextTransaction++;
        let started = false;
        const done = pg.transaction(
          (tx) =>
            new Promise((commit, rollback) => {
              started = true;
              transactions.set(id, { tx, commit, rollback, done });
              resolve(id);
            }),
        );
        // A failure before the callback ran (BEGIN itself) fails `begin`; a later one, `end`.
        done.catch((error) => {
          if (!started) reject(error);
        });
      }),
    end: async (m) => {
      const open = transactions.get(m.tx);
      if (!open) throw new Error('Transaksjonen er allerede avsluttet.');
      transactions.delete(m.tx);
      if (m.commit) open.commit();
      else open.rollback(new Error('rollback'));
      try {
        await open.done;
      } catch (error) {
        // A rollback asked for ends in the rejection that caused it.
        if (m.commit) throw error;
      }
      return null;
    },
    close: async () => {
      await pg.close();
      return null;
    },
  };

  parentPort.on('message', (m) => {
    let work;
    try {
      work = Promise.resolve(handlers[m.op](m));
    } catch (error) {
      work = Promise.reject(error);
    }
    work.then(
      (result) => parentPort.postMessage({ id: m.id, ok: true, result }),
      (error) => parentPort.postMessage({ id: m.id, ok: false, error: errorFields(error) }),
    );
  });
  parentPort.postMessage({ id: 0, ok: true, result: 'ready' });
}

main().catch((error) => parentPort.postMessage({ id: 0, ok: false, error: errorFields(error) }));
