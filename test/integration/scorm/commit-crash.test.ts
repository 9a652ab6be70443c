import path from 'node:path';
import { inArray } from 'drizzle-orm';
import { scormAttempts, scormCommits } from '../../../src/db/schema';
import { createChildDatabase, startTsChild, type ChildDatabase } from '../../support/child-process';
import { launchLearners } from '../../support/scorm-learners';

jest.setTimeout(300_000);

const onServer = !!process.env.TEST_DATABASE_URL;
const SECRET = 'kræsj-test-hemmelighet-som-er-lang-nok-0000';
const LEARNERS = 8;

interface Launch {
  attemptId: number;
  token: string;
  base: number;
}

/** Starts the app in a child process; `port` resolves once it listens. */
function startServer(env: Record<string, string>) {
  const server = startTsChild(path.join(__dirname, 'commit-server-child.ts'), {
    env: { SCHEDULER: 'off', SESSION_SECRET: SECRET, PORT: '0', ...env },
  });
  return { ...server, port: server.waitForLine(/^port (\d+)$/).then((match) => Number(match[1])) };
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
  let shared: ChildDatabase;
  const launches: Launch[] = [];

  beforeAll(async () => {
    shared = await createChildDatabase('kursvakt-commit-crash-');
    await shared.withDb(async (db) => {
      launches.push(
        ...(await launchLearners(db, {
          slug: 'kraesj',
          dataDir: shared.dataDir,
          count: LEARNERS,
          now: new Date(),
          secret: SECRET,
        })),
      );
    });
  }, 180_000);
  // A server left running by a failed or timed-out test would go on serving (and using the CPU)
  // after it: every server started is killed after the test.
  const started: Array<ReturnType<typeof startServer>> = [];
  afterEach(() => {
    for (const server of started.splice(0)) server.child.kill('SIGKILL');
  });
  afterAll(() => shared?.close());

  it('when the server is killed while commits are in flight, then every acknowledged commit is stored and logged, and the restarted server goes on', async () => {
    const first = startServer(shared.env);
    started.push(first);
    const port = await first.port;
    const acknowledged = new Map<number, number[]>(launches.map((l) => [l.attemptId, []]));
    let total = 0;
    let killed = false;
    // Each learner commits one after another (as scorm-again does); all learners at once.
    const stopFirst = () => {
      if (killed) return;
      killed = true;
      first.child.kill('SIGKILL');
    };
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
          if (total >= 120) stopFirst();
        }
      }),
    );
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(total).toBeGreaterThanOrEqual(120);

    const ids = launches.map((l) => l.attemptId);
    const [attempts, log] = await shared.withDb(async (db) => [
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
    const second = startServer(shared.env);
    started.push(second);
    try {
      const launch = launches[0]!;
      const stored = attempts.find((a) => a.id === launch.attemptId)!.lastSequence;
      const port2 = await second.port;
      expect((await commit(port2, launch, stored)).body.outcome).toBe('duplicate');
      expect((await commit(port2, launch, stored + 1)).body.outcome).toBe('applied');
    } finally {
      await second.stop('SIGTERM');
    }
  });
});
