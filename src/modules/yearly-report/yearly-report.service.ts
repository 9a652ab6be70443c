import type { Db } from '../../db/client';
import { addMonths, compareDates, endOfYear, type LocalDate } from '../../lib/dates';
import { ValidationError } from '../../lib/errors';
import { listEffectiveCompletions, listRequirements } from '../compliance/compliance.repo';
import { computeComplianceRows, ruleOf, type ComplianceRow } from '../compliance/compliance.service';
import {
  addStatusCounts,
  completionRateOf,
  computeFirstDueDate,
  emptyStatusCounts,
  summarizeStatuses,
  type StatusCounts,
  type StatusSummary,
} from '../compliance/deadline-engine';
import { listUnits, type UnitRecord } from '../org/org.repo';
import type { UnitScope } from '../org/unit-scope';
import { toReportRow, type ReportRow } from '../reports/report-row';
import { buildReviewYear, type ReviewYear } from '../reviews/reviews.service';
import { hasSnapshot, listSnapshotRows, type SnapshotRow } from './snapshots.repo';
import { countMailsSentByUnitPath } from './yearly-report.repo';

/**
 * The yearly report of the action plan (section 7.1): completion per sector, unit and course at the
 * end of a year, the change since the year before, new hires' first-year deadline, the units'
 * yearly reviews and the mails sent. Every figure is a count over the per-employee rows of
 * `employeeRows` (statuses as of `asOf`), except "the year before", which comes from the stored
 * month-end snapshot when there is one.
 */

export type FigureLevel = 'total' | 'sector' | 'unit';

export type Counts = StatusCounts;

export interface ReportFigure extends Counts {
  level: FigureLevel;
  /** Unit code of the sector or unit; null for the total and for employees without a unit. */
  code: string | null;
  name: string;
  /** For unit rows: the sector (or, for leaders, the led unit) the unit belongs to. */
  sectorCode: string | null;
  course: string;
  courseTitle: string;
  completionRate: number | null;
  previousRate: number | null;
  /** Change in percentage points from the year before, rounded to one decimal. */
  change: number | null;
  newHires: number;
  newHiresMet: number;
  newHiresPending: number;
}

export type FirstYearOutcome = 'met' | 'missed' | 'pending';

/** A per-employee row as of the report date: the `kursvakt report` row plus what the yearly figures need. */
export interface YearlyEmployeeRow extends ReportRow {
  sector: string | null;
  hireDate: LocalDate;
  endDate: LocalDate | null;
  hiredInYear: boolean;
  firstYearDue: LocalDate | null;
  firstCompletion: LocalDate | null;
  firstYearOutcome: FirstYearOutcome | null;
}

export interface SectorReviewCount {
  code: string;
  name: string;
  withReview: number;
  withoutReview: number;
}

export interface YearlyReport {
  year: number;
  asOf: LocalDate;
  /** true when the year is over and asOf is 31 December; false for the current year (asOf = today). */
  yearEnded: boolean;
  previousAsOf: LocalDate;
  previousSource: 'snapshot' | 'computed';
  groupLabel: string;
  courses: Array<{ course: string; courseTitle: string }>;
  figures: ReportFigure[];
  employeeRows: YearlyEmployeeRow[];
  reviews: ReviewYear;
  reviewsBySector: SectorReviewCount[];
  unitsWithReview: number;
  unitsWithoutReview: number;
  mailsSent: number;
  mailsSentBySector: Array<{ code: string | null; name: string; sent: number }>;
}

/** The counts of a and b added up (only the counts: rows may carry more fields). */
function addCounts(a: Counts, b: Counts): Counts {
  const sum = emptyStatusCounts();
  addStatusCounts(sum, a);
  addStatusCounts(sum, b);
  return sum;
}

function countsOfSummary(s: StatusSummary): Counts {
  return addCounts(emptyStatusCounts(), s);
}

/** The report date of a year: 31 December once the year is over, today while it runs. */
export function reportDateOf(year: number, today: LocalDate): { asOf: LocalDate; yearEnded: boolean } {
  const end = endOfYear(year);
  if (compareDates(end, today) < 0) return { asOf: end, yearEnded: true };
  if (Number(today.slice(0, 4)) === year) return { asOf: today, yearEnded: false };
  throw new ValidationError(`Årsrapporten for ${year} kan ikke lages før året har begynt.`);
}

/** Where a unit belongs at the "sector" level: below the municipality for HR, the led unit for a leader. */
function sectorResolver(scope: UnitScope, units: UnitRecord[]) {
  const byId = new Map(units.map((u) => [u.id, u]));
  return (unitPath: string | null): UnitRecord | null => {
    if (!unitPath) return null;
    const ids = unitPath.split('/').filter(Boolean).map(Number);
    if (scope.kind === 'all') return byId.get(ids[1] ?? ids[0]!) ?? null;
    const roots = scope.paths.filter((p) => unitPath.startsWith(p)).sort((a, b) => a.length - b.length);
    if (roots.length === 0) return null;
    const rootIds = roots[0]!.split('/').filter(Boolean);
    return byId.get(Number(rootIds[rootIds.length - 1])) ?? null;
  };
}

type Keyed = { level: FigureLevel; groupId: number | null; requirementId: number };
const keyOf = (k: Keyed) => `${k.level}:${k.groupId ?? '-'}:${k.requirementId}`;

/** Builds the report for a scope (HR: everything; a leader: their units) and a year. */
export async function buildYearlyReport(
  db: Db,
  scope: UnitScope,
  year: number,
  today: LocalDate,
): Promise<YearlyReport> {
  const { asOf, yearEnded } = reportDateOf(year, today);
  const previousAsOf = endOfYear(year - 1);
  const units = await listUnits(db, scope);
  const unitById = new Map(units.map((u) => [u.id, u]));
  const sectorOf = sectorResolver(scope, units);

  const [rows, completionList, snapshotExists, reviews, mailRows] = await Promise.all([
    computeComplianceRows(db, { scope }, asOf),
    listEffectiveCompletions(db, { scope, activeOn: asOf }, asOf),
    hasSnapshot(db, previousAsOf),
    buildReviewYear(db, scope, year),
    countMailsSentByUnitPath(db, scope, year),
  ]);

  // The earliest completion of each employee and course, for the new hires' first-year deadline.
  const firstCompletion = new Map<string, LocalDate>();
  for (const c of completionList) {
    const key = `${c.employeeId}:${c.courseId}`;
    const known = firstCompletion.get(key);
    if (!known || compareDates(c.completedOn, known) < 0) firstCompletion.set(key, c.completedOn);
  }

  const employeeRows: YearlyEmployeeRow[] = rows.map((row) => {
    const hiredInYear = row.employee.hireDate.startsWith(`${year}-`);
    const first = firstCompletion.get(`${row.employee.id}:${row.requirement.courseId}`) ?? null;
    let firstYearDue: LocalDate | null = null;
    let outcome: FirstYearOutcome | null = null;
    if (hiredInYear) {
      firstYearDue = computeFirstDueDate(ruleOf(row.requirement), row.employee.hireDate).dueDate;
      if (first && compareDates(first, firstYearDue) <= 0) outcome = 'met';
      else outcome = compareDates(firstYearDue, asOf) >= 0 ? 'pending' : 'missed';
    }
    return {
      ...toReportRow(row),
      sector: sectorOf(row.employee.unitPath)?.code ?? null,
      hireDate: row.employee.hireDate,
      endDate: row.employee.endDate,
      hiredInYear,
      firstYearDue,
      firstCompletion: first,
      firstYearOutcome: outcome,
    };
  });

  const requirements = new Map<number, ComplianceRow['requirement']>();
  for (const r of rows) requirements.set(r.requirement.id, r.requirement);
  const requirementIds = [...requirements.keys()].sort((a, b) => a - b);

  // Current counts per (level, group, requirement), from the per-employee rows.
  const current = new Map<
    string,
    Counts & { newHires: number; newHiresMet: number; newHiresPending: number }
  >();
  const groupKeys = (unitId: number | null, unitPath: string | null, requirementId: number): Keyed[] => [
    { level: 'total', groupId: null, requirementId },
    { level: 'sector', groupId: sectorOf(unitPath)?.id ?? null, requirementId },
    { level: 'unit', groupId: unitId, requirementId },
  ];
  rows.forEach((row, i) => {
    const counts = countsOfSummary(summarizeStatuses([row.result]));
    const e = employeeRows[i]!;
    for (const k of groupKeys(row.employee.unitId, row.employee.unitPath, row.requirement.id)) {
      const key = keyOf(k);
      const acc = current.get(key) ?? {
        ...emptyStatusCounts(),
        newHires: 0,
        newHiresMet: 0,
        newHiresPending: 0,
      };
      const sum = addCounts(acc, counts);
      current.set(key, {
        ...sum,
        newHires: acc.newHires + (e.hiredInYear ? 1 : 0),
        newHiresMet: acc.newHiresMet + (e.firstYearOutcome === 'met' ? 1 : 0),
        newHiresPending: acc.newHiresPending + (e.firstYearOutcome === 'pending' ? 1 : 0),
      });
    }
  });

  // The year before: the stored month-end snapshot when there is one, else computed as of that day.
  const previous = new Map<string, Counts>();
  const addPrevious = (k: Keyed, counts: Counts) =>
    previous.set(keyOf(k), addCounts(previous.get(keyOf(k)) ?? emptyStatusCounts(), counts));
  if (snapshotExists) {
    const snapshotRows: SnapshotRow[] = await listSnapshotRows(
      db,
      previousAsOf,
      previousAsOf,
      units.map((u) => u.id),
    );
    for (const s of snapshotRows) {
      const unit = unitById.get(s.unitId);
      if (!unit) continue;
      for (const k of groupKeys(unit.id, unit.path, s.requirementId)) addPrevious(k, s);
    }
    // Snapshots hold units only; HR's totals also count employees without a unit, evaluated as of that day.
    if (scope.kind === 'all') {
      const withoutUnit = (await computeComplianceRows(db, { scope }, previousAsOf)).filter(
        (r) => r.employee.unitId === null,
      );
      for (const row of withoutUnit) {
        const counts = countsOfSummary(summarizeStatuses([row.result]));
        for (const k of groupKeys(null, null, row.requirement.id)) addPrevious(k, counts);
      }
    }
  } else {
    const previousRows = await computeComplianceRows(db, { scope }, previousAsOf);
    for (const row of previousRows) {
      const counts = countsOfSummary(summarizeStatuses([row.result]));
      for (const k of groupKeys(row.employee.unitId, row.employee.unitPath, row.requirement.id))
        addPrevious(k, counts);
    }
  }

  const figures: ReportFigure[] = [];
  const push = (level: FigureLevel, group: UnitRecord | null, sectorCode: string | null) => {
    for (const requirementId of requirementIds) {
      const k = keyOf({ level, groupId: group?.id ?? null, requirementId });
      const c = current.get(k);
      if (!c) continue;
      const requirement = requirements.get(requirementId)!;
      const rate = completionRateOf(c);
      const prev = previous.get(k);
      const previousRate = prev ? completionRateOf(prev) : null;
      figures.push({
        level,
        code: group?.code ?? null,
        name: level === 'total' ? 'Totalt' : (group?.name ?? 'Uten enhet'),
        sectorCode,
        course: requirement.courseSlug,
        courseTitle: requirement.courseTitle,
        ...c,
        completionRate: rate,
        previousRate,
        change: rate !== null && previousRate !== null ? Math.round((rate - previousRate) * 1000) / 10 : null,
      });
    }
  };
  push('total', null, null);
  const sectors = units.filter((u) => sectorOf(u.path)?.id === u.id);
  for (const sector of sectors) push('sector', sector, sector.code);
  push('sector', null, null);
  for (const unit of units) push('unit', unit, sectorOf(unit.path)?.code ?? null);
  push('unit', null, null);

  const reviewsBySector = sectors
    .map((sector) => {
      const own = reviews.units.filter((u) => sectorOf(u.unit.path)?.id === sector.id);
      return {
        code: sector.code,
        name: sector.name,
        withReview: own.filter((u) => u.complete).length,
        withoutReview: own.filter((u) => !u.complete).length,
      };
    })
    .filter((s) => s.withReview + s.withoutReview > 0);

  const mailsBySector = new Map<string, { code: string | null; name: string; sent: number }>();
  for (const m of mailRows) {
    const sector = sectorOf(m.unitPath);
    const key = sector?.code ?? '-';
    const entry = mailsBySector.get(key) ?? {
      code: sector?.code ?? null,
      name: sector?.name ?? 'Uten enhet',
      sent: 0,
    };
    entry.sent += m.sent;
    mailsBySector.set(key, entry);
  }

  return {
    year,
    asOf,
    yearEnded,
    previousAsOf,
    previousSource: snapshotExists ? 'snapshot' : 'computed',
    groupLabel: scope.kind === 'all' ? 'Sektor' : 'Enhet du leder',
    courses: requirementIds.map((id) => ({
      course: requirements.get(id)!.courseSlug,
      courseTitle: requirements.get(id)!.courseTitle,
    })),
    figures,
    employeeRows,
    reviews,
    reviewsBySector,
    unitsWithReview: reviews.units.filter((u) => u.complete).length,
    unitsWithoutReview: reviews.units.filter((u) => !u.complete).length,
    mailsSent: mailRows.reduce((n, m) => n + m.sent, 0),
    mailsSentBySector: [...mailsBySector.values()],
  };
}

export interface TrendSeries {
  labels: LocalDate[];
  series: Array<{ course: string; courseTitle: string; rates: Array<number | null> }>;
}

/** Completion rate per course at each stored month end of the 24 months up to the report date, for the scope's units. */
export async function buildTrend(
  db: Db,
  scope: UnitScope,
  asOf: LocalDate,
  courses: YearlyReport['courses'],
): Promise<TrendSeries> {
  const units = await listUnits(db, scope);
  const snapshotRows = await listSnapshotRows(
    db,
    addMonths(asOf, -24),
    asOf,
    units.map((u) => u.id),
  );
  const requirementList = await listRequirements(db, { activeOnly: true });
  const slugOf = new Map(requirementList.map((r) => [r.id, r.courseSlug]));
  const labels = [...new Set(snapshotRows.map((r) => r.asOf))].sort();
  const sums = new Map<string, Counts>();
  for (const r of snapshotRows) {
    const slug = slugOf.get(r.requirementId);
    if (!slug) continue;
    const key = `${r.asOf}:${slug}`;
    sums.set(key, addCounts(sums.get(key) ?? emptyStatusCounts(), r));
  }
  const trend: TrendSeries = {
    labels,
    series: courses.map((c) => ({
      course: c.course,
      courseTitle: c.courseTitle,
      rates: labels.map((d) => {
        const s = sums.get(`${d}:${c.course}`);
        const rate = s ? completionRateOf(s) : null;
        return rate === null ? null : Math.round(rate * 1000) / 10;
      }),
    })),
  };
  return trend;
}
