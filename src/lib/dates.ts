/**
 * Calendar dates as ISO strings 'YYYY-MM-DD', meant as dates in Europe/Oslo. Arithmetic runs on
 * plain calendar numbers, so no time zone or daylight-saving change can shift a date.
 */
export type LocalDate = string;

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const NORWEGIAN = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;

/**
 * Dates people type or import must fall in 1900–2199: a year like 0023 is a typo, not a hire date.
 * (Arithmetic on dates works for any four-digit year.)
 */
const FIRST_INPUT_YEAR = 1900;
const LAST_INPUT_YEAR = 2199;

function isRealDate(y: number, m: number, d: number): boolean {
  return (
    y >= FIRST_INPUT_YEAR && y <= LAST_INPUT_YEAR && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)
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

/**
 * Why a typed date was not accepted, for the message: not written as a date at all, written as one
 * but not in the calendar (31.02.2025), or outside the years people type (1900–2199).
 */
export function dateInputProblem(s: string): 'format' | 'calendar' | 'range' | null {
  const value = s.trim();
  const iso = ISO.exec(value);
  const nor = NORWEGIAN.exec(value);
  if (!iso && !nor) return 'format';
  const [y, m, d] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : [Number(nor![3]), Number(nor![2]), Number(nor![1])];
  if (y < FIRST_INPUT_YEAR || y > LAST_INPUT_YEAR) return 'range';
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return 'calendar';
  return null;
}

/** 'dd.mm.yyyy', as dates are written in Norway. */
export function formatNorwegianDate(d: LocalDate): string {
  const m = ISO.exec(d);
  if (!m) return d;
  return `${m[3]}.${m[2]}.${m[1]}`;
}

/*
 * The arithmetic below runs on integers (year, month, day and a day number), not on Date objects:
 * the deadline engine calls it for every employee × requirement, tens of thousands of times per
 * report. test/unit/dates.test.ts checks it against date-fns over every day of several centuries.
 */

const DIGIT0 = 48;

/** The digit at position i of a date string; throws when it is not one. */
function digitAt(d: LocalDate, i: number): number {
  const c = d.charCodeAt(i) - DIGIT0;
  if (c < 0 || c > 9) throw new RangeError(`not a date: ${d}`);
  return c;
}

/** Year, month (1–12) and day of 'YYYY-MM-DD'; throws on anything else (no regex, no Date). */
function parts(d: LocalDate): [number, number, number] {
  if (d.length !== 10 || d.charCodeAt(4) !== 45 || d.charCodeAt(7) !== 45)
    throw new RangeError(`not a date: ${d}`);
  const y = digitAt(d, 0) * 1000 + digitAt(d, 1) * 100 + digitAt(d, 2) * 10 + digitAt(d, 3);
  const m = digitAt(d, 5) * 10 + digitAt(d, 6);
  const day = digitAt(d, 8) * 10 + digitAt(d, 9);
  if (m < 1 || m > 12 || day < 1 || day > daysInMonth(y, m)) throw new RangeError(`not a date: ${d}`);
  return [y, m, day];
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : MONTH_DAYS[m - 1]!;
}

const TWO_DIGITS = Array.from({ length: 32 }, (_, i) => String(i).padStart(2, '0'));

function format(y: number, m: number, d: number): LocalDate {
  if (y < 0 || y > 9999) throw new RangeError(`year out of range: ${y}`);
  return `${String(y).padStart(4, '0')}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}`;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function dayNumber(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number (H. Hinnant's civil_from_days). */
function fromDayNumber(n: number): LocalDate {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return format(yoe + era * 400 + (m <= 2 ? 1 : 0), m, d);
}

/** Adds calendar months; a day that does not exist in the target month becomes its last day (31.01 + 1 = 28/29.02). */
export function addMonths(d: LocalDate, months: number): LocalDate {
  const [y, m, day] = parts(d);
  const total = y * 12 + (m - 1) + Math.trunc(months);
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  return format(ny, nm, Math.min(day, daysInMonth(ny, nm)));
}

export function addDays(d: LocalDate, days: number): LocalDate {
  const [y, m, day] = parts(d);
  return fromDayNumber(dayNumber(y, m, day) + Math.trunc(days));
}

/** Whole days from a to b (positive when b is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  const [ya, ma, da] = parts(a);
  const [yb, mb, db] = parts(b);
  return dayNumber(yb, mb, db) - dayNumber(ya, ma, da);
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

// The last minute asked about and its date: every request asks for today, and Intl's time-zone
// formatting costs about 10 µs a call. A date in Oslo only changes on a whole minute (its offsets
// from UTC are whole hours).
let lastMinute = NaN;
let lastDate = '';

/** The calendar date of an instant in Europe/Oslo, whatever the process time zone. */
export function toLocalDate(date: Date): LocalDate {
  const minute = Math.floor(date.getTime() / 60_000);
  if (minute === lastMinute) return lastDate;
  const formatted = osloFormatter.format(date);
  lastMinute = minute;
  lastDate = formatted;
  return formatted;
}

/** Today in Europe/Oslo. */
export function todayInOslo(now: Date = new Date()): LocalDate {
  return toLocalDate(now);
}

export function endOfYear(year: number): LocalDate {
  return `${year}-12-31`;
}
