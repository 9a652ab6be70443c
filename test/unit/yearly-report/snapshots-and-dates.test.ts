import { monthEndsUpTo, previousMonthEnd } from '../../../src/modules/yearly-report/snapshots.service';
import { completionRateOf } from '../../../src/modules/compliance/deadline-engine';
import { reportDateOf } from '../../../src/modules/yearly-report/yearly-report.service';
import {
  formatChange,
  formatPercent,
  percentValue,
} from '../../../src/modules/yearly-report/yearly-report.export';

describe('month ends and report dates', () => {
  test('when the date is inside a month, then the previous month end is the last day of the month before', () => {
    expect(previousMonthEnd('2026-11-22')).toBe('2026-10-31');
    expect(previousMonthEnd('2026-03-01')).toBe('2026-02-28');
    expect(previousMonthEnd('2024-03-15')).toBe('2024-02-29');
    expect(previousMonthEnd('2026-01-05')).toBe('2025-12-31');
  });

  test('when 24 month ends are asked for, then they are the real last days, oldest first', () => {
    const ends = monthEndsUpTo('2026-10-31', 24);
    expect(ends).toHaveLength(24);
    expect(ends[0]).toBe('2024-11-30');
    expect(ends).toContain('2025-02-28');
    expect(ends).toContain('2025-12-31');
    expect(ends[23]).toBe('2026-10-31');
    expect([...ends].sort()).toEqual(ends);
  });

  test('when the year is over, then the report is as of 31 December; while it runs, as of today', () => {
    expect(reportDateOf(2025, '2026-11-22')).toEqual({ asOf: '2025-12-31', yearEnded: true });
    expect(reportDateOf(2026, '2026-11-22')).toEqual({ asOf: '2026-11-22', yearEnded: false });
    expect(reportDateOf(2025, '2025-12-31')).toEqual({ asOf: '2025-12-31', yearEnded: false });
    expect(() => reportDateOf(2027, '2026-11-22')).toThrow('kan ikke lages før året har begynt');
  });
});

describe('rates and their formatting', () => {
  const counts = { counted: 10, done: 6, todo: 1, dueSoon: 1, overdue: 1, exempt: 1, withValidCompletion: 7 };

  test('when some are exempt, then the rate leaves them out of the denominator', () => {
    expect(completionRateOf(counts)).toBeCloseTo(7 / 9);
    expect(completionRateOf({ ...counts, counted: 1, exempt: 1 })).toBeNull();
  });

  test('when a rate is shown, then it has one decimal and a Norwegian comma', () => {
    expect(percentValue(7 / 9)).toBe(77.8);
    expect(formatPercent(7 / 9)).toBe('77,8 %');
    expect(formatPercent(null)).toBe('–');
    expect(formatChange(2.5)).toBe('+2,5');
    expect(formatChange(-1)).toBe('−1,0');
    expect(formatChange(0)).toBe('0,0');
    expect(formatChange(null)).toBe('–');
  });
});
