import type { ComplianceRow } from '../compliance/compliance.service';
import type { ComplianceStatus } from '../compliance/deadline-engine';

/**
 * One employee × one requirement on the report's "as of" date, in the shape of
 * `kursvakt report --format json` (issue 3): dates as YYYY-MM-DD, employee = ansattnummer,
 * unit = enhetskode, course = the course slug. Every report, export and figure is derived from these.
 */
export interface ReportRow {
  employee: string;
  name: string;
  unit: string | null;
  course: string;
  status: ComplianceStatus;
  due: string | null;
  completedAt: string | null;
  reason: string;
}

/** Turns an evaluated compliance row into a report row. */
export function toReportRow(row: ComplianceRow): ReportRow {
  return {
    employee: row.employee.employeeNumber,
    name: `${row.employee.firstName} ${row.employee.lastName}`,
    unit: row.employee.unitCode,
    course: row.requirement.courseSlug,
    status: row.result.status!,
    due: row.result.dueDate,
    completedAt: row.result.lastCompletion,
    reason: row.result.reason,
  };
}
