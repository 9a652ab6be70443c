import type { DbOrTx } from '../../db/client';
import type { LocalDate } from '../../lib/dates';
import {
  computeStatus,
  summarizeStatuses,
  type RequirementRule,
  type StatusResult,
  type StatusSummary,
} from './deadline-engine';
import {
  listEffectiveCompletions,
  listEffectiveExemptions,
  listEmployees,
  listRequirements,
  type EmployeeFilter,
  type EmployeeRecord,
  type RequirementRecord,
} from './compliance.repo';

export interface ComplianceRow {
  employee: EmployeeRecord;
  requirement: RequirementRecord;
  result: StatusResult;
}

/** The rule part of a requirement, as the engine wants it. */
export function ruleOf(requirement: RequirementRecord): RequirementRule {
  return {
    firstDeadline: requirement.firstDeadline,
    renewalMode: requirement.renewalMode,
    renewalMonths: requirement.renewalMonths,
    newHireMonths: requirement.newHireMonths,
    dueSoonDays: requirement.dueSoonDays,
  };
}

/** True when the employee belongs to the requirement's audience (units with sub-units, narrowed by role tags). */
export function isInAudience(
  requirement: RequirementRecord,
  employee: Pick<EmployeeRecord, 'unitPath' | 'roleTags'>,
): boolean {
  if (!requirement.audienceAll) {
    if (!employee.unitPath) return false;
    if (!requirement.audienceUnitPaths.some((p) => employee.unitPath!.startsWith(p))) return false;
  }
  if (requirement.audienceRoleTags.length > 0) {
    return employee.roleTags.some((t) => requirement.audienceRoleTags.includes(t));
  }
  return true;
}

/** Joins employees, completions and exemptions with the requirements and evaluates every pair in memory. */
export function evaluateCompliance(
  requirementList: RequirementRecord[],
  employeeList: EmployeeRecord[],
  completionList: Array<{ employeeId: number; courseId: number; completedOn: LocalDate }>,
  exemptionList: Array<{
    employeeId: number;
    requirementId: number;
    validFrom: LocalDate;
    validUntil: LocalDate | null;
    reason: string;
  }>,
  asOf: LocalDate,
): ComplianceRow[] {
  const completionsByKey = new Map<string, LocalDate[]>();
  for (const c of completionList) {
    const key = `${c.employeeId}:${c.courseId}`;
    const list = completionsByKey.get(key);
    if (list) list.push(c.completedOn);
    else completionsByKey.set(key, [c.completedOn]);
  }
  const exemptionsByKey = new Map<string, typeof exemptionList>();
  for (const x of exemptionList) {
    const key = `${x.employeeId}:${x.requirementId}`;
    const list = exemptionsByKey.get(key);
    if (list) list.push(x);
    else exemptionsByKey.set(key, [x]);
  }
  const rows: ComplianceRow[] = [];
  for (const requirement of requirementList) {
    const rule = ruleOf(requirement);
    for (const employee of employeeList) {
      if (!isInAudience(requirement, employee)) continue;
      const result = computeStatus(
        rule,
        { hireDate: employee.hireDate, endDate: employee.endDate },
        completionsByKey.get(`${employee.id}:${requirement.courseId}`) ?? [],
        exemptionsByKey.get(`${employee.id}:${requirement.id}`) ?? [],
        asOf,
      );
      if (!result.counted) continue;
      rows.push({ employee, requirement, result });
    }
  }
  return rows;
}

/** Loads everything the engine needs for the employees in a filter and computes their statuses on asOf. */
export async function computeComplianceRows(
  db: DbOrTx,
  filter: Omit<EmployeeFilter, 'activeOn'>,
  asOf: LocalDate,
  opts: { requirementIds?: number[] } = {},
): Promise<ComplianceRow[]> {
  const employeeFilter: EmployeeFilter = { ...filter, activeOn: asOf };
  const [requirementList, employeeList, completionList, exemptionList] = await Promise.all([
    listRequirements(db, { activeOnly: true }),
    listEmployees(db, employeeFilter),
    listEffectiveCompletions(db, employeeFilter, asOf),
    listEffectiveExemptions(db, employeeFilter),
  ]);
  const chosen = opts.requirementIds
    ? requirementList.filter((r) => opts.requirementIds!.includes(r.id))
    : requirementList;
  return evaluateCompliance(chosen, employeeList, completionList, exemptionList, asOf);
}

/** Summaries per requirement for a set of rows. */
export function summarizeByRequirement(rows: ComplianceRow[]): Map<number, StatusSummary> {
  const groups = new Map<number, ComplianceRow[]>();
  for (const row of rows) {
    const list = groups.get(row.requirement.id);
    if (list) list.push(row);
    else groups.set(row.requirement.id, [row]);
  }
  const out = new Map<number, StatusSummary>();
  for (const [id, list] of groups) out.set(id, summarizeStatuses(list.map((r) => r.result)));
  return out;
}
