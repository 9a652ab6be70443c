import { createHash } from 'node:crypto';
import { readAll, type Db, type DbOrTx } from '../../db/client';
import { formatNorwegianDate, type LocalDate } from '../../lib/dates';
import { compareNorwegian } from '../../lib/text';
import { currentFacts, factsFor, selectEmployees } from '../compliance/compliance-facts';
import type { UnitScope } from '../org/unit-scope';
import { evaluateForFigures } from '../reports/lean-evaluation';
import { resolveTemplates, type TemplateSet } from '../mail/mail.service';
import {
  completionStatusSentence,
  composeMail,
  countDays,
  type ComposedMail,
  type MailSection,
} from '../mail/templates';
import { listUnitsMissingReview } from '../reviews/reviews.service';
import { firstWorkingDayOfMonth, nextSendingInstant } from './calendar';
import { insertOutboxMails } from '../mail/mail.repo';
import {
  findExistingKeys,
  insertEscalationLines,
  insertRemindersWithMails,
  listLeaders,
  listUnitInfos,
  loadOverdueHistory,
  type NewReminderMail,
  type ScheduleRecord,
} from './reminders.repo';
import { readScheduleOptions, type ScheduleOptions } from './reminders.schema';
import {
  selectReminders,
  type DigestContent,
  type EscalationLine,
  type OverdueHeldBack,
  type PlannedReminder,
} from './selection';

/**
 * Running a schedule: plan (read compliance, select reminders, compose mails) and enqueue (write the
 * reminder log and the outbox in one transaction, ON CONFLICT DO NOTHING on the idempotency key).
 */

export interface RunEnvironment {
  baseUrl: string;
  /** The real clock; the sending window is applied from here. */
  now: Date;
  /**
   * Started by HR («Kjør nå», «Prøvekjøring»): a monthly schedule runs even when the day is not the
   * first working day of the month, as HR asked for it now. Idempotency keys still hold, so a
   * month's digest goes out once whether it was started by hand or by the schedule.
   */
  manual?: boolean;
}

export interface PlannedMail extends PlannedReminder {
  /**
   * The mail's subject and content. Composed when the mail is written, not when it is planned: a
   * mail already sent is never composed, and the next mails are composed while the server writes
   * the previous ones. An escalation mail lists the lines it carries (default: all). Its text and
   * HTML parts are rendered from the content when it is read.
   */
  compose(lines?: EscalationLine[]): ComposedMail;
}

/** Overdue reminders a run holds back, and the schedule's rules that hold them. */
export interface HeldBack extends OverdueHeldBack {
  intervalDays: number;
  maxCount: number;
}

export interface SchedulePlan {
  schedule: ScheduleRecord;
  asOf: LocalDate;
  options: ScheduleOptions;
  /** Set when the schedule does nothing on this date (e.g. not the first working day). */
  skippedReason: string | null;
  mails: PlannedMail[];
  /** Overdue people not reminded this time because of the interval or the maximum count. */
  heldBack: OverdueHeldBack;
  notBefore: Date;
}

export type ItemState = 'enqueued' | 'already' | 'would_enqueue';

export interface RunItem {
  state: ItemState;
  key: string;
  kind: string;
  recipient: string;
  recipientName: string;
  employeeName: string | null;
  courseTitle: string | null;
  dueDate: LocalDate | null;
  /** An escalation mail's people (those not escalated before), each with the key that logs them. */
  escalated?: Array<{ key: string; employeeName: string; courseTitle: string; dueDate: LocalDate }>;
}

export interface RunResult {
  scheduleId: number;
  scheduleName: string;
  asOf: LocalDate;
  dryRun: boolean;
  skippedReason: string | null;
  notBefore: Date;
  heldBack: HeldBack;
  items: RunItem[];
  enqueued: number;
  already: number;
}

const SECTION_LIMIT = 50;

function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} og ${names[names.length - 1]}`;
}

function limitLines<T>(
  items: T[],
  map: (item: T) => MailSection['lines'][number],
  more: string,
): MailSection['lines'] {
  const lines = items.slice(0, SECTION_LIMIT).map(map);
  if (items.length > SECTION_LIMIT) lines.push({ text: `… og ${items.length - SECTION_LIMIT} til. ${more}` });
  return lines;
}

/** The digest's lists as mail sections; every name links to the leader's page for that employee. */
export function digestSections(digest: DigestContent, baseUrl: string): MailSection[] {
  const sections: MailSection[] = [];
  const employeeLine = (l: DigestContent['overdue'][number]) => ({
    text: `${l.name} (${l.unitName}): ${l.courseTitle}, frist ${formatNorwegianDate(l.dueDate)}`,
    href: `${baseUrl}/leder/ansatt/${l.employeeId}`,
  });
  const more = 'Se hele listen i Kursvakt.';
  if (digest.overdue.length)
    sections.push({
      heading: `Forfalt (${digest.overdue.length})`,
      lines: limitLines(digest.overdue, employeeLine, more),
    });
  if (digest.dueSoon.length)
    sections.push({
      heading: `Forfaller snart (${digest.dueSoon.length})`,
      lines: limitLines(digest.dueSoon, employeeLine, more),
    });
  if (digest.newHires.length)
    sections.push({
      heading: `Nyansatte med frist innen 30 dager (${digest.newHires.length})`,
      lines: limitLines(digest.newHires, employeeLine, more),
    });
  if (digest.missingReviews.length) {
    // One line per unit with the topics it still lacks; the heading counts units, as the dashboard does.
    const topicsByUnit = new Map<string, string[]>();
    for (const m of digest.missingReviews)
      topicsByUnit.set(m.unitName, [...(topicsByUnit.get(m.unitName) ?? []), m.topicTitle]);
    sections.push({
      heading: `Enheter uten årets gjennomgang (${topicsByUnit.size})`,
      lines: limitLines(
        [...topicsByUnit],
        ([unitName, topics]) => ({ text: `${unitName}: ${topics.join(', ')}` }),
        more,
      ),
    });
  }
  if (digest.withoutEmail.length)
    sections.push({
      heading: `Uten e-postadresse, får ikke påminnelser (${digest.withoutEmail.length})`,
      lines: limitLines(
        digest.withoutEmail,
        (p) => ({ text: `${p.name} (${p.unitName})`, href: `${baseUrl}/leder/ansatt/${p.employeeId}` }),
        more,
      ),
    });
  sections.push({
    heading: 'Fullføringsgrad',
    lines: digest.rates.map((r) => ({
      // `counted` is people × required courses, as the dashboard's «Teller» for all courses.
      text: `${r.unitName}: ${r.rate === null ? 'ingen ansatte teller' : `${Math.round(r.rate * 100)} %`} (${r.counted} ${r.counted === 1 ? 'påkrevd kurs' : 'påkrevde kurs'})`,
    })),
  });
  return sections;
}

const countPeople = (n: number) => `${n} ${n === 1 ? 'ansatt' : 'ansatte'}`;

/** «2 ansatte», or «8 ansatte, 11 kurs» when some have more than one course overdue. */
function escalationCount(lines: EscalationLine[]): string {
  const people = new Set(lines.map((l) => l.employeeId)).size;
  return people === lines.length ? countPeople(people) : `${countPeople(people)}, ${lines.length} kurs`;
}

/** The escalation mail's list: everyone in it, linked to the leader's page for them. */
export function escalationSections(
  limitDays: number,
  lines: EscalationLine[],
  baseUrl: string,
): MailSection[] {
  const sections: MailSection[] = [];
  if (lines.length > SECTION_LIMIT) {
    // More people than the list shows (the first run after go-live): how many in each unit first.
    const perUnit = new Map<string, Set<number>>();
    for (const l of lines) perUnit.set(l.unitName, (perUnit.get(l.unitName) ?? new Set()).add(l.employeeId));
    const counts = [...perUnit]
      .map(([unitName, people]) => ({ unitName, count: people.size }))
      .sort((a, b) => b.count - a.count || compareNorwegian(a.unitName, b.unitName));
    sections.push({
      heading: `Per enhet (${counts.length})`,
      lines: limitLines(
        counts,
        (c) => ({ text: `${c.unitName}: ${countPeople(c.count)}` }),
        'Se alle i Kursvakt.',
      ),
    });
  }
  return [
    ...sections,
    {
      heading: `Forfalt i mer enn ${limitDays} dager (${escalationCount(lines)})`,
      lines: limitLines(
        lines,
        (l) => ({
          text: `${l.name} (${l.unitName}): ${l.courseTitle}, frist ${formatNorwegianDate(l.dueDate)}, ${countDays(l.daysPastDue)} siden`,
          href: `${baseUrl}/leder/ansatt/${l.employeeId}`,
        }),
        'Se hele listen i Kursvakt.',
      ),
    },
  ];
}

/** The escalation mail to one leader, listing these of its lines (those not escalated before). */
export function composeEscalation(
  item: PlannedReminder,
  lines: EscalationLine[],
  templates: TemplateSet,
  baseUrl: string,
): ComposedMail {
  const content = item.escalation!;
  return composeMail(
    templates.escalation,
    {
      navn: item.recipient.name,
      antall: countPeople(new Set(lines.map((l) => l.employeeId)).size),
      enheter: joinNames(content.unitNames),
      dager: content.limitDays,
      lenke: `${baseUrl}/leder?status=overdue`,
    },
    escalationSections(content.limitDays, lines, baseUrl),
  );
}

/**
 * Composes the mail of one planned reminder with the schedule's texts; an escalation mail lists
 * `lines` (default: all its lines).
 */
export function composeReminder(
  item: PlannedReminder,
  templates: TemplateSet,
  baseUrl: string,
  lines = item.escalation?.lines,
): ComposedMail {
  if (item.escalation) return composeEscalation(item, lines!, templates, baseUrl);
  const template = templates[item.kind];
  if (item.kind === 'leader_digest' && item.digest) {
    return composeMail(
      template,
      {
        navn: item.recipient.name,
        enheter: joinNames(item.digest.unitNames),
        periode: item.digest.periodLabel,
        lenke: `${baseUrl}/leder`,
      },
      digestSections(item.digest, baseUrl),
    );
  }
  const days = Math.abs(item.daysPastDue ?? 0);
  const common = {
    navn: item.recipient.name,
    kurs: item.courseTitle ?? '',
    frist: item.dueDate ? formatNorwegianDate(item.dueDate) : '',
    dager: days,
    status: completionStatusSentence(item.lastCompletion ?? null),
  };
  return composeMail(template, { ...common, lenke: `${baseUrl}/kurs/${item.courseSlug}` });
}

/**
 * Every counted pair in the scope on asOf with status, due date and latest completion: the lean
 * evaluation of the reports, which leaves out the reason texts a run never uses.
 */
async function evaluateForReminders(db: DbOrTx, scope: UnitScope, asOf: LocalDate) {
  const filter = { scope, activeOn: asOf };
  const facts = await factsFor(db, filter);
  return evaluateForFigures(facts, facts.requirements, selectEmployees(facts, filter), asOf);
}

/** Reads what the schedule needs on asOf and plans its mails; writes nothing. */
export async function planSchedule(
  db: DbOrTx,
  schedule: ScheduleRecord,
  asOf: LocalDate,
  env: RunEnvironment,
): Promise<SchedulePlan> {
  const options = readScheduleOptions(schedule.options);
  const notBefore = nextSendingInstant(env.now, options);
  const base = { schedule, asOf, options, notBefore };
  if (options.firstWorkingDayOnly && !env.manual && firstWorkingDayOfMonth(asOf) !== asOf) {
    return {
      ...base,
      skippedReason: `${formatNorwegianDate(asOf)} er ikke første virkedag i måneden.`,
      mails: [],
      heldBack: { interval: 0, maxReached: 0 },
    };
  }
  const units = await listUnitInfos(db);
  const unitsById = new Map(units.map((u) => [u.id, u]));
  const chosenPaths = schedule.unitIds.map((id) => unitsById.get(id)?.path).filter((p): p is string => !!p);
  const scope =
    schedule.unitIds.length === 0
      ? ({ kind: 'all' } as const)
      : ({ kind: 'units', rootUnitIds: schedule.unitIds, paths: chosenPaths } as const);
  const needsLeaders = schedule.kinds.includes('leader_digest') || schedule.kinds.includes('escalation');
  const [rows, leaders, missingReviews, templates, overdueHistory] = await readAll(db, [
    () => evaluateForReminders(db, scope, asOf),
    () => (needsLeaders ? listLeaders(db) : Promise.resolve([])),
    () =>
      schedule.kinds.includes('leader_digest')
        ? listUnitsMissingReview(db, scope, Number(asOf.slice(0, 4)))
        : Promise.resolve([]),
    () => resolveTemplates(db, schedule.templateKey),
    () => (schedule.kinds.includes('employee_overdue') ? loadOverdueHistory(db) : Promise.resolve(new Map())),
  ]);
  const leadersByUnit = new Map<number, number[]>();
  for (const leader of leaders) {
    for (const u of leader.units)
      leadersByUnit.set(u.id, [...(leadersByUnit.get(u.id) ?? []), leader.userId]);
  }
  const heldBack: OverdueHeldBack = { interval: 0, maxReached: 0 };
  const planned = selectReminders(
    {
      asOf,
      kinds: schedule.kinds,
      options,
      rows,
      leaders,
      units: unitsById,
      leadersByUnit,
      missingReviews,
      overdueHistory,
    },
    heldBack,
  );
  const mails = planned.map((item) => ({
    ...item,
    compose: (lines?: EscalationLine[]) => composeReminder(item, templates, env.baseUrl, lines),
  }));
  return { ...base, skippedReason: null, mails, heldBack };
}

function toItem(mail: PlannedMail, state: ItemState): RunItem {
  return {
    state,
    key: mail.key,
    kind: mail.kind,
    recipient: mail.recipient.email,
    recipientName: mail.recipient.name,
    employeeName: mail.employeeName,
    courseTitle: mail.courseTitle,
    dueDate: mail.dueDate,
  };
}

/** "Ola Nordmann, Kari Hansen og 3 til": the people of an escalation mail, for lists of runs. */
function peopleSummary(lines: EscalationLine[]): string {
  const names = [...new Map(lines.map((l) => [l.employeeId, l.name])).values()];
  return names.length <= 3 ? joinNames(names) : `${names.slice(0, 2).join(', ')} og ${names.length - 2} til`;
}

function coursesSummary(lines: EscalationLine[]): string {
  const titles = [...new Set(lines.map((l) => l.courseTitle))];
  return titles.length <= 2 ? joinNames(titles) : `${titles.length} kurs`;
}

function escalationItem(mail: PlannedMail, key: string, lines: EscalationLine[], state: ItemState): RunItem {
  return {
    ...toItem(mail, state),
    key,
    employeeName: peopleSummary(lines),
    courseTitle: coursesSummary(lines),
    escalated: lines.map((l) => ({
      key: l.key,
      employeeName: l.name,
      courseTitle: l.courseTitle,
      dueDate: l.dueDate,
    })),
  };
}

/**
 * An escalation mail's key: its recipient and date, and a digest of the lines it is the first to
 * carry. Those lines are logged in the same transaction, so no other mail can carry the same set.
 */
export function escalationMailKey(mail: PlannedReminder, lines: EscalationLine[]): string {
  const digest = createHash('sha256')
    .update(
      lines
        .map((l) => l.key)
        .sort()
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 16);
  return `${mail.key}|${digest}`;
}

/** The reminder_log keys a planned mail stands for: its own, or each of an escalation's lines. */
const loggedKeysOf = (mail: PlannedReminder): string[] =>
  mail.escalation ? mail.escalation.lines.map((l) => l.key) : [mail.key];

const unloggedLines = (mail: PlannedReminder, logged: Set<string>) =>
  mail.escalation!.lines.filter((l) => !logged.has(l.key));

/**
 * Writes the escalation mails: first each line not escalated before (its own key in reminder_log),
 * then per leader one mail listing the lines this transaction logged. A person another run
 * escalated in the meantime is left out; a leader left with nobody gets no mail.
 */
async function enqueueEscalations(
  tx: DbOrTx,
  plan: SchedulePlan,
  mails: PlannedMail[],
  logged: Set<string>,
): Promise<Map<PlannedMail, RunItem>> {
  const items = new Map<PlannedMail, RunItem>();
  const pending: Array<{ mail: PlannedMail; lines: EscalationLine[]; key: string }> = [];
  for (const mail of mails) {
    const lines = unloggedLines(mail, logged);
    if (lines.length === 0) items.set(mail, toItem(mail, 'already'));
    else pending.push({ mail, lines, key: escalationMailKey(mail, lines) });
  }
  const written = await insertEscalationLines(
    tx,
    pending.flatMap(({ mail, lines, key }) =>
      lines.map((l) => ({
        idempotencyKey: l.key,
        scheduleId: plan.schedule.id,
        kind: mail.kind,
        employeeId: l.employeeId,
        requirementId: l.requirementId,
        recipientUserId: mail.recipient.userId,
        dueDate: l.dueDate,
        period: mail.period,
        mailKey: key,
      })),
    ),
  );
  const outbox = [];
  for (const { mail, lines, key } of pending) {
    const ours = lines.filter((l) => written.has(l.key));
    if (ours.length === 0) {
      items.set(mail, toItem(mail, 'already'));
      continue;
    }
    const composed = mail.compose(ours);
    outbox.push({
      idempotencyKey: key,
      kind: mail.kind,
      toAddress: mail.recipient.email,
      toName: mail.recipient.name,
      subject: composed.subject,
      content: composed.content,
      employeeId: null,
      recipientUserId: mail.recipient.userId,
      scheduleId: plan.schedule.id,
      nextAttemptAt: plan.notBefore,
    });
    items.set(mail, escalationItem(mail, key, ours, 'enqueued'));
  }
  await insertOutboxMails(tx, outbox);
  return items;
}

/** Reminders per statement (a mail is about 0.8 KB of JSON). */
const ENQUEUE_CHUNK = 500;

/**
 * Writes the plan in the caller's transaction: per mail a reminder_log row and an outbox mail, both
 * keyed by the idempotency key. Keys already logged are looked up first and reported as 'already',
 * so their mails are never composed; a key another run logs in the meantime is skipped by the
 * insert (ON CONFLICT DO NOTHING) and reported the same way.
 */
export async function enqueuePlan(tx: DbOrTx, plan: SchedulePlan): Promise<RunResult> {
  const escalations = plan.mails.filter((m) => m.escalation);
  const others = plan.mails.filter((m) => !m.escalation);
  const already = await findExistingKeys(tx, plan.mails.flatMap(loggedKeysOf));
  const fresh = others.filter((m) => !already.has(m.key));
  // One statement in flight at a time (one connection), but the next chunk is composed while the
  // database writes the previous one: on a PostgreSQL server the two overlap.
  let writing: Promise<Set<string>> = Promise.resolve(new Set());
  const collectSkipped = async () => {
    for (const key of await writing) already.add(key);
  };
  for (let i = 0; i < fresh.length; i += ENQUEUE_CHUNK) {
    const rows: NewReminderMail[] = fresh.slice(i, i + ENQUEUE_CHUNK).map((m) => {
      const mail = m.compose();
      return {
        idempotencyKey: m.key,
        scheduleId: plan.schedule.id,
        kind: m.kind,
        employeeId: m.employeeId,
        requirementId: m.requirementId,
        recipientUserId: m.recipient.userId,
        dueDate: m.dueDate,
        // The as-of date rides along in the log so the next overdue reminder can keep its interval.
        period: m.kind === 'employee_overdue' ? `${m.period}@${plan.asOf}` : m.period,
        toAddress: m.recipient.email,
        toName: m.recipient.name,
        subject: mail.subject,
        content: mail.content,
        nextAttemptAt: plan.notBefore,
      };
    });
    await collectSkipped();
    writing = insertRemindersWithMails(tx, rows);
    // Awaited above or below; until then a failure must not count as an unhandled rejection.
    writing.catch(() => undefined);
  }
  await collectSkipped();
  const escalated = await enqueueEscalations(tx, plan, escalations, already);
  const items = plan.mails.map(
    (m) => escalated.get(m) ?? toItem(m, already.has(m.key) ? 'already' : 'enqueued'),
  );
  return summarize(plan, items, false);
}

function summarize(plan: SchedulePlan, items: RunItem[], dryRun: boolean): RunResult {
  return {
    scheduleId: plan.schedule.id,
    scheduleName: plan.schedule.name,
    asOf: plan.asOf,
    dryRun,
    skippedReason: plan.skippedReason,
    notBefore: plan.notBefore,
    heldBack: {
      ...plan.heldBack,
      intervalDays: plan.options.overdueIntervalDays,
      maxCount: plan.options.overdueMaxCount,
    },
    items,
    enqueued: items.filter((i) => i.state === 'enqueued').length,
    already: items.filter((i) => i.state === 'already').length,
  };
}

/** What a run would enqueue, without writing: keys already reminded are marked 'already'. */
export async function dryRunSchedule(
  db: DbOrTx,
  schedule: ScheduleRecord,
  asOf: LocalDate,
  env: RunEnvironment,
): Promise<RunResult> {
  const plan = await planSchedule(db, schedule, asOf, env);
  const existing = await findExistingKeys(db, plan.mails.flatMap(loggedKeysOf));
  const itemOf = (m: PlannedMail): RunItem => {
    if (!m.escalation) return toItem(m, existing.has(m.key) ? 'already' : 'would_enqueue');
    const lines = unloggedLines(m, existing);
    if (lines.length === 0) return toItem(m, 'already');
    return escalationItem(m, escalationMailKey(m, lines), lines, 'would_enqueue');
  };
  return summarize(plan, plan.mails.map(itemOf), true);
}

/** Plans and enqueues one schedule in one transaction (the CLI and «Kjør nå»). */
export async function runScheduleNow(
  db: Db,
  schedule: ScheduleRecord,
  asOf: LocalDate,
  env: RunEnvironment,
): Promise<RunResult> {
  // Load (or refresh) the shared facts cache first: the plan inside the transaction then finds it.
  await currentFacts(db);
  return db.transaction(async (tx) => enqueuePlan(tx, await planSchedule(tx, schedule, asOf, env)));
}
