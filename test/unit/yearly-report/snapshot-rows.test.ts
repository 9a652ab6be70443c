import type { ComplianceRow } from '../../../src/modules/compliance/compliance.service';
import type { ComplianceStatus } from '../../../src/modules/compliance/deadline-engine';
import { isReviewedUnit } from '../../../src/modules/reviews/reviews.service';
import { snapshotRowsOf } from '../../../src/modules/yearly-report/snapshots.service';

function row(
  unitId: number | null,
  requirementId: number,
  status: ComplianceStatus,
  completed: boolean,
): ComplianceRow {
  return {
    employee: { unitId } as ComplianceRow['employee'],
    requirement: { id: requirementId } as ComplianceRow['requirement'],
    result: {
      counted: true,
      status,
      dueDate: '2027-12-31',
      lastCompletion: completed ? '2025-05-01' : null,
      reason: '',
    },
  };
}

describe('snapshot rows', () => {
  test('when rows are grouped, then each home unit and requirement gets its own counts and unitless employees are left out', () => {
    const rows = [
      row(1, 10, 'done', true),
      row(1, 10, 'due_soon', true),
      row(1, 10, 'due_soon', false),
      row(1, 11, 'overdue', true),
      row(2, 10, 'exempt', false),
      row(2, 10, 'todo', false),
      row(null, 10, 'done', true),
    ];
    const snapshot = snapshotRowsOf('2025-12-31', rows).sort(
      (a, b) => a.unitId - b.unitId || a.requirementId - b.requirementId,
    );
    expect(snapshot).toEqual([
      {
        asOf: '2025-12-31',
        unitId: 1,
        requirementId: 10,
        counted: 3,
        done: 1,
        todo: 0,
        dueSoon: 2,
        overdue: 0,
        exempt: 0,
        withValidCompletion: 2,
      },
      {
        asOf: '2025-12-31',
        unitId: 1,
        requirementId: 11,
        counted: 1,
        done: 0,
        todo: 0,
        dueSoon: 0,
        overdue: 1,
        exempt: 0,
        withValidCompletion: 0,
      },
      {
        asOf: '2025-12-31',
        unitId: 2,
        requirementId: 10,
        counted: 2,
        done: 0,
        todo: 1,
        dueSoon: 0,
        overdue: 0,
        exempt: 1,
        withValidCompletion: 0,
      },
    ]);
  });

  test('when a unit is a virksomhet or an avdeling, then it holds yearly reviews; sectors and the municipality do not', () => {
    expect(['kommune', 'sektor', 'virksomhet', 'avdeling'].map((kind) => isReviewedUnit({ kind }))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});
