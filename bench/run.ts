/**
 * `npm run bench -- <name> [args]`: runs bench/<name>.bench.ts, which exports `run(args)`.
 * Benchmarks are not tests: they measure, print a table and write bench/results/<name>.json.
 */
import fs from 'node:fs';
import path from 'node:path';

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const available = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace(/\.bench\.ts$/, ''));
  if (!name || !available.includes(name)) {
    console.error(`Bruk: npm run bench -- <${available.join('|') || 'ingen benchmarker ennå'}> [valg]`);
    process.exitCode = 1;
    return;
  }
  const benchmark = (await import(path.join(__dirname, `${name}.bench.ts`))) as {
    run: (args: string[]) => Promise<void>;
  };
  await benchmark.run(args);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
