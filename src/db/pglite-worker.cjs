'use strict';
/**
 * PGlite in a worker thread (see pglite-thread.ts, decision 0010). Plain JavaScript, because a
 * worker thread loads its file with Node's own loader, under `npm start` (tsx) and Jest alike.
 *
 * Messages from the main thread: { id, op, ... } with op one of query, exec, begin, end, close.
 * Every message is answered with { id, ok: true, result } or { id, ok: false, error }.
 */
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite, types } = require('@electric-sql/pglite');

const identity = (value) => value;
/** A json or jsonb parameter given as bytes goes to the server as it is (jsonParam, jsonbParam). */
const keepBytes = (serialize) => (value) => (ArrayBuffer.isView(value) ? value : serialize(value));

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

  const handlers = {
    query: (m) => target(m.tx).query(m.text, m.params, m.rowMode ? { rowMode: m.rowMode } : undefined),
    exec: (m) => target(m.tx).exec(m.text),
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
