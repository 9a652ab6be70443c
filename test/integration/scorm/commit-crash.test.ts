import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { inArray } from 'drizzle-orm';
import { openDatabase, type Database } from '../../../src/db/client';
import { scormAttempts, scormCommits } from '../../../src/db/schema';
import { importScormPackage } from '../../../src/modules/courses/courses.service';
import { prepareLaunch } from '../../../src/modules/scorm/scorm.service';
import { scorm12Zip } from '../../fixtures/scorm/packages';
import { createTestDatabase } from '../../support/db';
import { createCourseWithRequirement, createEmployee, createUnit, createUser } from '../../support/factories';

jest.setTimeout(300_000);

const root = path.resolve(__dirname, '../../..');
const onServer = !!process.env.TEST_DATABASE_URL;
const SECRET = 'kræsj-test-hemmelighet-som-er-lang-nok-0000';
const LEARNERS = 8;

interface Launch {
  attemptId: number;
  token: string;
  base: number;
}

/** Starts the app in a child process; resolves with its port once it listens. */
function startServer(env: Record<string, string>) {
  // node itself with tsx as a loader (not the tsx wrapper), so SIGKILL hits the process that serves.
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'commit-server-child.ts')],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        SCHEDULER: 'off',
        SESSION_SECRET: SECRET,
        PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stderr: string[] = [];
  child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^port (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`server stopped before listening: ${stderr.join('')}`)));
  });
  return { child, port, exited };
}

async function commit(port: number, launch: Launch, sequence: number) {
  const res = await fetch(`http://127.0.0.1:${port}/api/scorm/commit/${launch.token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sequence,
      cmi: {
        core: { lesson_status: 'incomplete', lesson_location: String(sequence), exit: 'suspend' },
        suspend_data: `tilstand-${sequence}-`.repeat(200),
      },
    }),
  });
  return { status: res.status, body: (await res.json()) as { outcome?: string } };
}

describe(`SCORM commits when the server is killed with SIGKILL (${onServer ? 'PostgreSQL server' : 'PGlite folder database'})`, () => {
  let dataDir: string;
  let database: Database | undefined;
  let dbEnv: Record<string, string>;
  const launches: Launch[] = [];

  /** The parent's own connection: kept on the server, opened only between children on PGlite (one process at a time). */
  async function withDb<T>(fn: (db: Database['db']) => Promise<T>): Promise<T> {
    if (database) return fn(database.db);
    const local = await openDatabase({ dataDir });
    try {
      return await fn(local.db);
    } finally {
      await local.close();
    }
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kursvakt-commit-crash-'));
    if (onServer) {
      database = await createTestDatabase();
      const schema = /skjema (\w+)/.exec(database.description)![1]!;
      dbEnv = { DATABASE_URL: process.env.TEST_DATABASE_URL!, DATABASE_SCHEMA: schema, DATA_DIR: dataDir };
    } else {
      dbEnv = { DATA_DIR: dataDir };
    }
    await withDb(async (db) => {
      const { course } = await createCourseWithRequirement(db, {
        slug: 'kraesj',
        firstDeadline: '2099-12-31',
      });
      await importScormPackage(db, { dataDir, courseSlug: course.slug, buffer: await scorm12Zip() });
      const unit = await createUnit(db);
      for (let i = 0; i < LEARNERS; i += 1) {
        const employee = await createEmployee(db, { unitId: unit.id });
        const user = await createUser(db, { employeeId: employee.id });
        const plan = await prepareLaunch(db, {
          learner: { id: user.id, employeeId: employee.id },
          slug: course.slug,
          now: new Date(),
          secret: SECRET,
        });
        if (plan.kind !== 'play') throw new Error('expected a playable launch');
        const payload = JSON.parse(Buffer.from(plan.token.split('.')[0]!, 'base64url').toString()) as {
          b: number;
        };
        launches.push({ attemptId: plan.attemptId, token: plan.token, base: payload.b });
      }
    });
  }, 180_000);
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('when the server is killed while commits are in flight, then every acknowledged commit is stored and logged, and the restarted server goes on', async () => {
    const first = startServer(dbEnv);
    const port = await first.port;
    const acknowledged = new Map<number, number[]>(launches.map((l) => [l.attemptId, []]));
    let total = 0;
    let killed = false;
    // Each learner commits one after another (as scorm-again does); all learners at once.
    await Promise.all(
      launches.map(async (launch) => {
        for (let n = 1; !killed; n += 1) {
          try {
            const res = await commit(port, launch, launch.base + n);
            if (res.status === 200 && res.body.outcome === 'applied') {
              acknowledged.get(launch.attemptId)!.push(launch.base + n);
              total += 1;
            }
          } catch {
            return; // the connection died with the server: not acknowledged
          }
          if (total >= 120 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      }),
    );
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(total).toBeGreaterThanOrEqual(120);

    const ids = launches.map((l) => l.attemptId);
    const [attempts, log] = await withDb(async (db) => [
      await db.select().from(scormAttempts).where(inArray(scormAttempts.id, ids)),
      await db.select().from(scormCommits).where(inArray(scormCommits.attemptId, ids)),
    ]);
    for (const launch of launches) {
      const acked = acknowledged.get(launch.attemptId)!;
      const attempt = attempts.find((a) => a.id === launch.attemptId)!;
      expect(attempt.lastSequence).toBeGreaterThanOrEqual(Math.max(launch.base, ...acked));
      // The stored CMI is the one of the last stored commit, whole.
      const cmi = attempt.cmi as { core: { lesson_location: string }; suspend_data: string };
      expect(cmi.core.lesson_location).toBe(String(attempt.lastSequence));
      expect(cmi.suspend_data).toBe(`tilstand-${attempt.lastSequence}-`.repeat(200));
      const applied = log
        .filter((r) => r.attemptId === launch.attemptId && r.outcome === 'applied')
        .map((r) => r.sequence);
      expect(applied).toEqual(expect.arrayContaining(acked));
    }

    // A new server (empty attempt cache) continues where the stored state is.
    const second = startServer(dbEnv);
    try {
      const launch = launches[0]!;
      const stored = attempts.find((a) => a.id === launch.attemptId)!.lastSequence;
      const port2 = await second.port;
      expect((await commit(port2, launch, stored)).body.outcome).toBe('duplicate');
      expect((await commit(port2, launch, stored + 1)).body.outcome).toBe('applied');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
