/**
 * `npm run bench -- scorm [--seconds 15] [--connections 100]`: SCORM commit throughput.
 *
 * A child process serves two endpoints: Kursvakt's real commit endpoint (the whole app in front of
 * it, token check, JSON parse and validation, CMI merge, completion check, and the group-commit
 * writer: each request is answered after the statement holding its commit has committed) and a
 * bare Express endpoint that only parses the same JSON. Both are served through `createAppServer`,
 * as `npm start` serves the app (decision 0009), so the ratio measures the commit path. For
 * comparison, the same bare endpoint is also served by Node's default server (`http.createServer`),
 * as most Express apps are; that row is information, not the target. autocannon (in this process)
 * loads each in turn with the same 2–8 KB CMI bodies. PGlite by default; PostgreSQL when DATABASE_URL is set
 * (in its own schema, dropped afterwards).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { printTable, writeResults } from './lib/results';

const ATTEMPTS = 1000;

interface ServerInfo {
  appPort: number;
  barePort: number;
  bareDefaultPort: number;
  tokens: Array<{ token: string; base: number }>;
  databaseKind: string;
}

interface Stats {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bodyBytesAvg: number;
}

/** Realistic CMI bodies: SCORM 1.2 core, suspend_data, interactions and objectives, 2–8 KB each. */
function makeCmiBodies(count: number): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const target = 2048 + Math.floor((i / Math.max(1, count - 1)) * 6000);
    const interactions: Record<string, unknown> = {};
    for (let q = 0; q < 3 + (i % 6); q += 1)
      interactions[String(q)] = {
        id: `sporsmal-${q}`,
        type: 'choice',
        time: '10:15:0' + (q % 10),
        weighting: '1',
        student_response: String(q % 4),
        result: q % 3 === 0 ? 'wrong' : 'correct',
        latency: '00:00:1' + (q % 10),
        objectives: { '0': { id: 'mål-1' } },
        correct_responses: { '0': { pattern: '0' } },
      };
    const cmi = {
      suspend_data: '',
      launch_data: '',
      comments: '',
      core: {
        student_id: 'A-1',
        student_name: 'Ask, Anna',
        lesson_location: String(1 + (i % 9)),
        credit: 'credit',
        lesson_status: 'incomplete',
        entry: 'resume',
        lesson_mode: 'normal',
        exit: 'suspend',
        session_time: `00:0${i % 10}:${String(i % 60).padStart(2, '0')}`,
        score: { raw: String(40 + (i % 30)), min: '0', max: '100' },
      },
      objectives: { '0': { id: 'mål-1', status: 'incomplete', score: { raw: '50', min: '0', max: '100' } } },
      student_data: { mastery_score: '80', max_time_allowed: '', time_limit_action: '' },
      student_preference: { audio: '', language: '', speed: '', text: '' },
      interactions,
    };
    const withoutSuspend = JSON.stringify({ sequence: 0, cmi }).length;
    // suspend_data as courses write it: compact, mostly ASCII state.
    const filler = 'v=1,2,3,4|a=0:1;1:2;2:0|p=';
    let suspend = '';
    while (suspend.length < target - withoutSuspend) suspend += filler + String(suspend.length) + '|';
    cmi.suspend_data = suspend.slice(0, Math.max(0, target - withoutSuspend));
    bodies.push(JSON.stringify({ cmi }).slice(1)); // '"cmi":…}' – the sequence is put in front per request
  }
  return bodies;
}

function toStats(result: autocannon.Result, bodyBytesAvg: number): Stats {
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bodyBytesAvg,
  };
}

async function load(
  url: string,
  bodies: string[],
  tokens: ServerInfo['tokens'] | null,
  seconds: number,
  connections: number,
): Promise<autocannon.Result> {
  let counter = 0;
  return autocannon({
    url,
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const n = counter;
          counter += 1;
          const body = bodies[n % bodies.length]!;
          if (!tokens) return { ...req, path: '/commit', body: `{"sequence":${n + 1},${body}` };
          // Each attempt gets its next sequence; an attempt comes round again only every 1000 requests.
          const slot = tokens[n % tokens.length]!;
          const sequence = slot.base + 1 + Math.floor(n / tokens.length);
          return { ...req, path: `/api/scorm/commit/${slot.token}`, body: `{"sequence":${sequence},${body}` };
        },
      },
    ],
  });
}

async function serve(databaseUrl: string | undefined): Promise<void> {
  const express = (await import('express')).default;
  const { parseConfig } = await import('../src/config');
  const { openDatabase } = await import('../src/db/client');
  const { createApp } = await import('../src/app');
  const { createAppServer } = await import('../src/http/app-server');
  const { setLogLevel } = await import('../src/lib/logger');
  const { launchLearners } = await import('../test/support/scorm-learners');
  setLogLevel('silent');

  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kursvakt-bench-scorm-'));
  const schema = 'bench_scorm';
  const config = parseConfig({
    NODE_ENV: 'production',
    SESSION_SECRET: 'benchmark-secret-benchmark-secret-0000',
    PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: databaseUrl ? schema : undefined,
    LOG_LEVEL: 'silent',
    SCHEDULER: 'off',
  });
  if (databaseUrl) {
    // A clean schema every run.
    const pg = await import('pg');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
  const database = await openDatabase({ databaseUrl, schema: config.databaseSchema, dataDir });
  const db = database.db;
  const tokens: ServerInfo['tokens'] = await launchLearners(db, {
    slug: 'bench-kurs',
    dataDir,
    count: ATTEMPTS,
    now: new Date(),
    secret: config.sessionSecret,
  });

  const { app, context } = createApp({ config, database });
  const appServer = createAppServer(app);
  const bareApp = () => {
    const bare = express();
    bare.post('/commit', express.json({ limit: '256kb' }), (req, res) => {
      const body = req.body as { sequence?: unknown };
      res.json({ result: true, errorCode: 0, sequence: body.sequence });
    });
    return bare;
  };
  const bareServer = createAppServer(bareApp());
  const bareDefaultServer = http.createServer(bareApp());
  for (const server of [appServer, bareServer, bareDefaultServer])
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send!({
    appPort: (appServer.address() as AddressInfo).port,
    barePort: (bareServer.address() as AddressInfo).port,
    bareDefaultPort: (bareDefaultServer.address() as AddressInfo).port,
    tokens,
    databaseKind: database.kind,
  } satisfies ServerInfo);

  process.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    void (async () => {
      const outcomes = await db.execute<{ outcome: string; n: number }>(
        `select outcome, count(*)::int as n from scorm_commits group by outcome order by outcome` as never,
      );
      const rows = (outcomes as unknown as { rows: Array<{ outcome: string; n: number }> }).rows;
      for (const server of [appServer, bareServer, bareDefaultServer]) {
        server.closeAllConnections();
        server.close();
      }
      context.sessionStore.stopPruning();
      if (databaseUrl) await db.execute(`drop schema if exists ${schema} cascade` as never);
      await database.close();
      await fs.rm(dataDir, { recursive: true, force: true });
      process.send!({ type: 'outcomes', rows }, () => process.exit(0));
    })();
  });
}

function argValue(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
}

/** Entry point for `npm run bench -- scorm`. */
export async function run(args: string[]): Promise<void> {
  const seconds = argValue(args, '--seconds', 15);
  const connections = argValue(args, '--connections', 100);
  // --profile DIR: the server process writes a V8 CPU profile of the whole run into DIR when it stops.
  const profileDir = args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined;
  const child: ChildProcess = fork(__filename, ['--serve'], {
    execArgv: profileDir
      ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`]
      : process.execArgv,
    env: { ...process.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const info = await new Promise<ServerInfo>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ServerInfo));
    child.once('exit', (code) => reject(new Error(`benchmark server stopped (${code})`)));
  });
  // The machine's load matters on a shared box; it is written beside the numbers.
  const loadBefore = os.loadavg().map((l) => Math.round(l * 10) / 10);
  const bodies = makeCmiBodies(64);
  const bodyBytesAvg = Math.round(bodies.reduce((sum, b) => sum + b.length + 16, 0) / bodies.length);
  const bareUrl = `http://127.0.0.1:${info.barePort}`;
  const bareDefaultUrl = `http://127.0.0.1:${info.bareDefaultPort}`;
  const appUrl = `http://127.0.0.1:${info.appPort}`;
  console.log(
    `SCORM commit benchmark on ${info.databaseKind}: ${connections} connections, ${seconds} s per run, ` +
      `${bodies.length} bodies of ${Math.min(...bodies.map((b) => b.length))}–${Math.max(...bodies.map((b) => b.length))} bytes, ${ATTEMPTS} attempts`,
  );

  // Warm up both (JIT, pools, caches) with a short run each, then measure.
  await load(bareUrl, bodies, null, 2, 10);
  await load(bareDefaultUrl, bodies, null, 2, 10);
  await load(appUrl, bodies, info.tokens, 2, 10);
  // The measured run continues each attempt's sequence above the warm-up's.
  const measuredTokens = info.tokens.map((t) => ({ ...t, base: t.base + 50_000 }));
  const bare = toStats(await load(bareUrl, bodies, null, seconds, connections), bodyBytesAvg);
  const bareDefaultServer = toStats(
    await load(bareDefaultUrl, bodies, null, seconds, connections),
    bodyBytesAvg,
  );
  const kursvakt = toStats(await load(appUrl, bodies, measuredTokens, seconds, connections), bodyBytesAvg);

  const outcomes = await new Promise<Array<{ outcome: string; n: number }>>((resolve) => {
    child.on('message', (m) => {
      const message = m as { type?: string; rows?: Array<{ outcome: string; n: number }> };
      if (message.type === 'outcomes') resolve(message.rows ?? []);
    });
    child.send({ type: 'stop' });
  });
  await new Promise((resolve) => child.once('exit', resolve));

  const ratio = Math.round((kursvakt.requestsPerSecond / bare.requestsPerSecond) * 100) / 100;
  const targets = {
    ratioAtLeast: 0.5,
    p99AtMostMs: 50,
    ratioMet: ratio >= 0.5,
    p99Met: kursvakt.latencyP99Ms <= 50,
  };
  printTable([
    { endpoint: 'bare Express (JSON parse)', ...bare },
    { endpoint: 'the same, default server', ...bareDefaultServer },
    { endpoint: 'Kursvakt commit', ...kursvakt },
  ]);
  console.log(
    `Kursvakt/bare req/s: ${ratio} (target ≥ 0.5: ${targets.ratioMet ? 'met' : 'NOT met'}); ` +
      `p99 ${kursvakt.latencyP99Ms} ms (target ≤ 50 ms: ${targets.p99Met ? 'met' : 'NOT met'})`,
  );
  const ratioToDefaultServer =
    Math.round((kursvakt.requestsPerSecond / bareDefaultServer.requestsPerSecond) * 100) / 100;
  console.log(
    `(Kursvakt/bare on Node's default server: ${ratioToDefaultServer}; information, not the target)`,
  );
  console.log(
    `Commit outcomes (including warm-up): ${outcomes.map((o) => `${o.outcome} ${o.n}`).join(', ')}`,
  );
  const file = writeResults('scorm', info.databaseKind, {
    connections,
    secondsPerRun: seconds,
    loadAverage1m: { before: loadBefore[0], after: Math.round(os.loadavg()[0]! * 10) / 10 },
    cpus: os.cpus().length,
    attempts: ATTEMPTS,
    bodyBytes: {
      min: Math.min(...bodies.map((b) => b.length)),
      max: Math.max(...bodies.map((b) => b.length)),
      avg: bodyBytesAvg,
    },
    bare,
    bareDefaultServer,
    kursvakt,
    ratio,
    ratioToDefaultServer,
    targets,
    outcomes,
  });
  console.log(`Resultater skrevet til ${path.relative(process.cwd(), file)}`);
}

if (process.argv.includes('--serve')) {
  serve(process.env.DATABASE_URL || undefined).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
