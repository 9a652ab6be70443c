import type { LocalDate } from '../../lib/dates';
import type { RequirementRecord } from '../compliance/compliance.repo';
import { isInAudience, ruleOf } from '../compliance/compliance.service';
import { computeStatus, type ExemptionFact, type StatusResult } from '../compliance/deadline-engine';
import type { LatestCompletion, LeanEmployee } from './reports.repo';

/**
 * The part of an evaluated row the figures need. A ComplianceRow has this shape too, so the
 * figures are computed the same way from either.
 */
export interface FigureRow {
  employee: { id: number; unitPath: string | null };
  requirement: { id: number };
  result: Pick<StatusResult, 'status' | 'lastCompletion'>;
}

/**
 * Evaluates every employee × requirement with the deadline engine, like computeComplianceRows,
 * but for figures only: from the latest completion per employee and course (the only completion
 * the engine uses), and with the engine's answer memoised per (hire date, latest completion) for
 * people without exemptions – the status depends on nothing else, and many people share both.
 */
export function evaluateForFigures(
  requirements: RequirementRecord[],
  employees: LeanEmployee[],
  latest: LatestCompletion[],
  exemptions: Array<ExemptionFact & { employeeId: number; requirementId: number }>,
  asOf: LocalDate,
): FigureRow[] {
  const latestByCourse = new Map<number, Map<number, LocalDate>>();
  for (const c of latest) {
    let byEmployee = latestByCourse.get(c.courseId);
    if (!byEmployee) latestByCourse.set(c.courseId, (byEmployee = new Map()));
    byEmployee.set(c.employeeId, c.completedOn);
  }
  const exemptionsByKey = new Map<string, ExemptionFact[]>();
  for (const x of exemptions) {
    const key = `${x.employeeId}:${x.requirementId}`;
    const list = exemptionsByKey.get(key);
    if (list) list.push(x);
    else exemptionsByKey.set(key, [x]);
  }
  const rows: FigureRow[] = [];
  for (const requirement of requirements) {
    const rule = ruleOf(requirement);
    const requirementRef = { id: requirement.id };
    const completedOn = latestByCourse.get(requirement.courseId);
    const memo = new Map<string, StatusResult>();
    const everyone = requirement.audienceAll && requirement.audienceRoleTags.length === 0;
    for (const employee of employees) {
      if (!everyone && !isInAudience(requirement, employee)) continue;
      const last = completedOn?.get(employee.id) ?? null;
      const own = exemptionsByKey.get(`${employee.id}:${requirement.id}`);
      let result: StatusResult | undefined;
      if (own) {
        result = computeStatus(rule, employee, last ? [last] : [], own, asOf);
      } else {
        const key = `${employee.hireDate}|${last ?? ''}`;
        result = memo.get(key);
        if (!result) {
          // End dates only decide whether someone counts; the loader already left out those who do not.
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
