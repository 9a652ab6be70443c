import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../../src/db/client';
import { verifyLaunchToken, type LaunchToken } from '../../../src/modules/scorm/launch-token';
import * as repo from '../../../src/modules/scorm/scorm.repo';
import { applyCommit } from '../../../src/modules/scorm/scorm.service';
import { createTestDatabase } from '../../support/db';
import { launchLearners } from '../../support/scorm-learners';

jest.setTimeout(120_000);

const SECRET = 'commit-writer-test-secret-0000000000';

/**
 * The group-commit writer on a real database: how the commits that arrive together are split into
 * the statements it writes (two batches in flight), and that each learner's newest commit wins.
 */
describe('the SCORM commit writer', () => {
  let database: Database;
  let dataDir: string;
  const tokens: LaunchToken[] = [];
  const now = new Date('2026-11-24T12:00:00+01:00');

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kursvakt-writer-'));
    const launches = await launchLearners(database.db, {
      slug: 'skrivekurs',
      dataDir,
      count: 40,
      now,
      secret: SECRET,
    });
    for (const { token } of launches) tokens.push(verifyLaunchToken(SECRET, token, now));
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await database?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  /** Commits of the given learners, all submitted in the same turn of the event loop. */
  function commitAll(learners: LaunchToken[], step: number) {
    return Promise.all(
      learners.map((token) =>
        applyCommit(database.db, {
          token,
          body: JSON.stringify({
            sequence: token.b + step,
            cmi: {
              core: {
                lesson_status: 'incomplete',
                lesson_location: `steg-${step}`,
                session_time: '00:01:00',
              },
              suspend_data: `elev=${token.a};steg=${step};`.repeat(50),
            },
          }),
          now,
        }),
      ),
    );
  }

  /** The number of attempts in each statement the writer sends, while `work` runs. */
  async function batchSizesOf(work: () => Promise<unknown>): Promise<number[]> {
    const spy = jest.spyOn(repo, 'writeCommitBatch');
    try {
      await work();
      return spy.mock.calls.map(([, batch]) => batch.attempts.length);
    } finally {
      spy.mockRestore();
    }
  }

  test('when 40 learners commit at once with nothing in flight, then their commits are written as two batches of 20, and each attempt keeps its own CMI', async () => {
    let results: Awaited<ReturnType<typeof commitAll>> = [];
    const sizes = await batchSizesOf(async () => {
      results = await commitAll(tokens, 1);
    });
    expect(sizes).toEqual([20, 20]);
    expect(results.map((r) => r.outcome)).toEqual(tokens.map(() => 'applied'));
    for (const token of tokens) {
      const attempt = await repo.findAttempt(database.db, token.a);
      expect(attempt?.lastSequence).toBe(token.b + 1);
      expect((attempt?.cmi as { suspend_data: string }).suspend_data).toBe(
        `elev=${token.a};steg=1;`.repeat(50),
      );
    }
  });

  test('when fewer commits arrive than two batches of 8, then they are written together in one statement', async () => {
    const sizes = await batchSizesOf(() => commitAll(tokens.slice(0, 10), 2));
    expect(sizes).toEqual([10]);
  });

  test('when learners commit again, then the writer merges against what it cached and keeps the read-only fields the launch stored', async () => {
    await commitAll(tokens, 3);
    const before = await repo.findAttempt(database.db, tokens[0]!.a);
    const studentId = (before?.cmi as { core: { student_id: string } }).core.student_id;
    expect(studentId).not.toBe('');
    const token = tokens[0]!;
    const result = await applyCommit(database.db, {
      token,
      body: JSON.stringify({
        sequence: token.b + 4,
        cmi: { core: { student_id: 'forfalsket', lesson_status: 'incomplete', session_time: '00:02:00' } },
      }),
      now,
    });
    expect(result.outcome).toBe('applied');
    const after = await repo.findAttempt(database.db, token.a);
    const core = (after?.cmi as { core: Record<string, string> }).core;
    expect(core.student_id).toBe(studentId);
    // session_time is the time of the launch so far: its last value (2 min) counts, not the sum.
    expect(after?.totalTimeSeconds).toBe(120);
  });
});
