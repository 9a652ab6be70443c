import cron from 'node-cron';
import { z } from 'zod';
import { dbId } from '../../lib/validation';
import { MAIL_KINDS } from '../mail/templates';

/** Schedule input and options, validated at the edge with bokmål messages. */

export const REMINDER_KINDS = MAIL_KINDS;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

const time = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Skriv klokkeslett som tt:mm, for eksempel 07:00.');

export const scheduleOptionsSchema = z
  .object({
    overdueIntervalDays: z.coerce
      .number({ error: 'Skriv et helt antall dager.' })
      .int('Skriv et helt antall dager.')
      .min(1, 'Minst 1 dag.')
      .max(365, 'Høyst 365 dager.')
      .default(7),
    overdueMaxCount: z.coerce
      .number({ error: 'Skriv et helt tall.' })
      .int('Skriv et helt tall.')
      .min(1, 'Minst 1 gang.')
      .max(52, 'Høyst 52 ganger.')
      .default(4),
    escalationDays: z.coerce
      .number({ error: 'Skriv et helt antall dager.' })
      .int('Skriv et helt antall dager.')
      .min(1, 'Minst 1 dag.')
      .max(365, 'Høyst 365 dager.')
      .default(30),
    digestPeriod: z.enum(['week', 'month'], 'Velg uke eller måned.').default('week'),
    windowStart: time.default('07:00'),
    windowEnd: time.default('17:00'),
    allowWeekends: z.boolean().default(false),
    allowHolidays: z.boolean().default(false),
    /** Fire only on the first working day of the month (used with a cron on days 1–7). */
    firstWorkingDayOnly: z.boolean().default(false),
  })
  .refine((o) => o.windowStart < o.windowEnd, {
    message: 'Sendevinduet må slutte etter at det begynner.',
    path: ['windowEnd'],
  });
export type ScheduleOptions = z.infer<typeof scheduleOptionsSchema>;

/** Options as stored (jsonb); anything missing or broken falls back to the defaults. */
export function readScheduleOptions(value: unknown): ScheduleOptions {
  const parsed = scheduleOptionsSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : scheduleOptionsSchema.parse({});
}

export const PRESETS = {
  weekly_monday: { label: 'Hver mandag kl. 07.00', cron: '0 7 * * 1', firstWorkingDayOnly: false },
  first_working_day: {
    label: 'Første virkedag i måneden kl. 07.00',
    cron: '0 7 1-7 * *',
    firstWorkingDayOnly: true,
  },
  daily_workdays: { label: 'Hver virkedag kl. 07.00', cron: '0 7 * * 1-5', firstWorkingDayOnly: false },
} as const;
export type PresetKey = keyof typeof PRESETS;

const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.literal('1'), z.literal('')])
  .optional()
  .transform((v) => v === 'on' || v === 'true' || v === '1');

const idList = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((s) => s !== ''),
  z.array(dbId('Ugyldig enhet.')),
);

export const INVALID_CRON_MESSAGE =
  'Cron-uttrykket er ugyldig. Bruk fem felt: minutt time dag måned ukedag, for eksempel «0 7 * * 1».';

/** The schedule form as posted (urlencoded); scheduleValuesFromForm checks the cron expression and the options. */
export const scheduleFormSchema = z.object({
  name: z.string().trim().min(1, 'Gi planen et navn.').max(200, 'Navnet er for langt.'),
  when: z.enum([...(Object.keys(PRESETS) as PresetKey[]), 'cron'], 'Velg når planen skal kjøre.'),
  cron: z.string().trim().optional().default(''),
  kinds: z
    .union([z.enum(REMINDER_KINDS), z.array(z.enum(REMINDER_KINDS))], 'Velg minst én type e-post.')
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.enum(REMINDER_KINDS)).min(1, 'Velg minst én type e-post.')),
  unitIds: idList,
  templateVariant: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(
      z
        .string()
        .regex(/^[a-z0-9-]{1,40}$/, 'Ugyldig malvariant.')
        .nullable(),
    ),
  overdueIntervalDays: z.string().optional(),
  overdueMaxCount: z.string().optional(),
  escalationDays: z.string().optional(),
  digestPeriod: z.string().optional(),
  windowStart: z.string().optional(),
  windowEnd: z.string().optional(),
  allowWeekends: checkbox,
  allowHolidays: checkbox,
});
export type ScheduleForm = z.infer<typeof scheduleFormSchema>;

/** True for a five-field cron expression node-cron accepts. */
export function isValidCron(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  return fields.length === 5 && cron.validate(expression.trim());
}

export const runOptionsSchema = z.object({
  asOf: z.string().optional(),
  dryRun: z.boolean().default(false),
});
