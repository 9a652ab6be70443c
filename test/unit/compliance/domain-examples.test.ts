import {
  computeStatus,
  summarizeStatuses,
  type RequirementRule,
} from '../../../src/modules/compliance/deadline-engine';

const cycle: RequirementRule = {
  firstDeadline: '2023-12-31',
  renewalMode: 'cycle',
  renewalMonths: 24,
  newHireMonths: 12,
  dueSoonDays: 30,
};

describe('the worked examples of DOMAIN.md (cycle mode, 31.12.2023, 24 months, new hires 12 months)', () => {
  test.each([
    ['2015-05-01', [], '2023-12-15', '2023-12-31', 'due_soon'],
    ['2015-05-01', [], '2024-01-01', '2023-12-31', 'overdue'],
    ['2015-05-01', ['2023-10-01'], '2024-06-01', '2025-12-31', 'done'],
    ['2024-03-01', [], '2024-06-01', '2025-03-01', 'todo'],
    ['2024-03-01', ['2024-06-01'], '2026-01-10', '2027-12-31', 'done'],
  ])('when hired %s with completions %j on %s, then due %s and %s', (hired, done, asOf, due, status) => {
    const result = computeStatus(cycle, { hireDate: hired, endDate: null }, done, [], asOf);
    expect(result).toMatchObject({ counted: true, dueDate: due, status });
  });

  test('when a status is computed, then its reason names the due date and where it comes from', () => {
    const result = computeStatus(
      { ...cycle, firstDeadline: '2023-12-31' },
      { hireDate: '2024-03-01', endDate: null },
      [],
      [],
      '2024-06-01',
    );
    expect(result.reason).toBe('Forfaller 01.03.2025: 12 måneder etter ansettelsen 01.03.2024');
    const rolling = computeStatus(
      { ...cycle, renewalMode: 'rolling', renewalMonths: 1 },
      { hireDate: '2015-05-01', endDate: null },
      ['2024-02-10'],
      [],
      '2024-02-20',
    );
    expect(rolling.reason).toBe('Forfaller 10.03.2024: 1 måned etter fullføringen 10.02.2024');
    const reasonOf = (hired: string, done: string[], asOf: string, rule = cycle) =>
      computeStatus(rule, { hireDate: hired, endDate: null }, done, [], asOf).reason;
    expect(reasonOf('2015-05-01', [], '2024-01-01')).toBe('Forfalt 31.12.2023: kravets første frist');
    expect(reasonOf('2015-05-01', ['2023-10-01'], '2024-06-01')).toBe(
      'Neste frist 31.12.2025: fullført 01.10.2023, og kurset fornyes hvert 2. år regnet fra 31.12.2023',
    );
    expect(reasonOf('2015-05-01', ['2023-10-01'], '2024-06-01', { ...cycle, renewalMonths: 12 })).toBe(
      'Neste frist 31.12.2024: fullført 01.10.2023, og kurset fornyes hvert år regnet fra 31.12.2023',
    );
    expect(reasonOf('2015-05-01', ['2023-10-01'], '2024-01-10', { ...cycle, renewalMonths: 6 })).toBe(
      'Neste frist 30.06.2024: fullført 01.10.2023, og kurset fornyes hver 6. måned regnet fra 31.12.2023',
    );
  });
});

describe('the completion rate of a unit', () => {
  test('when statuses mix, then the rate is (done + due_soon with a completion) ÷ (counted − exempt)', () => {
    const summary = summarizeStatuses([
      { counted: true, status: 'done', lastCompletion: '2024-01-01' },
      { counted: true, status: 'due_soon', lastCompletion: '2024-01-01' },
      { counted: true, status: 'due_soon', lastCompletion: null },
      { counted: true, status: 'overdue', lastCompletion: '2022-01-01' },
      { counted: true, status: 'exempt', lastCompletion: null },
      { counted: false, status: null, lastCompletion: null },
    ]);
    expect(summary).toMatchObject({
      counted: 5,
      done: 1,
      dueSoon: 2,
      overdue: 1,
      exempt: 1,
      withValidCompletion: 2,
    });
    expect(summary.completionRate).toBeCloseTo(2 / 4);
  });
});
