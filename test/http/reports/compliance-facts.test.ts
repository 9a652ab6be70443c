import { sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../../../src/db/client';
import { isTransaction, openDatabase, queryRows, readAll } from '../../../src/db/client';
import {
  currentFacts,
  factsFor,
  loadFactsSnapshot,
  type ComplianceFacts,
} from '../../../src/modules/compliance/compliance-facts';
import { readComplianceVersion } from '../../../src/modules/compliance/compliance.repo';
import { computeComplianceRows } from '../../../src/modules/compliance/compliance.service';
import { buildOrgReport } from '../../../src/modules/reports/reports.service';
import { createTestDatabase } from '../../support/db';
import {
  createCompletion,
  createCourseWithRequirement,
  createEmployee,
  createExemption,
  createUnit,
} from '../../support/factories';

jest.setTimeout(60_000);

const AS_OF = '2026-11-22';
const all = { kind: 'all' as const };

/** The cached compliance facts: read once, and read again exactly when a committed change makes them stale. */
describe('the compliance facts cache', () => {
  let database: Database;
  let employeeId: number;
  let courseId: number;
  let requirementId: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.db;
    const unit = await createUnit(db, { code: 'SKOLE' });
    const { course, requirement } = await createCourseWithRequirement(db, { slug: 'handlingsplan' });
    courseId = course.id;
    requirementId = requirement.id;
    employeeId = (await createEmployee(db, { unitId: unit.id, hireDate: '2015-01-01' })).id;
  });
  afterAll(() => database.close());

  const statusOf = async () =>
    (await computeComplianceRows(database.db, { scope: all, employeeId }, AS_OF))[0]?.result.status;

  test('when code asks whether it runs inside a transaction, then the answer is right for both', async () => {
    expect(isTransaction(database.db)).toBe(false);
    expect(await database.db.transaction(async (tx) => isTransaction(tx))).toBe(true);
  });

  test('when several reads run inside a transaction, then they run one after another, and at once outside', async () => {
    const reads = (db: DbOrTx, log: string[]) =>
      [1, 2, 3].map((n) => async () => {
        log.push(`start ${n}`);
        const [row] = await queryRows<{ n: number }>(db, sql`select ${n}::int as n`);
        log.push(`end ${n}`);
        return row!.n;
      });
    const inside: string[] = [];
    const outside: string[] = [];
    expect(await database.db.transaction((tx) => readAll(tx, reads(tx, inside)))).toEqual([1, 2, 3]);
    expect(inside).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(await readAll(database.db, reads(database.db, outside))).toEqual([1, 2, 3]);
    expect(outside.slice(0, 3)).toEqual(['start 1', 'start 2', 'start 3']);
  });

  test('when nothing changes, then the same facts are served without reading them again', async () => {
    const first = await currentFacts(database.db);
    const second = await currentFacts(database.db);
    expect(second).toBe(first);
    expect(first.version).toBe(await readComplianceVersion(database.db));
  });

  test('when a completion is written straight into the table, then the next evaluation sees it', async () => {
    expect(await statusOf()).toBe('overdue');
    const before = await readComplianceVersion(database.db);
    // Raw SQL, not a service: the triggers, not the application, must notice the change.
    await database.db.execute(
      sql`insert into completions (employee_id, course_id, completed_on, source) values (${employeeId}, ${courseId}, '2026-10-01', 'manual')`,
    );
    expect(await readComplianceVersion(database.db)).toBeGreaterThan(before);
    expect(await statusOf()).toBe('done');
    const report = await buildOrgReport(database.db, all, AS_OF);
    expect(report.overall.total.done).toBe(1);
  });

  test('when a statement changes no rows, then the version stays and the facts are kept', async () => {
    const facts = await currentFacts(database.db);
    await database.db.execute(sql`update employees set first_name = 'Ingen' where id = -1`);
    await database.db.execute(sql`delete from exemptions where id = -1`);
    expect(await readComplianceVersion(database.db)).toBe(facts.version);
    expect(await currentFacts(database.db)).toBe(facts);
  });

  test('when a transaction has not committed yet, then only that transaction sees its change', async () => {
    expect(await statusOf()).toBe('done');
    let seenInside: string | null | undefined;
    let seenOutside: string | null | undefined;
    await database.db
      .transaction(async (tx) => {
        await createExemption(tx as never, {
          employeeId,
          requirementId,
          validFrom: '2026-01-01',
          validUntil: null,
          reason: 'Langtidssykmeldt',
        });
        seenInside = (await computeComplianceRows(tx, { scope: all, employeeId }, AS_OF))[0]?.result.status;
        if (database.kind === 'postgres') seenOutside = await statusOf();
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
    expect(seenInside).toBe('exempt');
    if (database.kind === 'postgres') expect(seenOutside).toBe('done');
    expect(await statusOf()).toBe('done');
  });

  test('when a transaction has changed nothing, then it is served the cached facts; once it writes, its own view', async () => {
    const cached = await currentFacts(database.db);
    await database.db
      .transaction(async (tx) => {
        expect(await factsFor(tx, { scope: all })).toBe(cached);
        await createEmployee(tx as never, { unitId: null, firstName: 'Uforpliktet' });
        const own = await factsFor(tx, { scope: all });
        expect(own).not.toBe(cached);
        expect(own.employees.map((e) => e.firstName)).toContain('Uforpliktet');
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
    expect(await currentFacts(database.db)).toBe(cached);
  });

  test('when another app instance on the same database changes data, then this instance sees it at once', async () => {
    const url = process.env.TEST_DATABASE_URL;
    // PGlite lives inside one process, so a second instance can only be a second PostgreSQL pool.
    const other: Database =
      url && database.kind === 'postgres'
        ? await openDatabase({
            dataDir: '',
            databaseUrl: url,
            schema: (await queryRows<{ s: string }>(database.db, sql`select current_schema() as s`))[0]!.s,
          })
        : database;
    try {
      await currentFacts(database.db);
      const { requirement } = await createCourseWithRequirement(other.db, { slug: 'taushetsplikt' });
      const rows = await computeComplianceRows(database.db, { scope: all, employeeId }, AS_OF);
      expect(rows.map((r) => r.requirement.id)).toContain(requirement.id);
      await createCompletion(other.db, {
        employeeId,
        courseId: requirement.courseId,
        completedOn: '2026-11-01',
        source: 'manual',
      });
      const after = await computeComplianceRows(database.db, { scope: all, employeeId }, AS_OF);
      expect(after.find((r) => r.requirement.id === requirement.id)?.result.status).toBe('done');
    } finally {
      if (other !== database) await other.close();
    }
  });

  test('when many callers ask while the facts are stale, then they share one read', async () => {
    await createEmployee(database.db, { unitId: null });
    const results = await Promise.all(Array.from({ length: 8 }, () => currentFacts(database.db)));
    expect(new Set(results).size).toBe(1);
    expect(results[0]!.version).toBe(await readComplianceVersion(database.db));
  });

  test('when reports are asked again, then the same data version answers from the cache, per scope, and a change is seen at once', async () => {
    const db = database.db;
    const [north, south] = [await createUnit(db, { code: 'NORD' }), await createUnit(db, { code: 'SOR' })];
    const northPerson = await createEmployee(db, { unitId: north.id, hireDate: '2015-01-01' });
    await createEmployee(db, { unitId: south.id, hireDate: '2015-01-01' });
    const scopeOf = (unit: { id: number; path: string }) => ({
      kind: 'units' as const,
      rootUnitIds: [unit.id],
      paths: [unit.path],
    });
    const [northUnit] = await queryRows<{ id: number; path: string }>(
      db,
      sql`select id, path from org_units where id = ${north.id}`,
    );
    const [southUnit] = await queryRows<{ id: number; path: string }>(
      db,
      sql`select id, path from org_units where id = ${south.id}`,
    );

    const first = await buildOrgReport(db, scopeOf(northUnit!), AS_OF);
    const again = await buildOrgReport(db, scopeOf(northUnit!), AS_OF);
    expect(again.statusRows).toBe(first.statusRows);
    // Another scope on the same version is its own report: only its own people.
    const other = await buildOrgReport(db, scopeOf(southUnit!), AS_OF);
    expect(other.statusRows).not.toBe(first.statusRows);
    expect(new Set(other.statusRows.map((r) => r.employee.unitId))).toEqual(new Set([south.id]));
    expect(new Set(first.statusRows.map((r) => r.employee.id))).toEqual(new Set([northPerson.id]));
    // Another date is evaluated anew.
    expect((await buildOrgReport(db, scopeOf(northUnit!), '2020-01-01')).statusRows).not.toBe(
      first.statusRows,
    );

    expect(first.overall.employees).toBe(1);
    const overdueBefore = first.overall.total.overdue;
    expect(overdueBefore).toBeGreaterThan(0);
    await createCompletion(db, {
      employeeId: northPerson.id,
      courseId,
      completedOn: '2026-10-01',
      source: 'manual',
    });
    const after = await buildOrgReport(db, scopeOf(northUnit!), AS_OF);
    expect(after.overall.total.overdue).toBe(overdueBefore - 1);
    expect(after.overall.total.done).toBe(first.overall.total.done + 1);
  });

  /** The per-person part of the facts, comparable with toEqual. */
  const perPerson = (facts: ComplianceFacts) => ({
    completions: [...facts.completionDates]
      .sort(([a], [b]) => a - b)
      .map(([id, byCourse]) => [id, [...byCourse].sort()]),
    exemptions: [...facts.exemptions]
      .sort(([a], [b]) => a - b)
      .map(([id, list]) => [id, list.map((x) => ({ ...x }))]),
  });

  test('when only completions and exemptions are added, then just those people are read again, and the facts equal a full read', async () => {
    const db = database.db;
    const unit = await createUnit(db, { code: 'INKR' });
    const [a, b] = [
      await createEmployee(db, { unitId: unit.id, hireDate: '2015-01-01' }),
      await createEmployee(db, { unitId: unit.id, hireDate: '2016-01-01' }),
    ];
    const wrong = await createCompletion(db, {
      employeeId: a.id,
      courseId,
      completedOn: '2025-03-01',
      source: 'manual',
    });
    const before = await currentFacts(db);

    // A completion for two people in one statement, a correction that voids one, and an exemption.
    await db.execute(
      sql`insert into completions (employee_id, course_id, completed_on, source) values (${a.id}, ${courseId}, '2026-09-01', 'scorm'), (${b.id}, ${courseId}, '2026-09-02', 'scorm')`,
    );
    await db.execute(
      sql`insert into completions (employee_id, course_id, completed_on, source, reason, voids_completion_id) values (${a.id}, ${courseId}, '2025-03-01', 'void', 'Feilregistrert', ${wrong.id})`,
    );
    await createExemption(db, {
      employeeId: b.id,
      requirementId,
      validFrom: '2026-01-01',
      reason: 'Permisjon',
    });

    const after = await currentFacts(db);
    expect(after.version).toBe(await readComplianceVersion(db));
    // Incremental: the employee list is the very same object, the people's dates are new.
    expect(after.employees).toBe(before.employees);
    expect(after.completionDates.get(a.id)?.get(courseId)).toEqual(['2026-09-01']);
    expect(after.completionDates.get(b.id)?.get(courseId)).toEqual(['2026-09-02']);
    expect(after.exemptions.get(b.id)?.map((x) => x.reason)).toEqual(['Permisjon']);
    // The older facts are untouched, for whoever still holds them.
    expect(before.completionDates.get(a.id)?.get(courseId)).toEqual(['2025-03-01']);
    expect(perPerson(after)).toEqual(perPerson(await loadFactsSnapshot(db)));
  });

  test('when a report was made before a completion, then the next report keeps the due dates of everyone else and equals the full evaluation', async () => {
    const db = database.db;
    const unit = await createUnit(db, { code: 'BEHOLD' });
    const [a, b] = [
      await createEmployee(db, { unitId: unit.id, hireDate: '2015-01-01' }),
      await createEmployee(db, { unitId: unit.id, hireDate: '2016-01-01' }),
    ];
    await createCompletion(db, { employeeId: b.id, courseId, completedOn: '2025-06-01', source: 'manual' });
    const shape = (
      rows: Array<{
        employee: { id: number };
        requirement: { id: number };
        result: { status: string | null };
      }>,
    ) => rows.map((r) => `${r.employee.id}|${r.requirement.id}|${r.result.status}`).sort();
    // Two dates, so both the kept pairs and the ones before a completion are asked for.
    for (const asOf of [AS_OF, '2025-07-01']) await buildOrgReport(db, all, asOf);

    await createCompletion(db, { employeeId: a.id, courseId, completedOn: '2026-10-01', source: 'scorm' });
    const facts = await currentFacts(db);
    expect(facts.refreshedFrom?.employeeIds).toEqual([a.id]);
    for (const asOf of [AS_OF, '2025-07-01', '2026-10-01']) {
      const report = await buildOrgReport(db, all, asOf);
      const full = (await computeComplianceRows(db, { scope: all }, asOf)).filter((r) => r.result.counted);
      expect(shape(report.statusRows)).toEqual(shape(full));
    }
    const latest = await buildOrgReport(db, all, AS_OF);
    expect(latest.statusRows.find((r) => r.employee.id === a.id)?.result.status).toBe('done');
  });

  test('when anything else changes, or the change log has a gap, then everything is read again', async () => {
    const db = database.db;
    const unit = await createUnit(db, { code: 'FULL' });
    const person = await createEmployee(db, { unitId: unit.id, hireDate: '2015-01-01' });
    const before = await currentFacts(db);
    await db.execute(sql`update employees set last_name = 'Endret' where id = ${person.id}`);
    const afterUpdate = await currentFacts(db);
    expect(afterUpdate.employees).not.toBe(before.employees);
    expect(afterUpdate.employeeById.get(person.id)?.lastName).toBe('Endret');

    // A completion whose log row is gone (as if pruned): the cache cannot trust the log.
    await createCompletion(db, {
      employeeId: person.id,
      courseId,
      completedOn: '2026-08-01',
      source: 'manual',
    });
    await db.execute(
      sql`delete from fact_changes where version = (select version from data_versions where key = 'compliance')`,
    );
    const afterGap = await currentFacts(db);
    expect(afterGap.employees).not.toBe(afterUpdate.employees);
    expect(afterGap.completionDates.get(person.id)?.get(courseId)).toEqual(['2026-08-01']);
  });
});
