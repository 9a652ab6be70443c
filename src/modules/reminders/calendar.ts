import Holidays from 'date-holidays';
import { addDays, toLocalDate, type LocalDate } from '../../lib/dates';

/**
 * Working days and the sending window, in Europe/Oslo. Public holidays come from date-holidays
 * ('NO', type 'public': nyttårsdag, påske, 1. og 17. mai, Kristi himmelfart, pinse, jul).
 */

const holidays = new Holidays('NO');

/** The name of the Norwegian public holiday on a date, or null. */
export function publicHolidayName(date: LocalDate): string | null {
  // Noon UTC is the same calendar date in Oslo all year.
  const found = holidays.isHoliday(new Date(`${date}T12:00:00Z`));
  if (!found) return null;
  const pub = found.find((h) => h.type === 'public');
  return pub ? pub.name : null;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: LocalDate): number {
  return new Date(`${date}T12:00:00Z`).getUTCDay();
}

export function isWeekend(date: LocalDate): boolean {
  const d = weekdayOf(date);
  return d === 0 || d === 6;
}

/** Monday to Friday and not a public holiday. */
export function isWorkingDay(date: LocalDate): boolean {
  return !isWeekend(date) && publicHolidayName(date) === null;
}

/** The first working day of the date's month. */
export function firstWorkingDayOfMonth(date: LocalDate): LocalDate {
  let d = `${date.slice(0, 8)}01`;
  while (!isWorkingDay(d)) d = addDays(d, 1);
  return d;
}

export interface SendingRules {
  windowStart: string;
  windowEnd: string;
  allowWeekends: boolean;
  allowHolidays: boolean;
}

/** True when mail may go out on this date under the rules. */
export function isSendingDay(date: LocalDate, rules: SendingRules): boolean {
  if (!rules.allowWeekends && isWeekend(date)) return false;
  if (!rules.allowHolidays && publicHolidayName(date) !== null) return false;
  return true;
}

const partsFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function osloWallClockMs(instant: Date): number {
  const p = Object.fromEntries(partsFormatter.formatToParts(instant).map((x) => [x.type, x.value]));
  return Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
}

/** The instant when the Oslo wall clock shows `time` ('HH:MM') on `date`. */
export function osloInstant(date: LocalDate, time: string): Date {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(
    Number(date.slice(0, 4)),
    Number(date.slice(5, 7)) - 1,
    Number(date.slice(8, 10)),
    h,
    m,
  );
  // Correct by the zone offset at that instant (twice, for the hours around a DST change).
  let guess = wall - (osloWallClockMs(new Date(wall)) - wall);
  guess = wall - (osloWallClockMs(new Date(guess)) - guess);
  return new Date(guess);
}

/** 'HH:MM' on the Oslo wall clock. */
export function osloTime(instant: Date): string {
  const p = Object.fromEntries(partsFormatter.formatToParts(instant).map((x) => [x.type, x.value]));
  return `${p.hour}:${p.minute}`;
}

/**
 * The earliest instant at or after `from` when mail may be sent: on a sending day, inside the
 * window [windowStart, windowEnd). Looks at most 60 days ahead (there is always a working day).
 */
export function nextSendingInstant(from: Date, rules: SendingRules): Date {
  let date = toLocalDate(from);
  const time = osloTime(from);
  for (let i = 0; i < 60; i++) {
    if (isSendingDay(date, rules)) {
      if (i === 0 && time >= rules.windowStart && time < rules.windowEnd) return from;
      if (i > 0 || time < rules.windowStart) return osloInstant(date, rules.windowStart);
    }
    date = addDays(date, 1);
  }
  return from;
}
