import type { DbOrTx } from '../../db/client';
import type { LocalDate } from '../../lib/dates';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { factsFor, selectEmployees, selectUnits } from '../compliance/compliance-facts';
import { computeComplianceRows, evaluateFacts, type ComplianceRow } from '../compliance/compliance.service';
import type { ComplianceStatus } from '../compliance/deadline-engine';
import { findUnitByCode, findUnitById, type UnitRecord } from '../org/org.repo';
import { assertUnitInScope, type UnitScope } from '../org/unit-scope';
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
import { evaluateForFigures } from './lean-evaluation';
import { listFlaggedEmployees, type FlaggedEmployee } from './reports.repo';

export interface ReportFilters {
  /** One unit (with its sub-units); must be inside the scope. */
  unitId?: number;
  /** One requirement ("kurs" in the UI); unknown ids are refused. */
  requirementId?: number;
  sort?: UnitSortKey;
  direction?: SortDirection;
  /**
   * Also return the evaluated rows with names and reasons (for employee lists and exports). Without
   * it the figures come from a leaner evaluation (latest completion only, the engine memoised), which
   * is what makes the organisation-wide report fast.
   */
  withRows?: boolean;
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
  /** Every evaluated employee × requirement row behind the figures; only with `withRows`. */
  rows: ComplianceRow[] | null;
}

/**
 * The report for a scope on a date: figures per unit (with sub-units) and overall, evaluated from
 * the compliance facts in one pass. Used by the leader dashboard,
 * the HR report, the exports and the benchmark.
 */
export async function buildOrgReport(
  db: DbOrTx,
  scope: UnitScope,
  asOf: LocalDate,
  filters: ReportFilters = {},
): Promise<OrgReport> {
  const facts = await factsFor(db, { scope });
  let selectedUnit: UnitRecord | null = null;
  if (filters.unitId !== undefined) {
    selectedUnit =
      facts.units.find((u) => u.id === filters.unitId) ?? (await findUnitById(db, filters.unitId));
    // A leader learns nothing from the answer: an unknown unit is refused like another leader's.
    if (!selectedUnit && scope.kind === 'all') throw new NotFoundError('Enheten finnes ikke.');
    assertUnitInScope(scope, selectedUnit?.path);
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
  const rows = filters.withRows
    ? evaluateFacts(facts, chosen, counted, asOf)
    : evaluateForFigures(facts, chosen, counted, asOf);
  const units = selectedUnit ? unitList.filter((u) => u.path.startsWith(selectedUnit.path)) : unitList;
  const figures = computeFigures(units, requirements, rows);
  return {
    asOf,
    selectedUnit,
    scopeUnits: unitList,
    allRequirements,
    requirements,
    units: sortUnitFigures(figures.units, filters.sort ?? 'tre', filters.direction ?? 'stigende'),
    overall: figures.overall,
    rows: filters.withRows ? (rows as ComplianceRow[]) : null,
  };
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

/** The employee rows a dashboard shows for a status filter: most urgent first, then by due date and name. */
export function selectEmployeeRows(rows: ComplianceRow[], filter: EmployeeListFilter): ComplianceRow[] {
  const wanted = (status: ComplianceStatus) =>
    filter === 'alle' ||
    (filter === 'oppfolging' ? status === 'overdue' || status === 'due_soon' : status === filter);
  return rows
    .filter((r) => r.result.status && wanted(r.result.status))
    .sort(
      (a, b) =>
        statusOrder[a.result.status!] - statusOrder[b.result.status!] ||
        (a.result.dueDate ?? '').localeCompare(b.result.dueDate ?? '') ||
        a.employee.lastName.localeCompare(b.employee.lastName, 'nb') ||
        a.employee.firstName.localeCompare(b.employee.firstName, 'nb') ||
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
    withoutEmail: flagged.filter((e) => !e.email || e.email.trim() === ''),
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
