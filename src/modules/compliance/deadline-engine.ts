import {
  addDays,
  addMonths,
  compareDates,
  formatNorwegianDate as fmt,
  type LocalDate,
} from '../../lib/dates';

/**
 * The status rules of DOMAIN.md as pure functions: no database, no clock; the caller passes T.
 *
 * Decisions where DOMAIN.md is silent (also in docs/decisions/0002-deadline-rules.md):
 * - Cycle deadlines are computed as firstDeadline + k·renewalMonths from firstDeadline each
 *   time (never by chaining), so 31 December stays 31 December and 29 February does not drift.
 * - A completion dated before the hire date (e.g. imported history from a previous employer in
 *   the municipality) still counts; the rule "a completion never moves a due date earlier"
 *   keeps the new-hire window for such a person.
 * - Several completions on or before T: only the latest one matters.
 * - An exemption covers T when validFrom ≤ T ≤ validUntil (validUntil inclusive, null = open).
 *   While exempt, the due date is still computed and shown, so HR sees what follows.
 * - On the due date itself the status is due_soon (the deadline includes the whole day).
 */

export type RenewalMode = 'cycle' | 'rolling';

export interface RequirementRule {
  firstDeadline: LocalDate;
  renewalMode: RenewalMode;
  renewalMonths: number;
  newHireMonths: number;
  dueSoonDays: number;
}

export interface EmployeeFacts {
  hireDate: LocalDate;
  endDate: LocalDate | null;
}

export interface ExemptionFact {
  validFrom: LocalDate;
  validUntil: LocalDate | null;
  reason: string;
}

export type ComplianceStatus = 'done' | 'todo' | 'due_soon' | 'overdue' | 'exempt';

export interface StatusResult {
  counted: boolean;
  status: ComplianceStatus | null;
  dueDate: LocalDate | null;
  lastCompletion: LocalDate | null;
  reason: string;
}

export interface StatusSummary {
  counted: number;
  done: number;
  todo: number;
  dueSoon: number;
  overdue: number;
  exempt: number;
  withValidCompletion: number;
  completionRate: number | null;
}

export const STATUS_LABELS: Record<ComplianceStatus, string> = {
  done: 'Fullført',
  todo: 'Ikke fullført',
  due_soon: 'Forfaller snart',
  overdue: 'Forfalt',
  exempt: 'Fritatt',
};

const STATUS_COLORS: Record<ComplianceStatus, string> = {
  done: 'success',
  todo: 'neutral',
  due_soon: 'warning',
  overdue: 'danger',
  exempt: 'info',
};

/**
 * The status as a Designsystemet tag, the one markup every page uses for it. Built once per
 * status: a list of hundreds of employees then renders no partial per row.
 */
export const STATUS_TAGS: Record<ComplianceStatus, string> = Object.fromEntries(
  (Object.keys(STATUS_LABELS) as ComplianceStatus[]).map((status) => [
    status,
    `<span class="ds-tag kv-status kv-status--${status}" data-color="${STATUS_COLORS[status]}">${STATUS_LABELS[status]}</span>`,
  ]),
) as Record<ComplianceStatus, string>;

/** The first due date without any completion: max(firstDeadline, hireDate + newHireMonths). */
export function firstDueDate(rule: RequirementRule, hireDate: LocalDate): LocalDate {
  const newHireDue = addMonths(hireDate, rule.newHireMonths);
  return newHireDue > rule.firstDeadline ? newHireDue : rule.firstDeadline;
}

/** «hvert år», «hvert 2. år», «hver 6. måned». */
function everyPeriod(months: number): string {
  if (months % 12 === 0) return months === 12 ? 'hvert år' : `hvert ${months / 12}. år`;
  return months === 1 ? 'hver måned' : `hver ${months}. måned`;
}

/** «1 måned», «12 måneder». */
const monthsText = (n: number) => `${n} ${n === 1 ? 'måned' : 'måneder'}`;

/** The first due date with the words that explain it. */
export function computeFirstDueDate(
  rule: RequirementRule,
  hireDate: LocalDate,
): { dueDate: LocalDate; explanation: string } {
  const dueDate = firstDueDate(rule, hireDate);
  return dueDate === rule.firstDeadline
    ? { dueDate, explanation: 'kravets første frist' }
    : { dueDate, explanation: `${monthsText(rule.newHireMonths)} etter ansettelsen ${fmt(hireDate)}` };
}

/** The first cycle deadline on or after a date (firstDeadline + k·renewalMonths, k ≥ 0). */
export function cycleDeadlineOnOrAfter(
  rule: RequirementRule,
  date: LocalDate,
): { deadline: LocalDate; index: number } {
  if (compareDates(date, rule.firstDeadline) <= 0) return { deadline: rule.firstDeadline, index: 0 };
  // Estimate k from the month distance, then step to the exact one.
  const months =
    (Number(date.slice(0, 4)) - Number(rule.firstDeadline.slice(0, 4))) * 12 +
    (Number(date.slice(5, 7)) - Number(rule.firstDeadline.slice(5, 7)));
  let k = Math.max(0, Math.floor(months / rule.renewalMonths) - 1);
  let deadline = addMonths(rule.firstDeadline, k * rule.renewalMonths);
  while (compareDates(deadline, date) < 0) {
    k++;
    deadline = addMonths(rule.firstDeadline, k * rule.renewalMonths);
  }
  return { deadline, index: k };
}

/** The due date a completion on `lastCompletion` gives, before the "never earlier" rule. */
export function renewedDueDate(rule: RequirementRule, lastCompletion: LocalDate): LocalDate {
  if (rule.renewalMode === 'rolling') return addMonths(lastCompletion, rule.renewalMonths);
  const satisfied = cycleDeadlineOnOrAfter(rule, lastCompletion);
  return addMonths(rule.firstDeadline, (satisfied.index + 1) * rule.renewalMonths);
}

/** A completion never moves the due date earlier than it would be without it. */
export function effectiveDueDate(first: LocalDate, renewed: LocalDate | null): LocalDate {
  return renewed !== null && renewed >= first ? renewed : first;
}

/** The due date given the latest completion (or none), with a reason a person can read. */
export function computeDueDate(
  rule: RequirementRule,
  hireDate: LocalDate,
  lastCompletion: LocalDate | null,
): { dueDate: LocalDate; reason: string } {
  const first = computeFirstDueDate(rule, hireDate);
  if (!lastCompletion) return { dueDate: first.dueDate, reason: first.explanation };
  const renewed = renewedDueDate(rule, lastCompletion);
  const dueDate = effectiveDueDate(first.dueDate, renewed);
  if (dueDate !== renewed) {
    return {
      dueDate,
      reason: `${first.explanation} (fullføringen ${fmt(lastCompletion)} flytter ikke fristen tidligere)`,
    };
  }
  const reason =
    rule.renewalMode === 'rolling'
      ? `${monthsText(rule.renewalMonths)} etter fullføringen ${fmt(lastCompletion)}`
      : `fullført ${fmt(lastCompletion)}, og kurset fornyes ${everyPeriod(rule.renewalMonths)} regnet fra ${fmt(rule.firstDeadline)}`;
  return { dueDate, reason };
}

/**
 * What the status on a date needs besides the due date: the date itself and the last day that is
 * still "due soon" (asOf + dueSoonDays). Made once per rule and date, then used for every person.
 */
export interface StatusClock {
  asOf: LocalDate;
  dueSoonUntil: LocalDate;
}

export function statusClock(rule: Pick<RequirementRule, 'dueSoonDays'>, asOf: LocalDate): StatusClock {
  return { asOf, dueSoonUntil: addDays(asOf, rule.dueSoonDays) };
}

/**
 * The status of a counted person, without words: exempt wins; then overdue when the due date has
 * passed, due_soon from dueSoonDays before it up to and including the due date, else done (with a
 * completion) or todo.
 */
export function statusOn(
  clock: StatusClock,
  dueDate: LocalDate,
  lastCompletion: LocalDate | null,
  exempt: boolean,
): ComplianceStatus {
  if (exempt) return 'exempt';
  if (dueDate < clock.asOf) return 'overdue';
  if (dueDate <= clock.dueSoonUntil) return 'due_soon';
  return lastCompletion ? 'done' : 'todo';
}

/** The exemption covering asOf (validFrom ≤ asOf ≤ validUntil, open-ended when validUntil is null). */
export function exemptionOn<T extends Pick<ExemptionFact, 'validFrom' | 'validUntil'>>(
  exemptions: T[],
  asOf: LocalDate,
): T | undefined {
  return exemptions.find((x) => x.validFrom <= asOf && (x.validUntil === null || asOf <= x.validUntil));
}

/** The status of one employee for one requirement on date T (asOf), per DOMAIN.md. */
export function computeStatus(
  rule: RequirementRule,
  employee: EmployeeFacts,
  completionDates: LocalDate[],
  exemptions: ExemptionFact[],
  asOf: LocalDate,
): StatusResult {
  if (compareDates(employee.hireDate, asOf) > 0) {
    return {
      counted: false,
      status: null,
      dueDate: null,
      lastCompletion: null,
      reason: `Ikke ansatt ennå (ansatt fra ${fmt(employee.hireDate)})`,
    };
  }
  if (employee.endDate && compareDates(employee.endDate, asOf) < 0) {
    return {
      counted: false,
      status: null,
      dueDate: null,
      lastCompletion: null,
      reason: `Sluttet ${fmt(employee.endDate)}`,
    };
  }
  let lastCompletion: LocalDate | null = null;
  for (const c of completionDates) {
    if (compareDates(c, asOf) <= 0 && (lastCompletion === null || compareDates(c, lastCompletion) > 0))
      lastCompletion = c;
  }
  const { dueDate, reason } = computeDueDate(rule, employee.hireDate, lastCompletion);
  const exemption = exemptionOn(exemptions, asOf);
  const status = statusOn(statusClock(rule, asOf), dueDate, lastCompletion, exemption !== undefined);
  const result = { counted: true, status, dueDate, lastCompletion };
  switch (status) {
    case 'exempt': {
      const until = exemption!.validUntil ? `til ${fmt(exemption!.validUntil)}` : 'uten sluttdato';
      return { ...result, reason: `Fritatt ${until}: ${exemption!.reason}` };
    }
    case 'overdue':
      return { ...result, reason: `Forfalt ${fmt(dueDate)}: ${reason}` };
    case 'done':
      return { ...result, reason: `Neste frist ${fmt(dueDate)}: ${reason}` };
    default:
      return { ...result, reason: `Forfaller ${fmt(dueDate)}: ${reason}` };
  }
}

/** The counts of a summary without its rate: what can be added up. */
export type StatusCounts = Omit<StatusSummary, 'completionRate'>;

export function emptyStatusCounts(): StatusCounts {
  return { counted: 0, done: 0, todo: 0, dueSoon: 0, overdue: 0, exempt: 0, withValidCompletion: 0 };
}

/** Adds the counts of `source` (a summary, or anything with the counts) into `target`. */
export function addStatusCounts(target: StatusCounts, source: StatusCounts): void {
  target.counted += source.counted;
  target.done += source.done;
  target.todo += source.todo;
  target.dueSoon += source.dueSoon;
  target.overdue += source.overdue;
  target.exempt += source.exempt;
  target.withValidCompletion += source.withValidCompletion;
}

/** Counts one counted person and requirement with their status; a completion counts when done or due soon. */
export function countStatus(c: StatusCounts, status: ComplianceStatus, hasCompletion: boolean): void {
  c.counted++;
  if (status === 'done') c.done++;
  else if (status === 'todo') c.todo++;
  else if (status === 'due_soon') c.dueSoon++;
  else if (status === 'overdue') c.overdue++;
  else c.exempt++;
  if ((status === 'done' || status === 'due_soon') && hasCompletion) c.withValidCompletion++;
}

/** The completion rate of DOMAIN.md: with a completion and not overdue ÷ (counted − exempt). */
export function completionRateOf(c: StatusCounts): number | null {
  const denominator = c.counted - c.exempt;
  return denominator > 0 ? c.withValidCompletion / denominator : null;
}

/** Counts with their completion rate. */
export function summaryOf(c: StatusCounts): StatusSummary {
  return { ...c, completionRate: completionRateOf(c) };
}

/** Counts per status and the completion rate of DOMAIN.md: with a completion and not overdue ÷ (counted − exempt). */
export function summarizeStatuses(
  results: Array<Pick<StatusResult, 'status' | 'lastCompletion'> & { counted?: boolean }>,
): StatusSummary {
  const s = emptyStatusCounts();
  // Without `counted`, a result is of a counted pair (the lean evaluation leaves the others out).
  for (const r of results) if (r.counted !== false && r.status) countStatus(s, r.status, !!r.lastCompletion);
  return summaryOf(s);
}

/** Summaries added up, with the completion rate worked out again from the sums. */
export function addSummaries(summaries: StatusSummary[]): StatusSummary {
  const total = emptyStatusCounts();
  for (const s of summaries) addStatusCounts(total, s);
  return summaryOf(total);
}
