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

/** A row of the lean evaluation: status, latest completion and due date, without the reason. */
export interface StatusRow extends FigureRow {
  employee: EmployeeRecord;
  requirement: RequirementRecord;
  result: { status: ComplianceStatus; lastCompletion: LocalDate | null; dueDate: LocalDate };
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

/** A person's latest completion of a requirement's course, and the due date that gives. */
interface Settled {
  latest: LocalDate | null;
  due: LocalDate;
}

/**
 * Per facts and requirement, each person's `Settled` pair, filled as people are evaluated. It holds
 * for every date on or after the latest completion, which is nearly every date asked for (today,
 * the future, and the past back to the person's last course), so a report on a new date mostly
 * compares strings. The facts are immutable: new facts (a new completion) start a new cache.
 */
const settledCache = new WeakMap<ComplianceFacts, Map<number, Map<number, Settled>>>();

function settledOf(facts: ComplianceFacts, requirementId: number): Map<number, Settled> {
  let byRequirement = settledCache.get(facts);
  if (!byRequirement) settledCache.set(facts, (byRequirement = new Map()));
  let settled = byRequirement.get(requirementId);
  if (!settled) {
    // Facts refreshed for a few people: everyone else's pairs still hold (same requirements,
    // employees and completions), so a new completion does not make the next report start over.
    const from = facts.refreshedFrom;
    const olderFacts = from?.facts.deref();
    const older = olderFacts && settledCache.get(olderFacts)?.get(requirementId);
    settled = new Map(older);
    if (older) for (const id of from!.employeeIds) settled.delete(id);
    byRequirement.set(requirementId, settled);
  }
  return settled;
}

/**
 * Evaluates employees × requirements with the pieces of the deadline engine that computeStatus is
 * made of, but without the words (figures and reminder runs need none): the employees must be
 * counted on asOf. The first due date depends only on the hire date and the renewed one only on
 * the latest completion, so both are memoised per requirement, and the due date from a person's
 * latest completion is kept with the facts; the rest is comparing date strings.
 */
export function evaluateForFigures(
  facts: ComplianceFacts,
  requirements: RequirementRecord[],
  employees: EmployeeRecord[],
  asOf: LocalDate,
): StatusRow[] {
  const rules = requirements.map((requirement) => {
    const rule = ruleOf(requirement);
    const firstDue = memoised((hireDate) => firstDueDate(rule, hireDate));
    const renewedDue = memoised((completedOn) => renewedDueDate(rule, completedOn));
    return {
      requirement,
      clock: statusClock(rule, asOf),
      /** The due date of a person hired on hireDate whose latest completion is `last`. */
      dueFrom: (hireDate: LocalDate, last: LocalDate | null) =>
        effectiveDueDate(firstDue(hireDate), last === null ? null : renewedDue(last)),
      everyone: requirement.audienceAll && requirement.audienceRoleTags.length === 0,
      settled: settledOf(facts, requirement.id),
    };
  });
  const rows: StatusRow[] = [];
  // Employee by employee: one look-up of a person's completions serves every requirement.
  for (const employee of employees) {
    const byCourse = facts.completionDates.get(employee.id);
    const anyExemption = facts.exemptions.has(employee.id);
    for (const { requirement, clock, dueFrom, everyone, settled } of rules) {
      if (!everyone && !isInAudience(requirement, employee)) continue;
      let known = settled.get(employee.id);
      if (!known) {
        const dates = byCourse?.get(requirement.courseId);
        const latest = dates && dates.length > 0 ? dates[dates.length - 1]! : null;
        settled.set(employee.id, (known = { latest, due: dueFrom(employee.hireDate, latest) }));
      }
      let last = known.latest;
      let dueDate = known.due;
      if (last !== null && last > asOf) {
        // A date before the person's latest completion: from the completions up to then.
        last = latestOnOrBefore(byCourse?.get(requirement.courseId), asOf);
        dueDate = dueFrom(employee.hireDate, last);
      }
      const exempt =
        anyExemption && exemptionOn(exemptionsOf(facts, employee.id, requirement.id), asOf) !== undefined;
      rows.push({
        employee,
        requirement,
        result: { status: statusOn(clock, dueDate, last, exempt), lastCompletion: last, dueDate },
      });
    }
  }
  return rows;
}
