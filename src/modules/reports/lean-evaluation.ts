import type { LocalDate } from '../../lib/dates';
import type { ComplianceFacts } from '../compliance/compliance-facts';
import type { EmployeeRecord, RequirementRecord } from '../compliance/compliance.repo';
import { isInAudience, ruleOf } from '../compliance/compliance.service';
import { computeStatus, type StatusResult } from '../compliance/deadline-engine';

/**
 * The part of an evaluated row the figures need. A ComplianceRow has this shape too, so the
 * figures are computed the same way from either.
 */
export interface FigureRow {
  employee: { id: number; unitPath: string | null };
  requirement: { id: number };
  result: Pick<StatusResult, 'status' | 'lastCompletion'>;
}

/** The latest of ascending dates on or before a date, or null. */
function latestOnOrBefore(dates: LocalDate[] | undefined, asOf: LocalDate): LocalDate | null {
  if (!dates) return null;
  for (let i = dates.length - 1; i >= 0; i--) if (dates[i]! <= asOf) return dates[i]!;
  return null;
}

/**
 * Evaluates employees × requirements with the deadline engine, like evaluateFacts, but for figures
 * only: the employees must be counted on asOf (their end date then changes nothing), and for people
 * without exemptions the engine's answer is memoised per (hire date, latest completion) – the status
 * depends on nothing else, and many people share both.
 */
export function evaluateForFigures(
  facts: ComplianceFacts,
  requirements: RequirementRecord[],
  employees: EmployeeRecord[],
  asOf: LocalDate,
): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const requirement of requirements) {
    const rule = ruleOf(requirement);
    const requirementRef = { id: requirement.id };
    const memo = new Map<string, StatusResult>();
    const everyone = requirement.audienceAll && requirement.audienceRoleTags.length === 0;
    for (const employee of employees) {
      if (!everyone && !isInAudience(requirement, employee)) continue;
      const last = latestOnOrBefore(facts.completionDates.get(employee.id)?.get(requirement.courseId), asOf);
      const own = facts.exemptions.get(employee.id)?.filter((x) => x.requirementId === requirement.id);
      let result: StatusResult | undefined;
      if (own && own.length > 0) {
        result = computeStatus(rule, employee, last ? [last] : [], own, asOf);
      } else {
        const key = `${employee.hireDate}|${last ?? ''}`;
        result = memo.get(key);
        if (!result) {
          result = computeStatus(
            rule,
            { hireDate: employee.hireDate, endDate: null },
            last ? [last] : [],
            [],
            asOf,
          );
          memo.set(key, result);
        }
      }
      if (!result.counted) continue;
      rows.push({ employee, requirement: requirementRef, result });
    }
  }
  return rows;
}
