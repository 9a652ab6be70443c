import fc from 'fast-check';
import { addDays as addDaysFns, addMonths as addMonthsFns, differenceInCalendarDays } from 'date-fns';
import {
  addDays,
  addMonths,
  daysBetween,
  isValidLocalDate,
  parseDateInput,
  toLocalDate,
} from '../../src/lib/dates';

/** date-fns on UTC midnights: the reference the integer arithmetic must agree with. */
const utc = (d: string) => new Date(`${d}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);

/** Every day from 1899-01-01 to 2201-12-31 as 'YYYY-MM-DD'. */
function everyDay(): string[] {
  const days: string[] = [];
  for (let t = Date.UTC(1899, 0, 1); t <= Date.UTC(2201, 11, 31); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

describe('date arithmetic on calendar numbers', () => {
  const days = everyDay();

  test('when every day of three centuries moves by a month, a year, two years or by days, then it agrees with date-fns', () => {
    const mismatches: string[] = [];
    for (const day of days) {
      for (const months of [1, 12, 24, -1]) {
        const [ours, reference] = [addMonths(day, months), iso(addMonthsFns(utc(day), months))];
        if (ours !== reference) mismatches.push(`${day} + ${months} mnd: ${ours} ≠ ${reference}`);
      }
      for (const n of [1, -365]) {
        const [ours, reference] = [addDays(day, n), iso(addDaysFns(utc(day), n))];
        if (ours !== reference) mismatches.push(`${day} + ${n} d: ${ours} ≠ ${reference}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(days).toHaveLength(110_668);
  });

  test('when any two days are compared, then the days between agree with date-fns', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: days.length - 1 }),
        fc.integer({ min: 0, max: days.length - 1 }),
        (i, j) => {
          const [a, b] = [days[i]!, days[j]!];
          return daysBetween(a, b) === differenceInCalendarDays(utc(b), utc(a));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  test('when any day moves by any number of months, then it agrees with date-fns and clamps to the month end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: days.length - 1 }),
        fc.integer({ min: -600, max: 600 }),
        (i, months) => {
          const day = days[i]!;
          return addMonths(day, months) === iso(addMonthsFns(utc(day), months));
        },
      ),
      { numRuns: 5_000 },
    );
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
  });

  test('when a string is not a real date, then the arithmetic refuses it', () => {
    for (const bad of ['2024-02-30', '2023-13-01', '2023-1-01', '20230101xx', 'abcd-ef-gh', '2023-00-10']) {
      expect(() => addMonths(bad, 1)).toThrow(RangeError);
      expect(() => daysBetween(bad, '2023-01-01')).toThrow(RangeError);
    }
  });

  test('when a date is typed or imported, then it must exist and its year must be 1900–2199', () => {
    expect(parseDateInput('29.02.2024')).toBe('2024-02-29');
    expect(parseDateInput('29.02.2023')).toBeNull();
    expect(parseDateInput('1.8.2015')).toBe('2015-08-01');
    expect(parseDateInput('01.01.0023')).toBeNull();
    expect(parseDateInput('0023-01-01')).toBeNull();
    expect(parseDateInput('2200-01-01')).toBeNull();
    expect(isValidLocalDate('1900-01-01')).toBe(true);
    expect(isValidLocalDate('2199-12-31')).toBe(true);
    expect(isValidLocalDate('1899-12-31')).toBe(false);
  });
});

describe('toLocalDate', () => {
  test('when instants on both sides of midnight in Oslo are asked for in turn, in winter and summer time, then each gets its own date', () => {
    const cases: Array<[string, string]> = [
      ['2026-01-14T22:59:59.999Z', '2026-01-14'],
      ['2026-01-14T23:00:00.000Z', '2026-01-15'],
      ['2026-01-14T22:59:00.000Z', '2026-01-14'],
      ['2026-07-14T21:59:59.999Z', '2026-07-14'],
      ['2026-07-14T22:00:00.000Z', '2026-07-15'],
      ['2026-07-14T21:59:30.000Z', '2026-07-14'],
      ['2026-03-29T00:59:59.000Z', '2026-03-29'],
    ];
    for (const [instant, date] of cases) {
      expect(toLocalDate(new Date(instant))).toBe(date);
      expect(toLocalDate(new Date(instant))).toBe(date);
    }
    expect(() => toLocalDate(new Date('ikke en dato'))).toThrow(RangeError);
  });

  test('when many instants are compared with Intl directly, then the remembered minute never gives another answer', () => {
    const intl = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }), { minLength: 2 }),
        (times) => {
          for (const ms of times.flatMap((t) => [t, t + 1, t - 1, t + 59_999])) {
            const d = new Date(ms);
            expect(toLocalDate(d)).toBe(intl.format(d));
          }
        },
      ),
    );
  });
});
