/**
 * autocannon in a child process, so that the load generator does not share the event loop of the
 * server it measures (a real client is another machine). The parent passes the options over IPC
 * and gets back autocannon's result with every response time, for percentiles autocannon does not
 * report (p95).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}

export interface LoadResult {
  result: autocannon.Result;
  /** Every response time in ms, in the order the responses arrived. */
  latencies: number[];
  /** CPU time the load generator itself used (user + system), in ms. */
  cpuMs: number;
}

/** Runs autocannon against `url` from a child process and resolves with its result. */
export function loadFromChildProcess(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--load-child'], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    child.once('message', (message) => {
      settled = true;
      const m = message as { error?: string } & Partial<LoadResult>;
      if (m.error) reject(new Error(m.error));
      else resolve({ result: m.result!, latencies: m.latencies!, cpuMs: m.cpuMs! });
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`load generator stopped (${code})`));
    });
    child.send(options);
  });
}

function runChild(): void {
  process.once('message', (message) => {
    const options = message as LoadOptions;
    const latencies: number[] = [];
    const cpuBefore = process.cpuUsage();
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        headers: options.headers,
      },
      (error, result) => {
        const cpu = process.cpuUsage(cpuBefore);
        const reply = error
          ? { error: String(error) }
          : { result, latencies, cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
        process.send!(reply, () => process.exit(0));
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

if (process.argv.includes('--load-child')) runChild();

/**
 * CPU time (user + system, ms) used so far by all PostgreSQL server processes on this machine, read
 * from /proc; undefined where there is no /proc. The benchmarks take the difference over a load.
 */
export function postgresCpuMs(): number | undefined {
  const proc = '/proc';
  if (!fs.existsSync(proc)) return undefined;
  const ticksPerSecond = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const pid of fs.readdirSync(proc)) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`${proc}/${pid}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return (ticks * 1000) / ticksPerSecond;
}
