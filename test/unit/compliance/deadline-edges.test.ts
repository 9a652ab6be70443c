import { addMonths, parseDateInput, todayInOslo } from '../../../src/lib/dates';
import { computeStatus, type RequirementRule } from '../../../src/modules/compliance/deadline-engine';

const cycle: RequirementRule = {
  firstDeadline: '2023-12-31',
  renewalMode: 'cycle',
  renewalMonths: 24,
  newHireMonths: 12,
  dueSoonDays: 30,
};
const rolling: RequirementRule = { ...cycle, renewalMode: 'rolling' };
const veteran = { hireDate: '2015-05-01', endDate: null };

describe('dates in Europe/Oslo', () => {
  test.each([
    ['2024-01-31', 1, '2024-02-29'],
    ['2023-01-31', 1, '2023-02-28'],
    ['2023-08-31', 6, '2024-02-29'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-29'],
    ['2023-12-31', 24, '2025-12-31'],
  ])('when %s + %i months, then %s', (from, months, expected) => {
    expect(addMonths(from, months)).toBe(expected);
  });

  test('when parsing user dates, then both formats work and impossible dates are refused', () => {
    expect(parseDateInput('01.03.2024')).toBe('2024-03-01');
    expect(parseDateInput('2024-03-01')).toBe('2024-03-01');
    expect(parseDateInput('31.02.2024')).toBeNull();
    expect(parseDateInput('2023-02-29')).toBeNull();
    expect(parseDateInput('1/3/2024')).toBeNull();
  });

  test('when it is 23:30 UTC on 31 December, then it is already 1 January in Oslo', () => {
    expect(todayInOslo(new Date('2023-12-31T23:30:00Z'))).toBe('2024-01-01');
    expect(todayInOslo(new Date('2024-06-30T22:30:00Z'))).toBe('2024-07-01');
  });
});

describe('status edges', () => {
  test('when T is the due date itself, then it is due soon, not overdue ("innen 31.12" includes the day)', () => {
    expect(computeStatus(cycle, veteran, [], [], '2023-12-31').status).toBe('due_soon');
    expect(computeStatus(cycle, veteran, [], [], '2024-01-01').status).toBe('overdue');
  });

  test('when T is exactly dueSoonDays before the due date, then it is due soon; one day earlier it is todo', () => {
    expect(computeStatus(cycle, veteran, [], [], '2023-12-01').status).toBe('due_soon');
    expect(computeStatus(cycle, veteran, [], [], '2023-11-30').status).toBe('todo');
  });

  test('when completed on the cycle deadline itself, then that deadline is satisfied and the next is 24 months later', () => {
    expect(computeStatus(cycle, veteran, ['2023-12-31'], [], '2024-01-05')).toMatchObject({
      status: 'done',
      dueDate: '2025-12-31',
    });
  });

  test('when completed just after a cycle deadline, then it satisfies the next one and is due the one after', () => {
    expect(computeStatus(cycle, veteran, ['2024-01-02'], [], '2024-02-01').dueDate).toBe('2027-12-31');
  });

  test('when renewal is rolling, then the due date is the completion + 24 months', () => {
    expect(computeStatus(rolling, veteran, ['2023-10-01'], [], '2024-06-01')).toMatchObject({
      status: 'done',
      dueDate: '2025-10-01',
    });
  });

  test('when a rolling completion came before a new hire window ends, then the new-hire due date is kept', () => {
    const r = computeStatus(
      { ...rolling, renewalMonths: 6 },
      { hireDate: '2024-03-01', endDate: null },
      ['2024-03-02'],
      [],
      '2024-06-01',
    );
    expect(r.dueDate).toBe('2025-03-01');
  });

  test('when an exemption covers T, then the status is exempt with its reason; after its end date it is not', () => {
    const x = [{ validFrom: '2023-06-01', validUntil: '2024-03-31', reason: 'Permisjon' }];
    const during = computeStatus(cycle, veteran, [], x, '2024-03-31');
    expect(during.status).toBe('exempt');
    expect(during.reason).toBe('Fritatt til 31.03.2024: Permisjon');
    expect(computeStatus(cycle, veteran, [], x, '2024-04-01').status).toBe('overdue');
    expect(
      computeStatus(
        cycle,
        veteran,
        [],
        [{ validFrom: '2023-06-01', validUntil: null, reason: 'Varig' }],
        '2030-01-01',
      ).status,
    ).toBe('exempt');
  });

  test('when the employee has ended before T, or is hired after T, then they are not counted', () => {
    expect(
      computeStatus(cycle, { hireDate: '2015-05-01', endDate: '2024-02-01' }, [], [], '2024-02-02').counted,
    ).toBe(false);
    expect(
      computeStatus(cycle, { hireDate: '2015-05-01', endDate: '2024-02-01' }, [], [], '2024-02-01').counted,
    ).toBe(true);
    expect(
      computeStatus(cycle, { hireDate: '2025-01-01', endDate: null }, [], [], '2024-12-31').counted,
    ).toBe(false);
  });

  test('when a completion is dated after T, then a report as of T ignores it', () => {
    expect(computeStatus(cycle, veteran, ['2024-02-01'], [], '2024-01-15').status).toBe('overdue');
  });

  test('when hired on 29 February, then the new-hire deadline is 28 February next year', () => {
    expect(
      computeStatus(cycle, { hireDate: '2024-02-29', endDate: null }, [], [], '2024-03-01').dueDate,
    ).toBe('2025-02-28');
  });
});
