import {
  addDays as addDaysFns,
  addMonths as addMonthsFns,
  differenceInCalendarDays,
  isValid,
} from 'date-fns';

/**
 * Calendar dates as ISO strings 'YYYY-MM-DD', meant as dates in Europe/Oslo. Arithmetic runs on
 * UTC midnights, so no daylight-saving change can shift a date.
 */
export type LocalDate = string;

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const NORWEGIAN = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

function toUtc(d: LocalDate): Date {
  const m = ISO.exec(d);
  if (!m) throw new RangeError(`not a date: ${d}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

function fromUtc(date: Date): LocalDate {
  return date.toISOString().slice(0, 10);
}

function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return (
    isValid(date) && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
  );
}

/** True for a real calendar date written 'YYYY-MM-DD'. */
export function isValidLocalDate(s: string): boolean {
  const m = ISO.exec(s);
  return !!m && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Parses 'dd.mm.yyyy' or 'yyyy-mm-dd' (the formats HR files and forms use); null when not a real date. */
export function parseDateInput(s: string): LocalDate | null {
  const value = s.trim();
  if (ISO.test(value)) return isValidLocalDate(value) ? value : null;
  const m = NORWEGIAN.exec(value);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isRealDate(y, mo, d)) return null;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** 'dd.mm.yyyy', as dates are written in Norway. */
export function formatNorwegianDate(d: LocalDate): string {
  const m = ISO.exec(d);
  if (!m) return d;
  return `${m[3]}.${m[2]}.${m[1]}`;
}

/** Adds calendar months; a day that does not exist in the target month becomes its last day (31.01 + 1 = 28/29.02). */
export function addMonths(d: LocalDate, months: number): LocalDate {
  return fromUtc(addMonthsFns(toUtc(d), months));
}

export function addDays(d: LocalDate, days: number): LocalDate {
  return fromUtc(addDaysFns(toUtc(d), days));
}

/** Whole days from a to b (positive when b is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return differenceInCalendarDays(toUtc(b), toUtc(a));
}

/** Negative, zero or positive like a comparator; ISO strings compare lexically. */
export function compareDates(a: LocalDate, b: LocalDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxDate(a: LocalDate, b: LocalDate): LocalDate {
  return a >= b ? a : b;
}

export function minDate(a: LocalDate, b: LocalDate): LocalDate {
  return a <= b ? a : b;
}

const osloFormatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date of an instant in Europe/Oslo, whatever the process time zone. */
export function toLocalDate(date: Date): LocalDate {
  return osloFormatter.format(date);
}

/** Today in Europe/Oslo. */
export function todayInOslo(now: Date = new Date()): LocalDate {
  return toLocalDate(now);
}

export function endOfYear(year: number): LocalDate {
  return `${year}-12-31`;
}
