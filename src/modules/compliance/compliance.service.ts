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
  exemptionsOf,
  factsFor,
  indexFacts,
  selectEmployees,
  type ComplianceFacts,
} from './compliance-facts';
import {
  type EmployeeFilter,
  type EmployeeRecord,
  type ExemptionRecord,
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
  exemptionList: ExemptionRecord[],
  asOf: LocalDate,
): ComplianceRow[] {
  const facts = indexFacts({
    version: null,
    requirements: requirementList,
    employees: employeeList,
    units: [],
    completions: completionList,
    exemptions: exemptionList,
  });
  return evaluateFacts(facts, requirementList, employeeList, asOf);
}

const NO_DATES: LocalDate[] = [];

/** Evaluates one employee of the facts against one requirement on asOf; null when not in the audience or not counted. */
export function evaluatePair(
  facts: ComplianceFacts,
  requirement: RequirementRecord,
  employee: EmployeeRecord,
  asOf: LocalDate,
): ComplianceRow | null {
  if (!isInAudience(requirement, employee)) return null;
  const result = computeStatus(
    ruleOf(requirement),
    { hireDate: employee.hireDate, endDate: employee.endDate },
    facts.completionDates.get(employee.id)?.get(requirement.courseId) ?? NO_DATES,
    exemptionsOf(facts, employee.id, requirement.id),
    asOf,
  );
  return result.counted ? { employee, requirement, result } : null;
}

/** Evaluates the given employees of the facts against the given requirements on asOf; uncounted pairs are left out. */
export function evaluateFacts(
  facts: ComplianceFacts,
  requirementList: RequirementRecord[],
  employeeList: EmployeeRecord[],
  asOf: LocalDate,
): ComplianceRow[] {
  const rows: ComplianceRow[] = [];
  for (const requirement of requirementList) {
    for (const employee of employeeList) {
      const row = evaluatePair(facts, requirement, employee, asOf);
      if (row) rows.push(row);
    }
  }
  return rows;
}

/** Computes the statuses on asOf of the employees in a filter (from the cached facts unless inside a transaction). */
export async function computeComplianceRows(
  db: DbOrTx,
  filter: Omit<EmployeeFilter, 'activeOn'>,
  asOf: LocalDate,
  opts: { requirementIds?: number[] } = {},
): Promise<ComplianceRow[]> {
  const employeeFilter: EmployeeFilter = { ...filter, activeOn: asOf };
  const facts = await factsFor(db, employeeFilter);
  const chosen = opts.requirementIds
    ? facts.requirements.filter((r) => opts.requirementIds!.includes(r.id))
    : facts.requirements;
  return evaluateFacts(facts, chosen, selectEmployees(facts, employeeFilter), asOf);
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
