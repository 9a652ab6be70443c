import {
  addStatusCounts,
  countStatus,
  emptyStatusCounts,
  summaryOf,
  type StatusCounts,
  type StatusSummary,
} from '../compliance/deadline-engine';
import type { UnitRecord } from '../org/org.repo';
import type { FigureRow } from './lean-evaluation';
import { compareNorwegian } from '../../lib/text';

/**
 * The report maths, pure: per-unit figures (each unit including its sub-units) from evaluated
 * compliance rows in one pass over the rows. Every figure on a page, in an export or from the CLI
 * comes from here, so they cannot disagree.
 */

export interface RequirementInfo {
  id: number;
  courseSlug: string;
  courseTitle: string;
}

export interface RequirementFigure extends RequirementInfo {
  summary: StatusSummary;
}

export interface UnitFigures {
  unit: UnitRecord;
  /** How many of the unit's ancestors are also in the report (0 for a top unit of the report). */
  depth: number;
  /** The nearest ancestor that is also in the report, or null. */
  parentInReportId: number | null;
  /** Distinct employees counted in at least one of the chosen requirements. */
  employees: number;
  /** All chosen requirements together (sums of the per-requirement counts). */
  total: StatusSummary;
  /** One entry per chosen requirement, in the order of `requirements`, zeros included. */
  byRequirement: RequirementFigure[];
}

export interface Figures {
  units: UnitFigures[];
  /** Everything in the rows, also employees without a unit (only HR sees those). */
  overall: Omit<UnitFigures, 'unit' | 'depth' | 'parentInReportId'>;
}

/** The completion rate as a whole percent, the way every page and export shows it; null when nobody counts. */
export function ratePercent(summary: Pick<StatusSummary, 'completionRate'>): number | null {
  return summary.completionRate === null ? null : Math.round(summary.completionRate * 100);
}

/** Unit ids of a materialised path '/1/4/17/' → [1, 4, 17]. */
export function pathIds(path: string): number[] {
  const ids: number[] = [];
  for (const part of path.split('/')) if (part) ids.push(Number(part));
  return ids;
}

interface Accumulator {
  employees: number;
  perRequirement: StatusCounts[];
}

/**
 * Figures per unit (with sub-units) and overall, in one pass over the rows: each row is added to
 * the units on its employee's path that are in the report (depth is small, so this is linear).
 * `units` must be in path order (parents first), as listUnits returns them.
 */
export function computeFigures(
  units: UnitRecord[],
  requirements: RequirementInfo[],
  rows: FigureRow[],
): Figures {
  const requirementIndex = new Map(requirements.map((r, i) => [r.id, i]));
  const newAccumulator = (): Accumulator => ({
    employees: 0,
    perRequirement: requirements.map(emptyStatusCounts),
  });
  const byUnitId = new Map<number, Accumulator>();
  for (const unit of units) byUnitId.set(unit.id, newAccumulator());
  const overall = newAccumulator();

  // The accumulators on a unit path, cached per path: most employees share a few hundred units.
  const targetsByPath = new Map<string, Accumulator[]>();
  const targetsOf = (path: string | null): Accumulator[] => {
    if (!path) return [];
    let targets = targetsByPath.get(path);
    if (!targets) {
      targets = [];
      for (const id of pathIds(path)) {
        const acc = byUnitId.get(id);
        if (acc) targets.push(acc);
      }
      targetsByPath.set(path, targets);
    }
    return targets;
  };

  const seenEmployees = new Set<number>();
  for (const row of rows) {
    const index = requirementIndex.get(row.requirement.id);
    const status = row.result.status;
    if (index === undefined || !status) continue;
    const targets = targetsOf(row.employee.unitPath);
    const firstTime = !seenEmployees.has(row.employee.id);
    if (firstTime) seenEmployees.add(row.employee.id);
    const hasCompletion = row.result.lastCompletion !== null;
    countStatus(overall.perRequirement[index]!, status, hasCompletion);
    if (firstTime) overall.employees++;
    for (const acc of targets) {
      countStatus(acc.perRequirement[index]!, status, hasCompletion);
      if (firstTime) acc.employees++;
    }
  }

  const finish = (acc: Accumulator) => {
    const total = emptyStatusCounts();
    for (const c of acc.perRequirement) addStatusCounts(total, c);
    return {
      employees: acc.employees,
      total: summaryOf(total),
      byRequirement: requirements.map((r, i) => ({ ...r, summary: summaryOf(acc.perRequirement[i]!) })),
    };
  };

  const inReport = new Set(units.map((u) => u.id));
  const unitFigures: UnitFigures[] = units.map((unit) => {
    const ancestors = pathIds(unit.path).filter((id) => id !== unit.id && inReport.has(id));
    return {
      unit,
      depth: ancestors.length,
      parentInReportId: ancestors.at(-1) ?? null,
      ...finish(byUnitId.get(unit.id)!),
    };
  });
  return { units: unitFigures, overall: finish(overall) };
}

export type UnitSortKey = 'tre' | 'navn' | 'kode' | 'ansatte' | 'fullforingsgrad' | 'forfalt';
export type SortDirection = 'stigende' | 'synkende';

/**
 * Orders units for display: siblings are sorted by the key, each unit still directly followed by
 * its own sub-units, so the hierarchy stays readable whatever the sort.
 */
export function sortUnitFigures(
  units: UnitFigures[],
  key: UnitSortKey,
  direction: SortDirection,
): UnitFigures[] {
  if (key === 'tre') return units;
  const sign = direction === 'stigende' ? 1 : -1;
  const byName = (a: UnitFigures, b: UnitFigures) => compareNorwegian(a.unit.name, b.unit.name);
  const compare: Record<Exclude<UnitSortKey, 'tre'>, (a: UnitFigures, b: UnitFigures) => number> = {
    navn: byName,
    kode: (a, b) => compareNorwegian(a.unit.code, b.unit.code),
    ansatte: (a, b) => a.employees - b.employees,
    fullforingsgrad: (a, b) => (a.total.completionRate ?? 0) - (b.total.completionRate ?? 0),
    forfalt: (a, b) => a.total.overdue - b.total.overdue,
  };
  return sortTree(units, (a, b) => {
    // Units where nobody counts have no rate; they go last whichever the direction.
    if (key === 'fullforingsgrad') {
      const aNone = a.total.completionRate === null;
      const bNone = b.total.completionRate === null;
      if (aNone !== bNone) return aNone ? 1 : -1;
    }
    return sign * compare[key](a, b) || byName(a, b);
  });
}

function sortTree(units: UnitFigures[], compare: (a: UnitFigures, b: UnitFigures) => number): UnitFigures[] {
  const children = new Map<number | null, UnitFigures[]>();
  for (const u of units) {
    const list = children.get(u.parentInReportId);
    if (list) list.push(u);
    else children.set(u.parentInReportId, [u]);
  }
  const out: UnitFigures[] = [];
  const visit = (parentId: number | null) => {
    const list = [...(children.get(parentId) ?? [])].sort(compare);
    for (const u of list) {
      out.push(u);
      visit(u.unit.id);
    }
  };
  visit(null);
  return out;
}
