'use strict';
/**
 * PGlite in a worker thread (see pglite-thread.ts, decision 0010). Plain JavaScript, because a
 * worker thread loads its file with Node's own loader, under `npm start` (tsx) and Jest alike.
 *
 * Messages from the main thread: { id, op, ... } with op one of query, exec, begin, end, close.
 * Every message is answered with { id, ok: true, result } or { id, ok: false, error }.
 */
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite, types, parse } = require('@electric-sql/pglite');

const identity = (value) => value;
/** A json or jsonb parameter given as bytes goes to the server as it is (jsonParam, jsonbParam). */
const keepBytes = (serialize) => (value) => (ArrayBuffer.isView(value) ? value : serialize(value));

const { TextEncoder } = require('node:util');

const utf8 = new TextEncoder();

/**
 * The extended-protocol messages that run the named statement `name` with `params` (each a
 * Uint8Array, sent in binary format, a string, sent as text, or null), describe its rows and end
 * with Sync, preceded by the statement's Parse when `text` is given: one buffer, for one
 * execProtocol call. PGlite's own `query` makes six calls (parse, describe, bind, describe, execute,
 * sync), parses and plans the statement every time, and copies a large parameter four times.
 */
function preparedMessages(name, text, params) {
  const nameBytes = utf8.encode(name);
  const textBytes = text === undefined ? null : utf8.encode(text);
  const values = params.map((p) => (p === null ? null : typeof p === 'string' ? utf8.encode(p) : p));
  let length = textBytes ? 1 + 4 + nameBytes.length + 1 + textBytes.length + 1 + 2 : 0;
  const bindLength = 4 + 1 + nameBytes.length + 1 + 2 + 2 * values.length + 2 + 2;
  let valueBytes = 0;
  for (const v of values) valueBytes += 4 + (v ? v.length : 0);
  length += 1 + bindLength + valueBytes + (1 + 4 + 2) + (1 + 4 + 1 + 4) + (1 + 4);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let o = 0;
  const header = (code, size) => {
    out[o] = code;
    view.setInt32(o + 1, size);
    o += 5;
  };
  const cstring = (bytes) => {
    out.set(bytes, o);
    o += bytes.length;
    out[o++] = 0;
  };
  const int16 = (n) => {
    view.setInt16(o, n);
    o += 2;
  };
  if (textBytes) {
    header(0x50, 4 + nameBytes.length + 1 + textBytes.length + 1 + 2); // Parse
    cstring(nameBytes);
    cstring(textBytes);
    int16(0); // the server infers the parameters' types
  }
  header(0x42, bindLength + valueBytes); // Bind
  out[o++] = 0; // unnamed portal
  cstring(nameBytes);
  int16(values.length);
  for (const p of params) int16(p === null || typeof p === 'string' ? 0 : 1);
  int16(values.length);
  for (const v of values) {
    view.setInt32(o, v ? v.length : -1);
    o += 4;
    if (v) {
      out.set(v, o);
      o += v.length;
    }
  }
  int16(0); // results as text
  header(0x44, 4 + 1 + 1); // Describe the portal: its row description
  out[o++] = 0x50;
  out[o++] = 0;
  header(0x45, 4 + 1 + 4); // Execute, all rows
  out[o++] = 0;
  view.setInt32(o, 0);
  o += 4;
  header(0x53, 4); // Sync
  if (o !== length) throw new Error(`preparedMessages wrote ${o} of ${length} bytes`);
  return out;
}

/** Close of the named statement, then Sync. */
function closeStatementMessages(name) {
  const nameBytes = utf8.encode(name);
  const out = new Uint8Array(1 + 4 + 1 + nameBytes.length + 1 + 1 + 4);
  const view = new DataView(out.buffer);
  out[0] = 0x43;
  view.setInt32(1, 4 + 1 + nameBytes.length + 1);
  out[5] = 0x53;
  out.set(nameBytes, 6);
  out[6 + nameBytes.length] = 0;
  out[7 + nameBytes.length] = 0x53;
  view.setInt32(8 + nameBytes.length, 4);
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
