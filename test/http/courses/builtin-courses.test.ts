import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Database } from '../../../src/db/client';
import { courses, courseVersions, requirements } from '../../../src/db/schema';
import { computeComplianceRows } from '../../../src/modules/compliance/compliance.service';
import { installBuiltinCourses, listCourses } from '../../../src/modules/courses/courses.service';
import { ensureBuiltinCoursesAndRequirements } from '../../../src/modules/demo/demo.service';
import { setLogLevel } from '../../../src/lib/logger';
import { createTestDatabase } from '../../support/db';
import { createCompletion, createEmployee, createUnit } from '../../support/factories';
import { buildBuiltinDist } from '../../fixtures/scorm/builtin';

// Opening a database takes seconds on a busy machine; these tests do real I/O, not timed work.
jest.setTimeout(120_000);

describe('installBuiltinCourses', () => {
  let database: Database;
  let root: string;
  let dataDir: string;
  let distDir: string;

  beforeAll(async () => {
    setLogLevel('silent');
    database = await createTestDatabase();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kv-builtin-'));
    dataDir = path.join(root, 'data');
    distDir = path.join(root, 'dist');
  });
  afterAll(async () => {
    await database.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  test('when nothing is built yet, then every course is reported missing and nothing is created', async () => {
    const results = await installBuiltinCourses(database.db, dataDir, distDir);
    expect(results).toEqual([
      { slug: 'handlingsplan', outcome: 'missing', version: null },
      { slug: 'meldeplikt', outcome: 'missing', version: null },
      { slug: 'taushetsplikt', outcome: 'missing', version: null },
    ]);
    expect(await database.db.select().from(courseVersions)).toEqual([]);
  });

  test('when the built zips exist, then each course gets version 1 tied to its requirement, and a second run changes nothing', async () => {
    // The demo's requirements exist first (as after `kursvakt demo`), pointing at the slugs.
    const courseIds = await ensureBuiltinCoursesAndRequirements(database.db);
    await buildBuiltinDist(root, distDir, { slugs: ['handlingsplan', 'meldeplikt'] });

    const first = await installBuiltinCourses(database.db, dataDir, distDir);
    expect(first).toEqual([
      { slug: 'handlingsplan', outcome: 'installed', version: 1 },
      { slug: 'meldeplikt', outcome: 'installed', version: 1 },
      { slug: 'taushetsplikt', outcome: 'missing', version: null },
    ]);
    const list = await listCourses(database.db);
    const handlingsplan = list.find((c) => c.slug === 'handlingsplan')!;
    expect(handlingsplan).toMatchObject({
      id: courseIds.get('handlingsplan'),
      builtin: true,
      versions: 1,
      scormVersion: '2004',
      scoCount: 1,
      // The title comes from the package's manifest.
      title: 'Eksempelkurs for Eksempel kommune',
    });
    const [req] = await database.db
      .select()
      .from(requirements)
      .where(eq(requirements.courseId, handlingsplan.id));
    expect(req).toBeDefined();
    // Both builds are kept beside the version: the 2004 zip as the package, the 1.2 zip as its twin.
    const files = await fs.readdir(path.join(dataDir, 'packages', String(handlingsplan.id)));
    expect(files.sort()).toEqual(['1', '1-scorm12.zip', '1.zip']);
    expect(
      await fs.readFile(path.join(dataDir, 'packages', String(handlingsplan.id), '1-scorm12.zip')),
    ).toEqual(await fs.readFile(path.join(distDir, 'handlingsplan-scorm12.zip')));

    const again = await installBuiltinCourses(database.db, dataDir, distDir);
    expect(again.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'missing']);
    expect(await database.db.select().from(courseVersions)).toHaveLength(2);
  });

  test('when a built-in course has a requirement but no package yet, then the package becomes version 1 of that same course', async () => {
    const [before] = await database.db.select().from(courses).where(eq(courses.slug, 'taushetsplikt'));
    await buildBuiltinDist(root, distDir, { slugs: ['taushetsplikt'] });
    const results = await installBuiltinCourses(database.db, dataDir, distDir);
    expect(results.find((r) => r.slug === 'taushetsplikt')).toEqual({
      slug: 'taushetsplikt',
      outcome: 'installed',
      version: 1,
    });
    const rows = await database.db.select().from(courses).where(eq(courses.slug, 'taushetsplikt'));
    expect(rows).toEqual([expect.objectContaining({ id: before!.id, builtin: true })]);
  });

  test('when a course changes, then it becomes a new version and a completion of the old version still counts', async () => {
    const unit = await createUnit(database.db);
    const employee = await createEmployee(database.db, { unitId: unit.id, hireDate: '2015-05-01' });
    const [course] = await database.db.select().from(courses).where(eq(courses.slug, 'handlingsplan'));
    const [v1] = await database.db
      .select()
      .from(courseVersions)
      .where(eq(courseVersions.courseId, course!.id));
    await createCompletion(database.db, {
      employeeId: employee.id,
      courseId: course!.id,
      courseVersionId: v1!.id,
      completedOn: '2026-10-01',
      source: 'scorm',
    });
    const statusOn = async () => {
      const rows = await computeComplianceRows(database.db, { scope: { kind: 'all' } }, '2026-11-22');
      return rows.find((r) => r.employee.id === employee.id && r.requirement.courseId === course!.id)!.result;
    };
    const before = await statusOn();
    expect(before.status).toBe('done');

    await buildBuiltinDist(root, distDir, {
      slugs: ['handlingsplan'],
      change: 'Et nytt avsnitt om krisesenteret.',
    });
    const results = await installBuiltinCourses(database.db, dataDir, distDir);
    expect(results).toEqual([
      { slug: 'handlingsplan', outcome: 'installed', version: 2 },
      { slug: 'meldeplikt', outcome: 'unchanged', version: 1 },
      { slug: 'taushetsplikt', outcome: 'unchanged', version: 1 },
    ]);
    const versions = await database.db
      .select()
      .from(courseVersions)
      .where(eq(courseVersions.courseId, course!.id));
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2]);
    expect(versions[0]!.contentHash).not.toBe(versions[1]!.contentHash);
    const after = await statusOn();
    expect(after).toEqual(before);
  });
});

describe('installBuiltinCourses on a database without the demo', () => {
  test('when no course exists yet, then the built-in courses are created as built-in, without requirements', async () => {
    setLogLevel('silent');
    const database = await createTestDatabase();
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kv-builtin-'));
    try {
      await buildBuiltinDist(root, path.join(root, 'dist'), { slugs: ['meldeplikt'] });
      const results = await installBuiltinCourses(
        database.db,
        path.join(root, 'data'),
        path.join(root, 'dist'),
      );
      expect(results.map((r) => r.outcome)).toEqual(['missing', 'installed', 'missing']);
      expect(await database.db.select().from(courses)).toEqual([
        expect.objectContaining({
          slug: 'meldeplikt',
          builtin: true,
          title: 'Eksempelkurs for Eksempel kommune',
        }),
      ]);
      // HR makes the requirements (or `kursvakt demo` does); a package alone does not oblige anyone.
      expect(await database.db.select().from(requirements)).toEqual([]);
    } finally {
      await database.close();
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
