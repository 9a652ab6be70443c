import {
  firstWorkingDayOfMonth,
  isWorkingDay,
  nextSendingInstant,
  osloInstant,
  publicHolidayName,
} from '../../../src/modules/reminders/calendar';

const rules = { windowStart: '07:00', windowEnd: '17:00', allowWeekends: false, allowHolidays: false };
const oslo = (s: string) => new Date(s);

describe('sending calendar (Europe/Oslo, Norwegian public holidays)', () => {
  it('when the date is a Norwegian public holiday, then it is named and is no working day', () => {
    expect(publicHolidayName('2026-05-17')).toBe('Grunnlovsdagen');
    expect(publicHolidayName('2026-12-25')).toBe('Første juledag');
    expect(publicHolidayName('2026-04-06')).toBe('Andre påskedag');
    expect(publicHolidayName('2026-11-23')).toBeNull();
    expect(isWorkingDay('2026-12-25')).toBe(false);
    expect(isWorkingDay('2026-11-28')).toBe(false); // Saturday
    expect(isWorkingDay('2026-11-23')).toBe(true);
  });

  it('when a month starts on a holiday or a weekend, then the first working day is the next one', () => {
    expect(firstWorkingDayOfMonth('2026-01-20')).toBe('2026-01-02'); // 1 January is nyttårsdag
    expect(firstWorkingDayOfMonth('2026-11-10')).toBe('2026-11-02'); // 1 November is a Sunday
    expect(firstWorkingDayOfMonth('2026-06-30')).toBe('2026-06-01');
  });

  it('when the time is inside the window on a working day, then mail may go at once', () => {
    const t = oslo('2026-11-23T09:15:00+01:00');
    expect(nextSendingInstant(t, rules)).toEqual(t);
  });

  it('when the time is after the window, then mail waits for the next working morning', () => {
    expect(nextSendingInstant(oslo('2026-11-23T18:30:00+01:00'), rules)).toEqual(
      oslo('2026-11-24T07:00:00+01:00'),
    );
    expect(nextSendingInstant(oslo('2026-11-23T05:00:00+01:00'), rules)).toEqual(
      oslo('2026-11-23T07:00:00+01:00'),
    );
  });

  it('when it is Saturday, then mail waits for Monday unless weekends are allowed', () => {
    const saturday = oslo('2026-11-28T10:00:00+01:00');
    expect(nextSendingInstant(saturday, rules)).toEqual(oslo('2026-11-30T07:00:00+01:00'));
    expect(nextSendingInstant(saturday, { ...rules, allowWeekends: true })).toEqual(saturday);
  });

  it('when it is Christmas Day, then mail waits past the holiday and the weekend unless holidays are allowed', () => {
    const christmas = oslo('2026-12-25T10:00:00+01:00');
    expect(nextSendingInstant(christmas, rules)).toEqual(oslo('2026-12-28T07:00:00+01:00'));
    expect(nextSendingInstant(christmas, { ...rules, allowHolidays: true })).toEqual(christmas);
  });

  it('when daylight saving time is in force, then the window is still read on the Oslo wall clock', () => {
    expect(osloInstant('2026-06-15', '07:00').toISOString()).toBe('2026-06-15T05:00:00.000Z');
    expect(osloInstant('2026-12-15', '07:00').toISOString()).toBe('2026-12-15T06:00:00.000Z');
    expect(osloInstant('2026-03-29', '07:00').toISOString()).toBe('2026-03-29T05:00:00.000Z');
  });
});
