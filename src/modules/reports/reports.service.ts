import type { DbOrTx } from '../../db/client';
import type { LocalDate } from '../../lib/dates';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { factsFor, selectEmployees, selectUnits, type ComplianceFacts } from '../compliance/compliance-facts';
import { lacksEmailAddress } from '../compliance/compliance.repo';
import { computeComplianceRows, evaluatePair, type ComplianceRow } from '../compliance/compliance.service';
import type { ComplianceStatus } from '../compliance/deadline-engine';
import { findUnitByCode, findUnitById, type UnitRecord } from '../org/org.repo';
import { assertUnitInScope, scopeKeyOf, type UnitScope } from '../org/unit-scope';
import {
  computeFigures,
  sortUnitFigures,
  type Figures,
  type RequirementInfo,
  type SortDirection,
  type UnitFigures,
  type UnitSortKey,
} from './report-figures';
import { toReportRow, type ReportRow } from './report-row';
import { evaluateForFigures, type StatusRow } from './lean-evaluation';
import { listFlaggedEmployees, type FlaggedEmployee } from './reports.repo';
import { compareNorwegian } from '../../lib/text';

export interface ReportFilters {
  /** One unit (with its sub-units); must be inside the scope. */
  unitId?: number;
  /** One requirement ("kurs" in the UI); unknown ids are refused. */
  requirementId?: number;
  sort?: UnitSortKey;
  direction?: SortDirection;
}

export interface OrgReport {
  asOf: LocalDate;
  selectedUnit: UnitRecord | null;
  /** Every unit in the scope, in path order (for the unit filter), whatever unit is chosen. */
  scopeUnits: UnitRecord[];
  /** Every active requirement, for the course filter. */
  allRequirements: RequirementInfo[];
  /** The requirements in the figures: all, or the one chosen. */
  requirements: RequirementInfo[];
  /** Units in the scope (below the chosen unit), in display order, each with sub-units included. */
  units: UnitFigures[];
  overall: Figures['overall'];
  /**
   * Every counted employee × requirement behind the figures, with its status but without due date
   * and reason (those are worked out by selectEmployeeRows for the rows a page lists).
   */
  statusRows: StatusRow[];
  /** The facts the figures were evaluated from. */
  facts: ComplianceFacts;
}

/**
 * Reports built from one version of the facts, by scope, date and filters, least recently used
 * first. A new data version brings new facts, and with them an empty cache, so a cached report is
 * never stale. Bounded by the rows the reports hold, as the organisation-wide one holds one per
 * employee and requirement.
 */
const reportCache = new WeakMap<ComplianceFacts, Map<string, OrgReport>>();
const CACHED_ROWS_PER_FACTS = 400_000;

function cacheKey(scope: UnitScope, asOf: LocalDate, unitId?: number, requirementId?: number): string {
  return `${scopeKeyOf(scope)}|${asOf}|${unitId ?? ''}|${requirementId ?? ''}`;
}

function remember(facts: ComplianceFacts, key: string, report: OrgReport): void {
  if (facts.version === null) return; // read inside a transaction: not shared
  let reports = reportCache.get(facts);
  if (!reports) reportCache.set(facts, (reports = new Map()));
  reports.set(key, report);
  let rows = 0;
  for (const r of reports.values()) rows += r.statusRows.length;
  for (const [oldKey, old] of reports) {
    if (rows <= CACHED_ROWS_PER_FACTS || oldKey === key) break;
    reports.delete(oldKey);
    rows -= old.statusRows.length;
  }
}

/**
 * The report for a scope on a date: figures per unit (with sub-units) and overall, evaluated from
 * the compliance facts in one pass. Used by the leader dashboard, the HR report, the exports and
 * the benchmark. Reports are cached per data version; the caller must not change what it gets.
 * `seenVersion`: the compliance version the caller has just read, if it has (see currentFacts).
 */
export async function buildOrgReport(
  db: DbOrTx,
  scope: UnitScope,
  asOf: LocalDate,
  filters: ReportFilters = {},
  seenVersion?: number,
): Promise<OrgReport> {
  const facts = await factsFor(db, { scope }, seenVersion);
  let selectedUnit: UnitRecord | null = null;
  if (filters.unitId !== undefined) {
    selectedUnit =
      facts.units.find((u) => u.id === filters.unitId) ?? (await findUnitById(db, filters.unitId));
    // A leader learns nothing from the answer: an unknown unit is refused like another leader's.
    if (!selectedUnit && scope.kind === 'all') throw new NotFoundError('Enheten finnes ikke.');
    assertUnitInScope(scope, selectedUnit?.path);
  }
  const sorted = (report: OrgReport): OrgReport => ({
    ...report,
    units: sortUnitFigures(report.units, filters.sort ?? 'tre', filters.direction ?? 'stigende'),
  });
  const key = cacheKey(scope, asOf, filters.unitId, filters.requirementId);
  const cached = reportCache.get(facts)?.get(key);
  if (cached) {
    const reports = reportCache.get(facts)!;
    reports.delete(key);
    reports.set(key, cached);
    return sorted(cached);
  }

  const allRequirements: RequirementInfo[] = facts.requirements.map((r) => ({
    id: r.id,
    courseSlug: r.courseSlug,
    courseTitle: r.courseTitle,
  }));
  let requirements = allRequirements;
  if (filters.requirementId !== undefined) {
    requirements = allRequirements.filter((r) => r.id === filters.requirementId);
    if (requirements.length === 0) throw new ValidationError('Kurset i filteret finnes ikke.');
  }
  const chosen = facts.requirements.filter((r) => requirements.some((x) => x.id === r.id));
  const unitPath = selectedUnit?.path;
  const unitList = selectUnits(facts, scope);
  const counted = selectEmployees(facts, { scope, unitPath, activeOn: asOf });
  const rows = evaluateForFigures(facts, chosen, counted, asOf);
  const units = selectedUnit ? unitList.filter((u) => u.path.startsWith(selectedUnit.path)) : unitList;
  const figures = computeFigures(units, requirements, rows);
  const report: OrgReport = {
    asOf,
    selectedUnit,
    scopeUnits: unitList,
    allRequirements,
    requirements,
    units: figures.units,
    overall: figures.overall,
    statusRows: rows,
    facts,
  };
  remember(facts, key, report);
  return sorted(report);
}

/** Which employee rows a dashboard lists: those to follow up (default), all, or one status. */
export type EmployeeListFilter = 'oppfolging' | 'alle' | ComplianceStatus;

const statusOrder: Record<ComplianceStatus, number> = {
  overdue: 0,
  due_soon: 1,
  todo: 2,
  exempt: 3,
  done: 4,
};

// Listed rows per report (by its evaluated rows, which a cached report shares) and filter.
const listedRows = new WeakMap<StatusRow[], Map<EmployeeListFilter, ComplianceRow[]>>();

/**
 * The employee rows a report lists for a status filter, with due dates and reasons: most urgent
 * first, then by due date and name. Only the rows listed are evaluated in full, once per cached
 * report; the caller must not change the list it gets.
 */
export function selectEmployeeRows(report: OrgReport, filter: EmployeeListFilter): ComplianceRow[] {
  let byFilter = listedRows.get(report.statusRows);
  if (!byFilter) listedRows.set(report.statusRows, (byFilter = new Map()));
  let rows = byFilter.get(filter);
  if (!rows) byFilter.set(filter, (rows = evaluateListed(report, filter)));
  return rows;
}

function evaluateListed(report: OrgReport, filter: EmployeeListFilter): ComplianceRow[] {
  const wanted = (status: ComplianceStatus) =>
    filter === 'alle' ||
    (filter === 'oppfolging' ? status === 'overdue' || status === 'due_soon' : status === filter);
  const rows: ComplianceRow[] = [];
  for (const lean of report.statusRows) {
    if (!wanted(lean.result.status)) continue;
    const row = evaluatePair(report.facts, lean.requirement, lean.employee, report.asOf);
    if (row) rows.push(row);
  }
  return rows.sort(
    (a, b) =>
      statusOrder[a.result.status!] - statusOrder[b.result.status!] ||
      (a.result.dueDate ?? '').localeCompare(b.result.dueDate ?? '') ||
      compareNorwegian(a.employee.lastName, b.employee.lastName) ||
      compareNorwegian(a.employee.firstName, b.employee.firstName) ||
      a.employee.id - b.employee.id ||
      a.requirement.courseSlug.localeCompare(b.requirement.courseSlug),
  );
}

/** Rows in the order of `kursvakt report`: by unit code, employee number, course. */
export function sortReportRows(rows: ReportRow[]): ReportRow[] {
  return rows.sort(
    (a, b) =>
      (a.unit ?? '').localeCompare(b.unit ?? '') ||
      a.employee.localeCompare(b.employee) ||
      a.course.localeCompare(b.course),
  );
}

/** Every employee × requirement row on a date, the whole organisation or one unit (by code) with sub-units. */
export async function listReportRows(
  db: DbOrTx,
  asOf: LocalDate,
  opts: { unitCode?: string; scope?: UnitScope } = {},
): Promise<ReportRow[]> {
  const scope = opts.scope ?? { kind: 'all' };
  let unitPath: string | undefined;
  if (opts.unitCode !== undefined) {
    const unit = await findUnitByCode(db, opts.unitCode);
    if (!unit) throw new NotFoundError(`Fant ingen enhet med koden «${opts.unitCode}».`);
    assertUnitInScope(scope, unit.path);
    unitPath = unit.path;
  }
  const rows = await computeComplianceRows(db, { scope, unitPath }, asOf);
  return sortReportRows(rows.map(toReportRow));
}

export interface FlaggedLists {
  withoutEmail: FlaggedEmployee[];
  withoutUnit: FlaggedEmployee[];
}

/** Employees employed on the date without an e-mail address or without a unit (HR only). */
export async function findFlaggedEmployees(db: DbOrTx, asOf: LocalDate): Promise<FlaggedLists> {
  const flagged = await listFlaggedEmployees(db, asOf);
  return {
    withoutEmail: flagged.filter(lacksEmailAddress),
    withoutUnit: flagged.filter((e) => e.unitCode === null),
  };
}

/** A file-name-safe label for the units of a report: the chosen unit's code, the led units' codes, or "alle". */
export function reportFileLabel(report: OrgReport): string {
  const clean = (code: string) => code.replace(/[^A-Za-z0-9_-]+/g, '-');
  if (report.selectedUnit) return clean(report.selectedUnit.code);
  const tops = report.units.filter((u) => u.parentInReportId === null);
  if (tops.length >= 1 && tops.length <= 3) return tops.map((u) => clean(u.unit.code)).join('_');
  return tops.length === 0 ? 'ingen-enheter' : 'flere-enheter';
}
