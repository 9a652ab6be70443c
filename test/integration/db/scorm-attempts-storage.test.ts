import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../../src/db/client';
import { importScormPackage } from '../../../src/modules/courses/courses.service';
import * as repo from '../../../src/modules/scorm/scorm.repo';
import { scorm12Zip } from '../../fixtures/scorm/packages';
import { createTestDatabase } from '../../support/db';
import { createCourseWithRequirement, createEmployee, createUnit, createUser } from '../../support/factories';

const onServer = !!process.env.TEST_DATABASE_URL;
const PAGE = 8192;

/**
 * A SCORM 1.2 CMI of about 5 KB, as a course saves it between pages. It compresses to 1.0–1.3 KB
 * (pglz, lz4), about as much as the benchmark's: small enough to stay in the row, not in TOAST.
 */
function cmiOf(step: number, learner: number): repo.AttemptWrite['cmi'] {
  let seed = step * 7919 + learner * 104_729;
  let suspend = '';
  while (suspend.length < 4500) {
    seed = (seed * 48_271) % 2_147_483_647;
    suspend += `${(seed % 1296).toString(36)};side=${step % 9};mål=1|`;
  }
  return {
    core: {
      lesson_status: 'incomplete',
      lesson_location: String(step),
      exit: 'suspend',
      session_time: '00:01:00',
    },
    suspend_data: suspend,
  };
}

/**
 * On the PostgreSQL server, waits until no other session (of any database: every snapshot counts
 * all running transactions) still sees the row versions that the last rewrite replaced. Until then
 * PostgreSQL may not prune them, and an open transaction of another test file running beside this
 * one would make the table grow for reasons that are not this table's (seen in CI: 30 pages).
 * PGlite has no other sessions.
 */
async function waitUntilReplacedVersionsArePrunable(db: Database['db']): Promise<void> {
  if (!onServer) return;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [holder] = await queryRows<{ pid: number; query: string }>(
      db,
      sql`select a.pid, a.query from pg_stat_activity a,
            (select max(xmin::text::bigint) as xid from scorm_attempts) last
          where a.pid <> pg_backend_pid()
            and coalesce(a.backend_xmin, a.backend_xid) is not null
            and coalesce(a.backend_xmin, a.backend_xid)::text::bigint <= last.xid
          limit 1`,
    );
    if (!holder) return;
    if (Date.now() > deadline)
      throw new Error(`session ${holder.pid} kept an old snapshot for 30 s: ${holder.query.slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe(`Storage of SCORM attempts, migration 0008 (${onServer ? 'PostgreSQL server' : 'PGlite'})`, () => {
  let database: Database;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kursvakt-attempts-storage-'));
  });

  afterAll(async () => {
    await database.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('when the migrations have run, then half of each page of scorm_attempts is left free, and the CMI is compressed with lz4 exactly where the database has it (the PostgreSQL server, not PGlite)', async () => {
    const [table] = await queryRows<{ options: string[] | null; compression: string; lz4: boolean }>(
      database.db,
      sql`select c.reloptions as options, a.attcompression::text as compression,
            (select 'lz4' = any (enumvals) from pg_settings where name = 'default_toast_compression') as lz4
          from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = 'cmi'
          where c.oid = 'scorm_attempts'::regclass`,
    );
    expect(table!.options).toEqual(['fillfactor=50']);
    expect(table!.lz4).toBe(onServer);
    // attcompression: 'l' is lz4; an empty value is the default (pglz).
    expect(table!.compression).toBe(onServer ? 'l' : '');
  });

  it('when ten attempts are each rewritten 40 times with 5 KB of CMI, then the table keeps the size of a few pages: updates stay on the row’s own page and reclaim the dead versions there, without VACUUM', async () => {
    const db = database.db;
    const { course } = await createCourseWithRequirement(db, {
      slug: 'lagring',
      firstDeadline: '2099-12-31',
    });
    const imported = await importScormPackage(db, {
      dataDir,
      courseSlug: course.slug,
      buffer: await scorm12Zip(),
    });
    const unit = await createUnit(db);
    const attempts: repo.AttemptRow[] = [];
    for (let i = 0; i < 10; i += 1) {
      const employee = await createEmployee(db, { unitId: unit.id });
      const user = await createUser(db, { employeeId: employee.id });
      attempts.push(
        await repo.insertAttempt(db, {
          userId: user.id,
          employeeId: employee.id,
          courseVersionId: imported.courseVersionId,
          scoIdentifier: imported.manifest.scos[0]!.identifier,
          attemptNumber: 1,
          lastSequence: 0,
        }),
      );
    }
    for (let step = 1; step <= 40; step += 1) {
      await waitUntilReplacedVersionsArePrunable(db);
      const updated = await repo.writeCommitBatch(db, {
        attempts: attempts.map((a) => ({
          id: a.id,
          expectedSequence: step - 1,
          cmi: cmiOf(step, a.id),
          lastSequence: step,
          totalTimeSeconds: step * 60,
          sessionCounted: 'økt-1',
          state: 'open',
          completedAt: null,
        })),
        logs: [],
        completions: [],
      });
      expect(updated.size).toBe(10);
    }
    const [size] = await queryRows<{ bytes: string; location: string }>(
      db,
      sql`select pg_relation_size('scorm_attempts') as bytes,
            (select cmi -> 'core' ->> 'lesson_location' from scorm_attempts where id = ${attempts[9]!.id}) as location`,
    );
    expect(size!.location).toBe('40');
    // 410 row versions of 1.0–1.3 KB. Measured with the fillfactor: 4 pages on PGlite, 6 on the
    // PostgreSQL server; without it (the table as before 0008): 10 and 80 pages.
    expect(Number(size!.bytes)).toBeLessThanOrEqual(8 * PAGE);
  });
});
