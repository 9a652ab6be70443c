import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where and on what a benchmark ran, written beside its numbers. */
export function machineInfo(): Record<string, unknown> {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/**
 * Writes bench/results/<name>.json. A run on one database kind keeps the other kind's last run, so
 * the file holds both PGlite and PostgreSQL numbers: `{ machine, runs: { pglite: …, postgres: … } }`.
 */
export function writeResults(name: string, databaseKind: string, result: unknown): string {
  const file = path.join(__dirname, '..', 'results', `${name}.json`);
  let previous: { runs?: Record<string, unknown> } = {};
  try {
    previous = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof previous;
  } catch {
    // no earlier results
  }
  const data = { machine: machineInfo(), runs: { ...(previous.runs ?? {}), [databaseKind]: result } };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

/** Prints rows as an aligned table. */
export function printTable(rows: Array<Record<string, string | number>>): void {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]!);
  const cells = [keys, ...rows.map((r) => keys.map((k) => String(r[k] ?? '')))];
  const widths = keys.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  for (const row of cells) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

/** The p-th percentile (0–100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/**
 * Runs fn under the V8 CPU profiler when `dir` is set (the benchmarks' `--profile DIR`), and writes
 * DIR/<name>.cpuprofile, which Chrome DevTools and speedscope open. Without `dir`, just runs fn.
 */
export async function profiled<T>(dir: string | undefined, name: string, fn: () => Promise<T>): Promise<T> {
  if (!dir) return fn();
  const inspector = await import('node:inspector/promises');
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
