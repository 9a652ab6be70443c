import cronstrue from 'cronstrue/i18n';
import type { Db } from '../../db/client';
import { formatNorwegianDate, type LocalDate } from '../../lib/dates';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { listTemplateVariants } from '../mail/mail.service';
import { notifyOutboxChanged } from '../mail/sender';
import { MAIL_KIND_LABELS } from '../mail/templates';
import { listUnits } from '../org/org.repo';
import {
  countMailsPerSchedule,
  deleteSchedule,
  findSchedule,
  insertSchedule,
  listSchedules,
  setSchedulePaused,
  updateSchedule,
  type ScheduleRecord,
  type ScheduleValues,
} from './reminders.repo';
import {
  INVALID_CRON_MESSAGE,
  isValidCron,
  PRESETS,
  readScheduleOptions,
  scheduleFormSchema,
  scheduleOptionsSchema,
  type PresetKey,
  type ReminderKind,
} from './reminders.schema';
import { dryRunSchedule, runScheduleNow, type RunEnvironment, type RunResult } from './reminders.service';
import { notifySchedulesChanged } from './scheduler';

/** HR's work with schedules: the form, preview, save, run now, dry run, pause. */

/** The cron expression in words (bokmål), with the first-working-day rule when it applies. */
export function describeWhen(cron: string, options: unknown): string {
  const opts = readScheduleOptions(options);
  for (const preset of Object.values(PRESETS)) {
    if (preset.cron === cron && preset.firstWorkingDayOnly === opts.firstWorkingDayOnly) return preset.label;
  }
  let words: string;
  try {
    words = cronstrue
      .toString(cron, { locale: 'nb', use24HourTimeFormat: true, verbose: false })
      // Norwegian writes times as «kl. 07.00».
      .replace(/kl\.\s?(\d{1,2}):(\d{2})/gi, 'kl. $1.$2')
      .replace(/^kl\./, 'Kl.');
  } catch {
    words = cron;
  }
  return opts.firstWorkingDayOnly ? `${words} (bare første virkedag i måneden)` : words;
}

export interface ScheduleFormState {
  values: Record<string, unknown>;
  errors: Record<string, string>;
}

/** The form's initial values for a new schedule or an existing one. */
export function formValuesOf(schedule: ScheduleRecord | null): Record<string, unknown> {
  const options = readScheduleOptions(schedule?.options ?? {});
  const preset = schedule
    ? (Object.entries(PRESETS).find(
        ([, p]) => p.cron === schedule.cron && p.firstWorkingDayOnly === options.firstWorkingDayOnly,
      )?.[0] ?? 'cron')
    : 'weekly_monday';
  return {
    name: schedule?.name ?? '',
    when: preset,
    cron: schedule?.cron ?? '',
    kinds: schedule?.kinds ?? ['employee_due_soon', 'employee_due_today', 'employee_overdue'],
    unitIds: (schedule?.unitIds ?? []).map(String),
    templateVariant: schedule?.templateKey ?? '',
    overdueIntervalDays: String(options.overdueIntervalDays),
    overdueMaxCount: String(options.overdueMaxCount),
    escalationDays: String(options.escalationDays),
    digestPeriod: options.digestPeriod,
    windowStart: options.windowStart,
    windowEnd: options.windowEnd,
    allowWeekends: options.allowWeekends,
    allowHolidays: options.allowHolidays,
  };
}

/** Turns the posted form into schedule values, or throws a ValidationError with field messages. */
export async function scheduleValuesFromForm(db: Db, body: unknown): Promise<ScheduleValues> {
  // The form's fields and the options are checked together, so that every wrong field is marked at
  // once (a bad cron expression used to hide the others until it was fixed).
  const formResult = scheduleFormSchema.safeParse(body);
  const raw = (body ?? {}) as Record<string, unknown>;
  const text = (key: string) => {
    const v = formResult.success ? formResult.data[key as keyof typeof formResult.data] : raw[key];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const checked = (key: 'allowWeekends' | 'allowHolidays') =>
    formResult.success ? formResult.data[key] : ['on', 'true', '1'].includes(String(raw[key] ?? ''));
  const when = formResult.success ? formResult.data.when : String(raw.when ?? '');
  const optionsResult = scheduleOptionsSchema.safeParse({
    overdueIntervalDays: text('overdueIntervalDays'),
    overdueMaxCount: text('overdueMaxCount'),
    escalationDays: text('escalationDays'),
    digestPeriod: text('digestPeriod'),
    windowStart: text('windowStart'),
    windowEnd: text('windowEnd'),
    allowWeekends: checked('allowWeekends'),
    allowHolidays: checked('allowHolidays'),
    firstWorkingDayOnly: when in PRESETS ? PRESETS[when as PresetKey].firstWorkingDayOnly : false,
  });
  const fieldErrors: Record<string, string> = {};
  for (const issue of [...(formResult.error?.issues ?? []), ...(optionsResult.error?.issues ?? [])])
    fieldErrors[issue.path.join('.') || '_'] ??= issue.message;
  // The cron expression is checked here, not in the schema: a refinement there would run only once
  // every other field is valid.
  if (when === 'cron' && !isValidCron(String(raw.cron ?? ''))) fieldErrors.cron ??= INVALID_CRON_MESSAGE;
  if (!formResult.success || !optionsResult.success || fieldErrors.cron)
    throw new ValidationError('Skjemaet har feil. Rett opp og prøv igjen.', fieldErrors);
  const form = formResult.data;
  const units = await listUnits(db, { kind: 'all' });
  const known = new Set(units.map((u) => u.id));
  if (form.unitIds.some((id) => !known.has(id)))
    throw new ValidationError('Skjemaet har feil. Rett opp og prøv igjen.', {
      unitIds: 'En av enhetene finnes ikke.',
    });
  if (form.templateVariant && form.templateVariant !== 'standard') {
    const variants = await listTemplateVariants(db);
    if (!variants.includes(form.templateVariant))
      throw new ValidationError('Skjemaet har feil. Rett opp og prøv igjen.', {
        templateVariant: 'Malvarianten finnes ikke.',
      });
  }
  return {
    name: form.name,
    cron: form.when === 'cron' ? form.cron.trim().replace(/\s+/g, ' ') : PRESETS[form.when as PresetKey].cron,
    kinds: [...new Set(form.kinds)] as ReminderKind[],
    unitIds: [...new Set(form.unitIds)],
    templateKey: form.templateVariant && form.templateVariant !== 'standard' ? form.templateVariant : null,
    options: optionsResult.data,
  };
}

export interface PreviewSummary {
  result: RunResult;
  counts: Array<{ kind: string; label: string; count: number }>;
}

/** What the schedule would send on the date (nothing is written). */
export async function previewSchedule(
  db: Db,
  values: ScheduleValues,
  asOf: LocalDate,
  env: { baseUrl: string; now: Date },
): Promise<PreviewSummary> {
  const draft: ScheduleRecord = {
    id: 0,
    ...values,
    paused: false,
    lastFiredAt: null,
    createdAt: env.now,
    updatedAt: env.now,
  };
  const result = await dryRunSchedule(db, draft, asOf, env);
  const counts = (Object.keys(MAIL_KIND_LABELS) as ReminderKind[])
    .filter((k) => values.kinds.includes(k))
    .map((kind) => ({
      kind,
      label: MAIL_KIND_LABELS[kind],
      count: result.items.filter((i) => i.kind === kind && i.state === 'would_enqueue').length,
    }));
  return { result, counts };
}

export async function createSchedule(db: Db, values: ScheduleValues, userId: number): Promise<number> {
  const id = await insertSchedule(db, { ...values, createdBy: userId });
  notifySchedulesChanged();
  return id;
}

export async function changeSchedule(db: Db, id: number, values: ScheduleValues): Promise<void> {
  if (!(await updateSchedule(db, id, values))) throw new NotFoundError('Påminnelsesplanen finnes ikke.');
  notifySchedulesChanged();
}

export async function pauseSchedule(db: Db, id: number, paused: boolean): Promise<void> {
  if (!(await setSchedulePaused(db, id, paused))) throw new NotFoundError('Påminnelsesplanen finnes ikke.');
  notifySchedulesChanged();
}

export async function removeSchedule(db: Db, id: number): Promise<void> {
  await getSchedule(db, id);
  await deleteSchedule(db, id);
  notifySchedulesChanged();
}

export async function getSchedule(db: Db, id: number): Promise<ScheduleRecord> {
  const schedule = await findSchedule(db, id);
  if (!schedule) throw new NotFoundError('Påminnelsesplanen finnes ikke.');
  return schedule;
}

/** «Kjør nå»: runs the schedule for today and wakes the sender. */
export async function runScheduleFromUi(
  db: Db,
  id: number,
  asOf: LocalDate,
  env: { baseUrl: string; now: Date },
  dryRun: boolean,
): Promise<RunResult> {
  const schedule = await getSchedule(db, id);
  const byHand: RunEnvironment = { ...env, manual: true };
  if (dryRun) return dryRunSchedule(db, schedule, asOf, byHand);
  const result = await runScheduleNow(db, schedule, asOf, byHand);
  if (result.enqueued > 0) notifyOutboxChanged();
  return result;
}

export interface ScheduleListItem {
  schedule: ScheduleRecord;
  when: string;
  kinds: string[];
  units: string;
  mails: { total: number; sent: number; failed: number };
}

export async function listSchedulesForAdmin(db: Db): Promise<ScheduleListItem[]> {
  const [schedules, units, mails] = await Promise.all([
    listSchedules(db),
    listUnits(db, { kind: 'all' }),
    countMailsPerSchedule(db),
  ]);
  const unitNames = new Map(units.map((u) => [u.id, u.name]));
  return schedules.map((schedule) => ({
    schedule,
    when: describeWhen(schedule.cron, schedule.options),
    kinds: schedule.kinds.map((k) => MAIL_KIND_LABELS[k] ?? k),
    units: schedule.unitIds.length
      ? schedule.unitIds.map((id) => unitNames.get(id) ?? `#${id}`).join(', ')
      : 'Alle enheter',
    mails: mails.get(schedule.id) ?? { total: 0, sent: 0, failed: 0 },
  }));
}

export function describeAsOf(asOf: LocalDate): string {
  return formatNorwegianDate(asOf);
}
