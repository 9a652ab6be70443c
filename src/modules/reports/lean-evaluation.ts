import type { LocalDate } from '../../lib/dates';
import { exemptionsOf, type ComplianceFacts } from '../compliance/compliance-facts';
import type { EmployeeRecord, RequirementRecord } from '../compliance/compliance.repo';
import { isInAudience, ruleOf } from '../compliance/compliance.service';
import {
  effectiveDueDate,
  exemptionOn,
  firstDueDate,
  renewedDueDate,
  statusClock,
  statusOn,
  type ComplianceStatus,
  type StatusResult,
} from '../compliance/deadline-engine';

/**
 * The part of an evaluated row the figures need. A ComplianceRow has this shape too, so the
 * figures are computed the same way from either.
 */
export interface FigureRow {
  employee: { id: number; unitPath: string | null };
  requirement: { id: number };
  result: Pick<StatusResult, 'status' | 'lastCompletion'>;
}

/** A row of the figures evaluation: the status without due date and reason. */
export interface StatusRow extends FigureRow {
  employee: EmployeeRecord;
  requirement: RequirementRecord;
  result: { status: ComplianceStatus; lastCompletion: LocalDate | null };
}

/** The latest of ascending dates on or before a date, or null. */
function latestOnOrBefore(dates: LocalDate[] | undefined, asOf: LocalDate): LocalDate | null {
  if (!dates) return null;
  for (let i = dates.length - 1; i >= 0; i--) if (dates[i]! <= asOf) return dates[i]!;
  return null;
}

/** A function memoised in a map: the engine's dates depend on one date each, and many people share it. */
function memoised(compute: (date: LocalDate) => LocalDate): (date: LocalDate) => LocalDate {
  const memo = new Map<LocalDate, LocalDate>();
  return (date) => {
    let value = memo.get(date);
    if (value === undefined) memo.set(date, (value = compute(date)));
    return value;
  };
}

/**
 * Evaluates employees × requirements with the pieces of the deadline engine that computeStatus is
 * made of, but without the words (figures need none): the employees must be counted on asOf. The
 * first due date depends only on the hire date and the renewed one only on the latest completion,
 * so both are memoised per requirement; the rest is comparing date strings.
 */
export function evaluateForFigures(
  facts: ComplianceFacts,
  requirements: RequirementRecord[],
  employees: EmployeeRecord[],
  asOf: LocalDate,
): StatusRow[] {
  const rules = requirements.map((requirement) => {
    const rule = ruleOf(requirement);
    return {
      requirement,
      clock: statusClock(rule, asOf),
      firstDue: memoised((hireDate) => firstDueDate(rule, hireDate)),
      renewedDue: memoised((completedOn) => renewedDueDate(rule, completedOn)),
      everyone: requirement.audienceAll && requirement.audienceRoleTags.length === 0,
    };
  });
  const rows: StatusRow[] = [];
  // Employee by employee: one look-up of a person's completions serves every requirement.
  for (const employee of employees) {
    const byCourse = facts.completionDates.get(employee.id);
    const anyExemption = facts.exemptions.has(employee.id);
    for (const { requirement, clock, firstDue, renewedDue, everyone } of rules) {
      if (!everyone && !isInAudience(requirement, employee)) continue;
      const last = latestOnOrBefore(byCourse?.get(requirement.courseId), asOf);
      const dueDate = effectiveDueDate(firstDue(employee.hireDate), last === null ? null : renewedDue(last));
      const exempt =
        anyExemption && exemptionOn(exemptionsOf(facts, employee.id, requirement.id), asOf) !== undefined;
      rows.push({
        employee,
        requirement,
        result: { status: statusOn(clock, dueDate, last, exempt), lastCompletion: last },
      });
    }
  }
  return rows;
}
