import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { complianceSnapshots, employees } from '../../../src/db/schema';
import { CliError, type CliIo } from '../../../src/lib/cli';
import { yearlyReportCommands } from '../../../src/modules/yearly-report/yearly-report.cli';
import { runSnapshotJob, startSnapshotScheduler } from '../../../src/modules/yearly-report/snapshots.job';
import { takeMonthlySnapshot } from '../../../src/modules/yearly-report/snapshots.service';
import {
  buildYearlyReport,
  type ReportFigure,
} from '../../../src/modules/yearly-report/yearly-report.service';
import { createTestApp, type TestApp } from '../../support/app';
import {
  createCompletion,
  createCourseWithRequirement,
  createEmployee,
  createUnit,
} from '../../support/factories';

jest.setTimeout(120_000);

/** The report's rules on a small hand-made organisation whose every figure is worked out by hand below. */
describe('yearly report rules and monthly snapshots', () => {
  let t: TestApp;
  const today = '2026-11-22';
  const all = { kind: 'all' as const };
  let courseId: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp({ now: new Date(`${today}T10:00:00+01:00`) });
    const db = t.database.db;
    const k = await createUnit(db, { code: 'K', name: 'Kommunen', kind: 'kommune' });
    const s1 = await createUnit(db, { code: 'S1', name: 'Sektor én', parentId: k.id, kind: 'sektor' });
    const v1 = await createUnit(db, { code: 'V1', name: 'Virksomhet én', parentId: s1.id });
    const a1 = await createUnit(db, { code: 'A1', name: 'Avdeling én', parentId: v1.id, kind: 'avdeling' });
    const s2 = await createUnit(db, { code: 'S2', name: 'Sektor to', parentId: k.id, kind: 'sektor' });
    const v2 = await createUnit(db, { code: 'V2', name: 'Virksomhet to', parentId: s2.id });
    Object.assign(ids, { v1: v1.id, a1: a1.id, v2: v2.id });
    const { course } = await createCourseWithRequirement(db, { slug: 'handlingsplan', newHireMonths: 6 });
    courseId = course.id;
    const person = async (
      key: string,
      unitId: number,
      hireDate: string,
      completions: string[],
      endDate?: string,
    ) => {
      const e = await createEmployee(db, { unitId, hireDate, endDate: endDate ?? null, employeeNumber: key });
      ids[key] = e.id;
      for (const completedOn of completions)
        await createCompletion(db, { employeeId: e.id, courseId, completedOn, source: 'import' });
    };
    await person('e1', v1.id, '2015-05-01', ['2023-06-01']); // due 2025-12-31: due soon at year end
    await person('e2', a1.id, '2015-05-01', []); // overdue since 2023-12-31
    await person('e3', v2.id, '2015-05-01', ['2024-05-01'], '2026-03-01'); // left in 2026
    await person('e4', v1.id, '2025-03-01', ['2025-08-01']); // new hire, within 6 months
    await person('e5', v2.id, '2025-02-01', ['2025-10-01']); // new hire, late
    await person('e7', v2.id, '2025-09-01', []); // new hire, first deadline 2026-03-01 not passed
    await person('e8', a1.id, '2015-05-01', ['2024-11-01']);
  });
  afterAll(() => t.close());

  const find = (figures: ReportFigure[], level: string, code: string | null) =>
    figures.find((f) => f.level === level && f.code === code)!;

  test('when the 2025 report is made without snapshots, then the figures are those worked out by hand, and the year before is computed', async () => {
    const r = await buildYearlyReport(t.database.db, all, 2025, today);
    expect(r).toMatchObject({
      asOf: '2025-12-31',
      yearEnded: true,
      previousAsOf: '2024-12-31',
      previousSource: 'computed',
    });
    expect(find(r.figures, 'total', null)).toMatchObject({
      counted: 7,
      done: 4,
      dueSoon: 1,
      overdue: 1,
      todo: 1,
      exempt: 0,
      withValidCompletion: 5,
      newHires: 3,
      newHiresMet: 1,
      newHiresPending: 1,
      previousRate: 0.75,
      change: -3.6,
    });
    expect(find(r.figures, 'total', null).completionRate).toBeCloseTo(5 / 7);
    expect(find(r.figures, 'sector', 'S1')).toMatchObject({ counted: 4, overdue: 1, newHires: 1 });
    expect(find(r.figures, 'sector', 'S2')).toMatchObject({ counted: 3, newHires: 2, newHiresMet: 0 });
    expect(find(r.figures, 'unit', 'V1')).toMatchObject({ counted: 2 });
    expect(find(r.figures, 'unit', 'A1')).toMatchObject({ counted: 2, previousRate: 1 / 2 });
    expect(find(r.figures, 'unit', 'V2')).toMatchObject({ counted: 3 });
    const outcomes = Object.fromEntries(
      r.employeeRows.filter((e) => e.hiredInYear).map((e) => [e.employee, e.firstYearOutcome]),
    );
    expect(outcomes).toEqual({ e4: 'met', e5: 'missed', e7: 'pending' });
  });

  test('when the current year is reported, then it is as of today and whoever has left is no longer counted', async () => {
    const r = await buildYearlyReport(t.database.db, all, 2026, today);
    expect(r).toMatchObject({ asOf: today, yearEnded: false });
    expect(find(r.figures, 'total', null).counted).toBe(6);
    expect(r.employeeRows.map((e) => e.employee)).not.toContain('e3');
    // The year before still counts e3, who was employed then: e3 and e5 done, e7 not yet.
    expect(find(r.figures, 'unit', 'V2')).toMatchObject({ counted: 2 });
    expect(find(r.figures, 'unit', 'V2').previousRate).toBeCloseTo(2 / 3);
  });

  test('when a snapshot is taken twice, then the same rows are stored once; a change in the data replaces them', async () => {
    const db = t.database.db;
    const read = async () =>
      (await db.select().from(complianceSnapshots).where(eq(complianceSnapshots.asOf, '2025-12-31')))
        .map(({ id: _id, createdAt: _c, ...rest }) => rest)
        .sort((a, b) => a.unitId - b.unitId);
    const first = await takeMonthlySnapshot(db, '2025-12-31');
    const once = await read();
    await takeMonthlySnapshot(db, '2025-12-31');
    expect(await read()).toEqual(once);
    expect(first.rows).toBe(3);
    expect(once.map((r) => [r.unitId, r.counted])).toEqual([
      [ids.v1, 2],
      [ids.a1, 2],
      [ids.v2, 3],
    ]);
    // Everyone in A1 moves to V1: the A1 row goes away rather than lingering.
    await db.update(employees).set({ unitId: ids.v1! }).where(eq(employees.unitId, ids.a1!));
    await takeMonthlySnapshot(db, '2025-12-31');
    expect((await read()).map((r) => [r.unitId, r.counted])).toEqual([
      [ids.v1, 4],
      [ids.v2, 3],
    ]);
    await db.update(employees).set({ unitId: ids.a1! }).where(eq(employees.id, ids.e2!));
    await db.update(employees).set({ unitId: ids.a1! }).where(eq(employees.id, ids.e8!));
  });

  test('when a snapshot of the year before exists, then later changes to old data do not change last year’s figures', async () => {
    const db = t.database.db;
    await takeMonthlySnapshot(db, '2024-12-31');
    // A completion entered afterwards, dated back into 2024.
    await createCompletion(db, {
      employeeId: ids.e2!,
      courseId,
      completedOn: '2024-06-01',
      source: 'manual',
      reason: 'Etterregistrert',
    });
    const r = await buildYearlyReport(db, all, 2025, today);
    expect(r.previousSource).toBe('snapshot');
    expect(find(r.figures, 'total', null).previousRate).toBe(0.75);
    expect(find(r.figures, 'unit', 'A1').previousRate).toBe(0.5);
  });

  test('when the CLI prints CSV for one unit, then it has the same figures as the report for that unit only', async () => {
    const out: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => out.push(l) };
    const ctx = { config: t.config, database: t.database, io };
    await yearlyReportCommands.commands['yearly-report']!(
      ['--year', '2025', '--unit', 'S2', '--format', 'csv', '--today', today],
      ctx,
    );
    const records = parse(out.join('\n'), { columns: true, delimiter: ';' }) as Array<Record<string, string>>;
    expect(records.map((r) => `${r['nivå']}:${r['enhetskode']}`)).toEqual([
      'totalt:',
      'sektor:S2',
      'enhet:V2',
    ]);
    expect(records[0]).toMatchObject({
      ansatte_som_teller: '3',
      nyansatte_i_året: '2',
      nyansatte_innen_frist: '0',
    });
    await expect(
      yearlyReportCommands.commands['yearly-report']!(['--year', '2025', '--unit', 'FINNES-IKKE'], ctx),
    ).rejects.toThrow(new CliError('Fant ingen enhet med koden «FINNES-IKKE».'));
    await expect(yearlyReportCommands.commands['yearly-report']!(['--format', 'xml'], ctx)).rejects.toThrow(
      'Oppgi året med --year',
    );
    await expect(
      yearlyReportCommands.commands['yearly-report']!(['--year', '2025', '--format', 'xml'], ctx),
    ).rejects.toThrow('Formatet må være json eller csv');
    await expect(
      yearlyReportCommands.commands['yearly-report']!(['--year', '2030', '--today', today], ctx),
    ).rejects.toThrow('Årsrapporten for 2030 kan ikke lages før året har begynt.');
    out.length = 0;
    await yearlyReportCommands.commands.snapshots!(['take', '--as-of', '2026-10-31'], ctx);
    expect(out[0]).toBe('Øyeblikksbilde per 2026-10-31 er lagret (3 rader per enhet og kurskrav).');
  });

  test('when the server’s snapshot job runs, then it stores last month end once and leaves it alone after', async () => {
    const db = t.database.db;
    const clock = () => new Date('2026-09-10T08:00:00+02:00');
    const rowsOf = () =>
      db.select().from(complianceSnapshots).where(eq(complianceSnapshots.asOf, '2026-08-31'));
    expect(await rowsOf()).toHaveLength(0);
    await runSnapshotJob(db, clock);
    const first = await rowsOf();
    expect(first.length).toBe(3);
    await runSnapshotJob(db, clock);
    expect((await rowsOf()).map((r) => r.id)).toEqual(first.map((r) => r.id));
    const stop = startSnapshotScheduler({ ...t.config, schedulerEnabled: false }, db, clock);
    expect(stop()).toBeUndefined();
  });
});
