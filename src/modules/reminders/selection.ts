import { getISOWeek, getISOWeekYear } from 'date-fns';
import { addMonths, daysBetween, type LocalDate } from '../../lib/dates';
import {
  lacksEmailAddress,
  type EmployeeRecord,
  type RequirementRecord,
} from '../compliance/compliance.repo';
import {
  addSummaries,
  summarizeStatuses,
  type ComplianceStatus,
  type StatusSummary,
} from '../compliance/deadline-engine';
import { isUnitPathInScope, type UnitScope } from '../org/unit-scope';
import type { MissingReview } from '../reviews/reviews.service';
import type { ReminderKind, ScheduleOptions } from './reminders.schema';
import { compareNorwegian } from '../../lib/text';

/**
 * Who gets which reminder on a date – pure: compliance rows, leaders and units in, planned
 * reminders out. Each carries its idempotency key (employee, requirement, due date, kind, period),
 * which is what makes it happen once however often the schedule runs.
 */

/**
 * What selection needs of an evaluated pair: the lean evaluation's rows fit (a run evaluates
 * 150,000 pairs and needs no reasons), and so do full ComplianceRows.
 */
export interface ReminderRow {
  employee: EmployeeRecord;
  requirement: RequirementRecord;
  result: { status: ComplianceStatus | null; dueDate: LocalDate | null; lastCompletion: LocalDate | null };
}

export interface LeaderInfo {
  userId: number;
  name: string;
  email: string;
  units: Array<{ id: number; name: string; path: string }>;
}

export interface UnitInfo {
  id: number;
  name: string;
  parentId: number | null;
  path: string;
}

export interface DigestLine {
  employeeId: number;
  name: string;
  unitName: string;
  courseTitle: string;
  dueDate: LocalDate;
}

export interface DigestContent {
  periodLabel: string;
  unitNames: string[];
  overdue: DigestLine[];
  dueSoon: DigestLine[];
  newHires: DigestLine[];
  missingReviews: Array<{ unitName: string; topicTitle: string }>;
  /** Counted people in the units without an e-mail address: they get no reminders. */
  withoutEmail: Array<{ employeeId: number; name: string; unitName: string }>;
  rates: Array<{ unitId: number; unitName: string; rate: number | null; counted: number }>;
}

/** One person overdue beyond the escalation limit, as a line of the leader's escalation mail. */
export interface EscalationLine extends DigestLine {
  /** The line's own idempotency key (employee, requirement, due date, recipient). */
  key: string;
  requirementId: number;
  daysPastDue: number;
}

export interface EscalationContent {
  limitDays: number;
  /** The units the recipient leads (the people listed are in them or below). */
  unitNames: string[];
  /** In due-date order, then by name. */
  lines: EscalationLine[];
}

export interface PlannedReminder {
  key: string;
  kind: ReminderKind;
  period: string;
  employeeId: number | null;
  requirementId: number | null;
  dueDate: LocalDate | null;
  recipient: { userId: number | null; name: string; email: string };
  employeeName: string | null;
  courseTitle: string | null;
  courseSlug: string | null;
  unitName: string | null;
  /** Days after the due date (negative: days before). */
  daysPastDue: number | null;
  /** An employee reminder's latest effective completion of the course (null: never completed). */
  lastCompletion?: LocalDate | null;
  digest?: DigestContent;
  escalation?: EscalationContent;
}

export interface SelectionInput {
  asOf: LocalDate;
  kinds: readonly ReminderKind[];
  options: ScheduleOptions;
  rows: ReminderRow[];
  leaders: LeaderInfo[];
  units: Map<number, UnitInfo>;
  /** Leaders per unit id (user ids), for escalation. */
  leadersByUnit: Map<number, number[]>;
  /** Units without this year's review (listUnitsMissingReview of the reviews feature). */
  missingReviews: MissingReview[];
  /** Earlier overdue reminders, by overdueHistoryKey. */
  overdueHistory: Map<string, OverdueHistory>;
}

const MONTHS = [
  'januar',
  'februar',
  'mars',
  'april',
  'mai',
  'juni',
  'juli',
  'august',
  'september',
  'oktober',
  'november',
  'desember',
];

/** The digest period a date falls in: ISO week ('2026-W48', «uke 48, 2026») or month ('2026-11', «november 2026»). */
export function digestPeriod(asOf: LocalDate, period: 'week' | 'month'): { id: string; label: string } {
  if (period === 'month') {
    return { id: asOf.slice(0, 7), label: `${MONTHS[Number(asOf.slice(5, 7)) - 1]} ${asOf.slice(0, 4)}` };
  }
  const d = new Date(`${asOf}T12:00:00Z`);
  const week = getISOWeek(d);
  const year = getISOWeekYear(d);
  return { id: `${year}-W${String(week).padStart(2, '0')}`, label: `uke ${week}, ${year}` };
}

export function reminderKey(parts: {
  kind: ReminderKind;
  employeeId?: number | null;
  requirementId?: number | null;
  dueDate?: LocalDate | null;
  period: string;
  recipientUserId?: number | null;
}): string {
  return [
    parts.kind,
    parts.employeeId ? `e${parts.employeeId}` : '',
    parts.requirementId ? `r${parts.requirementId}` : '',
    parts.dueDate ? `d${parts.dueDate}` : '',
    parts.period,
    parts.recipientUserId ? `u${parts.recipientUserId}` : '',
  ]
    .filter(Boolean)
    .join('|');
}

/** Earlier overdue reminders of one employee, requirement and due date. */
export interface OverdueHistory {
  count: number;
  /** The as-of date of the latest one. */
  lastOn: LocalDate | null;
}

export const overdueHistoryKey = (employeeId: number, requirementId: number, dueDate: LocalDate) =>
  `${employeeId}:${requirementId}:${dueDate}`;

/**
 * The number of the next overdue reminder, or null when none is due: at most maxCount of them,
 * at least intervalDays apart.
 */
export function nextOverdueNumber(
  history: OverdueHistory | undefined,
  asOf: LocalDate,
  intervalDays: number,
  maxCount: number,
): number | null {
  const count = history?.count ?? 0;
  if (count >= maxCount) return null;
  if (history?.lastOn && daysBetween(history.lastOn, asOf) < intervalDays) return null;
  return count + 1;
}

/**
 * Overdue people with an address whom a run does not remind because of the schedule's rules: the
 * last reminder was less than `overdueIntervalDays` ago, or they have had `overdueMaxCount`. HR is
 * told, so that «0 lagt i kø» is not read as «nobody is overdue».
 */
export interface OverdueHeldBack {
  interval: number;
  maxReached: number;
}

const fullName = (row: ReminderRow) => `${row.employee.firstName} ${row.employee.lastName}`;

/** True when the row's due date comes from the new-hire rule and no completion exists yet. */
function isNewHireDue(row: ReminderRow): boolean {
  const r = row.requirement;
  if (row.result.lastCompletion || !row.result.dueDate) return false;
  const newHireDue = addMonths(row.employee.hireDate, r.newHireMonths);
  return newHireDue === row.result.dueDate && newHireDue > r.firstDeadline;
}

function employeeReminders(input: SelectionInput, out: PlannedReminder[], heldBack?: OverdueHeldBack): void {
  const { asOf, kinds, options } = input;
  for (const row of input.rows) {
    const { status, dueDate } = row.result;
    const email = row.employee.email;
    if (!dueDate || !email) continue;
    const days = daysBetween(dueDate, asOf);
    let kind: ReminderKind | null = null;
    let period = '';
    if (status === 'due_soon' && days < 0 && kinds.includes('employee_due_soon')) {
      kind = 'employee_due_soon';
      period = 'varsel';
    } else if (status === 'due_soon' && days === 0 && kinds.includes('employee_due_today')) {
      kind = 'employee_due_today';
      period = 'fristdag';
    } else if (status === 'overdue' && kinds.includes('employee_overdue')) {
      const history = input.overdueHistory.get(
        overdueHistoryKey(row.employee.id, row.requirement.id, dueDate),
      );
      const n = nextOverdueNumber(history, asOf, options.overdueIntervalDays, options.overdueMaxCount);
      if (n === null) {
        if (heldBack) {
          if ((history?.count ?? 0) >= options.overdueMaxCount) heldBack.maxReached++;
          else heldBack.interval++;
        }
        continue;
      }
      kind = 'employee_overdue';
      period = `forfalt-${n}`;
    }
    if (!kind) continue;
    out.push({
      key: reminderKey({
        kind,
        employeeId: row.employee.id,
        requirementId: row.requirement.id,
        dueDate,
        period,
      }),
      kind,
      period,
      employeeId: row.employee.id,
      requirementId: row.requirement.id,
      dueDate,
      recipient: { userId: null, name: fullName(row), email },
      employeeName: fullName(row),
      courseTitle: row.requirement.courseTitle,
      courseSlug: row.requirement.courseSlug,
      unitName: row.employee.unitName,
      daysPastDue: days,
      lastCompletion: row.result.lastCompletion,
    });
  }
}

/** The units a leader leads, with everything below them. */
const scopeOf = (leader: LeaderInfo): UnitScope => ({
  kind: 'units',
  rootUnitIds: leader.units.map((u) => u.id),
  paths: leader.units.map((u) => u.path),
});

/** The leaders to escalate to: those of the nearest unit above the employee's own unit that has leaders. */
export function escalationRecipients(
  unitId: number | null,
  units: Map<number, UnitInfo>,
  leadersByUnit: Map<number, number[]>,
): number[] {
  if (unitId === null) return [];
  let parentId = units.get(unitId)?.parentId ?? null;
  while (parentId !== null) {
    const leaders = leadersByUnit.get(parentId);
    if (leaders && leaders.length > 0) return leaders;
    parentId = units.get(parentId)?.parentId ?? null;
  }
  return [];
}

/** The key that logs one person's escalation to one leader: each is escalated once per due date. */
export const escalationLineKey = (row: ReminderRow, dueDate: LocalDate, userId: number) =>
  reminderKey({
    kind: 'escalation',
    employeeId: row.employee.id,
    requirementId: row.requirement.id,
    dueDate,
    period: 'eskalering',
    recipientUserId: userId,
  });

/**
 * One escalation mail per leader and run, listing everyone in the leader's units overdue by more
 * than the limit (each line keeps its own key, so a person is escalated once per due date however
 * many mails and runs there are). The mail's key is made when it is written, from the lines not
 * escalated before (see enqueuePlan).
 */
function escalations(input: SelectionInput, out: PlannedReminder[]): void {
  const leaders = new Map(input.leaders.map((l) => [l.userId, l]));
  const scopes = new Map(input.leaders.map((l) => [l.userId, scopeOf(l)]));
  const linesByLeader = new Map<number, EscalationLine[]>();
  for (const row of input.rows) {
    const { status, dueDate } = row.result;
    if (status !== 'overdue' || !dueDate) continue;
    const days = daysBetween(dueDate, input.asOf);
    if (days <= input.options.escalationDays) continue;
    for (const userId of escalationRecipients(row.employee.unitId, input.units, input.leadersByUnit)) {
      const scope = scopes.get(userId);
      // The scope check is the guarantee: never name someone outside the recipient's units.
      if (!scope || !isUnitPathInScope(scope, row.employee.unitPath)) continue;
      const lines = linesByLeader.get(userId) ?? [];
      lines.push({
        ...line(row),
        key: escalationLineKey(row, dueDate, userId),
        requirementId: row.requirement.id,
        daysPastDue: days,
      });
      linesByLeader.set(userId, lines);
    }
  }
  for (const [userId, lines] of linesByLeader) {
    const leader = leaders.get(userId)!;
    lines.sort(byDue);
    out.push({
      key: reminderKey({ kind: 'escalation', period: input.asOf, recipientUserId: userId }),
      kind: 'escalation',
      period: 'eskalering',
      employeeId: null,
      requirementId: null,
      dueDate: null,
      recipient: { userId, name: leader.name, email: leader.email },
      employeeName: null,
      courseTitle: null,
      courseSlug: null,
      unitName: leader.units.map((u) => u.name).join(', '),
      daysPastDue: null,
      escalation: {
        limitDays: input.options.escalationDays,
        unitNames: leader.units.map((u) => u.name),
        lines,
      },
    });
  }
}

function line(row: ReminderRow): DigestLine {
  return {
    employeeId: row.employee.id,
    name: fullName(row),
    unitName: row.employee.unitName ?? '–',
    courseTitle: row.requirement.courseTitle,
    dueDate: row.result.dueDate!,
  };
}

const byDue = (a: DigestLine, b: DigestLine) =>
  a.dueDate.localeCompare(b.dueDate) || compareNorwegian(a.name, b.name);

/**
 * What every leader's digest is cut from, worked out once per run rather than once per leader
 * (the leader of the whole municipality sees every row): the rows that can be listed, with their
 * lines in digest order, grouped by unit path; and the status counts per unit path.
 */
export interface DigestIndex {
  /** Per unit path: overdue, due_soon and todo rows with their lines, in digest order. */
  listable: Map<string | null, Array<{ row: ReminderRow; line: DigestLine; order: number }>>;
  summaries: Map<string | null, StatusSummary>;
  /** Per unit path: the people without an e-mail address, once each, in the order of the rows. */
  withoutEmail: Map<string | null, DigestContent['withoutEmail']>;
}

export function buildDigestIndex(rows: ReminderRow[]): DigestIndex {
  const candidates = rows
    .filter(
      (r) => r.result.status === 'overdue' || r.result.status === 'due_soon' || r.result.status === 'todo',
    )
    .map((row) => ({ row, line: line(row), order: 0 }))
    .sort((a, b) => byDue(a.line, b.line));
  const listable: DigestIndex['listable'] = new Map();
  candidates.forEach((c, i) => {
    c.order = i;
    const key = c.row.employee.unitPath;
    const list = listable.get(key);
    if (list) list.push(c);
    else listable.set(key, [c]);
  });
  const resultsByPath = new Map<string | null, Array<ReminderRow['result']>>();
  for (const row of rows) {
    const list = resultsByPath.get(row.employee.unitPath);
    if (list) list.push(row.result);
    else resultsByPath.set(row.employee.unitPath, [row.result]);
  }
  const summaries = new Map<string | null, StatusSummary>();
  for (const [path, results] of resultsByPath) summaries.set(path, summarizeStatuses(results));
  const withoutEmail: DigestIndex['withoutEmail'] = new Map();
  const seen = new Set<number>();
  for (const row of rows) {
    const { employee } = row;
    if (!lacksEmailAddress(employee) || seen.has(employee.id)) continue;
    seen.add(employee.id);
    const entry = { employeeId: employee.id, name: fullName(row), unitName: employee.unitName ?? '–' };
    const list = withoutEmail.get(employee.unitPath);
    if (list) list.push(entry);
    else withoutEmail.set(employee.unitPath, [entry]);
  }
  return { listable, summaries, withoutEmail };
}

/** One digest per leader over all their units; only what needs action; none when there is nothing. */
export function buildDigest(
  leader: LeaderInfo,
  input: SelectionInput,
  index: DigestIndex = buildDigestIndex(input.rows),
): DigestContent | null {
  const scope = scopeOf(leader);
  // The scope check runs per unit, not per row: a leader's rows are the groups of the units in scope.
  const listed: Array<{ row: ReminderRow; line: DigestLine; order: number }> = [];
  for (const [path, group] of index.listable) if (isUnitPathInScope(scope, path)) listed.push(...group);
  listed.sort((a, b) => a.order - b.order);
  const overdue: DigestLine[] = [];
  const dueSoon: DigestLine[] = [];
  const newHires: DigestLine[] = [];
  for (const { row, line } of listed) {
    const status = row.result.status;
    if (status === 'overdue') {
      overdue.push(line);
      continue;
    }
    const days = daysBetween(input.asOf, row.result.dueDate!);
    if (isNewHireDue(row) && days >= 0 && days <= 30) newHires.push(line);
    else if (status === 'due_soon') dueSoon.push(line);
  }
  const missingReviews = input.missingReviews
    .filter((m) => isUnitPathInScope(scope, m.unit.path))
    .map((m) => ({ unitName: m.unit.name, topicTitle: m.topic.title }));
  const withoutEmail: DigestContent['withoutEmail'] = [];
  for (const [path, list] of index.withoutEmail)
    if (isUnitPathInScope(scope, path)) withoutEmail.push(...list);
  withoutEmail.sort((a, b) => compareNorwegian(a.name, b.name) || a.employeeId - b.employeeId);
  const needsAction = [overdue, dueSoon, newHires, missingReviews, withoutEmail];
  if (needsAction.every((list) => list.length === 0)) return null;
  const rates = leader.units.map((u) => {
    const inUnit: StatusSummary[] = [];
    for (const [path, summary] of index.summaries) if (path?.startsWith(u.path)) inUnit.push(summary);
    const summary = addSummaries(inUnit);
    return { unitId: u.id, unitName: u.name, rate: summary.completionRate, counted: summary.counted };
  });
  return {
    periodLabel: digestPeriod(input.asOf, input.options.digestPeriod).label,
    unitNames: leader.units.map((u) => u.name),
    overdue,
    dueSoon,
    newHires,
    missingReviews,
    withoutEmail,
    rates,
  };
}

function digests(input: SelectionInput, out: PlannedReminder[]): void {
  const period = digestPeriod(input.asOf, input.options.digestPeriod).id;
  const index = buildDigestIndex(input.rows);
  for (const leader of input.leaders) {
    if (!leader.email || leader.units.length === 0) continue;
    const digest = buildDigest(leader, input, index);
    if (!digest) continue;
    out.push({
      key: reminderKey({ kind: 'leader_digest', period, recipientUserId: leader.userId }),
      kind: 'leader_digest',
      period,
      employeeId: null,
      requirementId: null,
      dueDate: null,
      recipient: { userId: leader.userId, name: leader.name, email: leader.email },
      employeeName: null,
      courseTitle: null,
      courseSlug: null,
      unitName: leader.units.map((u) => u.name).join(', '),
      daysPastDue: null,
      digest,
    });
  }
}

/** Every reminder the schedule's kinds call for on input.asOf, in a stable order. */
export function selectReminders(input: SelectionInput, heldBack?: OverdueHeldBack): PlannedReminder[] {
  const out: PlannedReminder[] = [];
  if (input.kinds.some((k) => k.startsWith('employee_'))) employeeReminders(input, out, heldBack);
  if (input.kinds.includes('escalation')) escalations(input, out);
  if (input.kinds.includes('leader_digest')) digests(input, out);
  return out;
}
