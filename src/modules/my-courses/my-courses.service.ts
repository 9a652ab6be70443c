import type { Db } from '../../db/client';
import { todayInOslo, type LocalDate } from '../../lib/dates';
import { computeComplianceRows } from '../compliance/compliance.service';
import type { ComplianceStatus } from '../compliance/deadline-engine';

export interface MyCourse {
  requirementId: number;
  courseId: number;
  courseSlug: string;
  courseTitle: string;
  status: ComplianceStatus;
  dueDate: LocalDate | null;
  lastCompletion: LocalDate | null;
  reason: string;
}

const statusOrder: Record<ComplianceStatus, number> = {
  overdue: 0,
  due_soon: 1,
  todo: 2,
  done: 3,
  exempt: 4,
};

/** The required courses of one employee with status, due date and reason, most urgent first. */
export async function listMyCourses(db: Db, employeeId: number, now: Date): Promise<MyCourse[]> {
  const today = todayInOslo(now);
  const rows = await computeComplianceRows(db, { scope: { kind: 'all' }, employeeId }, today);
  return rows
    .filter((r) => r.result.status !== null)
    .map((r) => ({
      requirementId: r.requirement.id,
      courseId: r.requirement.courseId,
      courseSlug: r.requirement.courseSlug,
      courseTitle: r.requirement.courseTitle,
      status: r.result.status!,
      dueDate: r.result.dueDate,
      lastCompletion: r.result.lastCompletion,
      reason: r.result.reason,
    }))
    .sort(
      (a, b) =>
        statusOrder[a.status] - statusOrder[b.status] || (a.dueDate ?? '').localeCompare(b.dueDate ?? ''),
    );
}

/** True when the course must be taken (again): a requirement for it is not done or exempt. */
export function isCourseDue(courses: MyCourse[], courseId: number): boolean {
  return courses.some(
    (c) =>
      c.courseId === courseId && (c.status === 'todo' || c.status === 'due_soon' || c.status === 'overdue'),
  );
}
