import fc from 'fast-check';
import { addDays, compareDates, type LocalDate } from '../../../src/lib/dates';
import {
  computeDueDate,
  computeStatus,
  summarizeStatuses,
  type RequirementRule,
} from '../../../src/modules/compliance/deadline-engine';

const day = (offset: number): LocalDate => addDays('2010-01-01', offset);
const dateArb = fc.integer({ min: 0, max: 365 * 25 }).map(day);
const ruleArb: fc.Arbitrary<RequirementRule> = fc.record({
  firstDeadline: fc.integer({ min: 365 * 10, max: 365 * 16 }).map(day),
  renewalMode: fc.constantFrom('cycle' as const, 'rolling' as const),
  renewalMonths: fc.constantFrom(12, 24, 36),
  newHireMonths: fc.integer({ min: 0, max: 24 }),
  dueSoonDays: fc.integer({ min: 0, max: 90 }),
});
const runs = { numRuns: 300 };

describe('deadline engine properties', () => {
  test('when a completion is added, then the due date never becomes earlier than without it', () => {
    fc.assert(
      fc.property(ruleArb, dateArb, dateArb, (rule, hire, completion) => {
        const without = computeDueDate(rule, hire, null).dueDate;
        const withIt = computeDueDate(rule, hire, completion).dueDate;
        return compareDates(withIt, without) >= 0;
      }),
      runs,
    );
  });

  test('when a later completion replaces an earlier one, then the due date never becomes earlier', () => {
    fc.assert(
      fc.property(ruleArb, dateArb, dateArb, fc.integer({ min: 0, max: 2000 }), (rule, hire, c1, gap) => {
        const c2 = addDays(c1, gap);
        return (
          compareDates(computeDueDate(rule, hire, c2).dueDate, computeDueDate(rule, hire, c1).dueDate) >= 0
        );
      }),
      runs,
    );
  });

  test('when nothing changes between two dates, then the status only moves forward (done/todo → due_soon → overdue)', () => {
    const rank = { done: 0, todo: 0, due_soon: 1, overdue: 2, exempt: -1 } as const;
    fc.assert(
      fc.property(
        ruleArb,
        dateArb,
        fc.option(dateArb, { nil: null }),
        dateArb,
        fc.integer({ min: 0, max: 3000 }),
        (rule, hire, completion, t1, gap) => {
          const t2 = addDays(t1, gap);
          const completions = completion && compareDates(completion, t1) <= 0 ? [completion] : [];
          const employee = { hireDate: hire, endDate: null };
          const s1 = computeStatus(rule, employee, completions, [], t1);
          const s2 = computeStatus(rule, employee, completions, [], t2);
          if (!s1.counted || !s2.counted) return true;
          return rank[s2.status!] >= rank[s1.status!] && s1.dueDate === s2.dueDate;
        },
      ),
      runs,
    );
  });

  test('when any status is computed, then the due date is on or after the first deadline and after the hire date', () => {
    fc.assert(
      fc.property(
        ruleArb,
        dateArb,
        fc.array(dateArb, { maxLength: 4 }),
        dateArb,
        (rule, hire, completions, asOf) => {
          const result = computeStatus(rule, { hireDate: hire, endDate: null }, completions, [], asOf);
          if (!result.counted) return compareDates(hire, asOf) > 0;
          return (
            compareDates(result.dueDate!, rule.firstDeadline) >= 0 && compareDates(result.dueDate!, hire) >= 0
          );
        },
      ),
      runs,
    );
  });

  test('when completions after T exist, then the status on T is the same as without them', () => {
    fc.assert(
      fc.property(
        ruleArb,
        dateArb,
        dateArb,
        fc.array(fc.integer({ min: 1, max: 2000 }), { maxLength: 3 }),
        (rule, hire, asOf, later) => {
          const employee = { hireDate: hire, endDate: null };
          const future = later.map((n) => addDays(asOf, n));
          return (
            JSON.stringify(computeStatus(rule, employee, future, [], asOf)) ===
            JSON.stringify(computeStatus(rule, employee, [], [], asOf))
          );
        },
      ),
      runs,
    );
  });

  test('when statuses are summarised, then the completion rate is between 0 and 1 and the counts add up', () => {
    const statusArb = fc.constantFrom(
      'done' as const,
      'todo' as const,
      'due_soon' as const,
      'overdue' as const,
      'exempt' as const,
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ status: statusArb, lastCompletion: fc.option(dateArb, { nil: null }) })),
        (rows) => {
          const s = summarizeStatuses(rows.map((r) => ({ ...r, counted: true })));
          const sum = s.done + s.todo + s.dueSoon + s.overdue + s.exempt;
          const rateOk =
            s.completionRate === null
              ? s.counted === s.exempt
              : s.completionRate >= 0 && s.completionRate <= 1;
          return sum === rows.length && rateOk;
        },
      ),
      runs,
    );
  });
});
