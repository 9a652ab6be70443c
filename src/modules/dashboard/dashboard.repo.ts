import { desc, eq } from 'drizzle-orm';
import { readAll, type DbOrTx } from '../../db/client';
import {
  completions,
  courseVersions,
  courses,
  exemptions,
  mailOutbox,
  reminderLog,
  requirements,
  scormAttempts,
} from '../../db/schema';

/** All completion records of an employee, voids and voided ones included (the history is append-only). */
export async function listCompletionHistory(db: DbOrTx, employeeId: number) {
  return db
    .select({
      id: completions.id,
      courseTitle: courses.title,
      completedOn: completions.completedOn,
      source: completions.source,
      reason: completions.reason,
      voidsCompletionId: completions.voidsCompletionId,
      recordedAt: completions.recordedAt,
    })
    .from(completions)
    .innerJoin(courses, eq(courses.id, completions.courseId))
    .where(eq(completions.employeeId, employeeId))
    .orderBy(desc(completions.completedOn), desc(completions.id));
}

/** All exemption records of an employee, voids and voided ones included. */
export async function listExemptionHistory(db: DbOrTx, employeeId: number) {
  return db
    .select({
      id: exemptions.id,
      requirementName: requirements.name,
      validFrom: exemptions.validFrom,
      validUntil: exemptions.validUntil,
      reason: exemptions.reason,
      isVoid: exemptions.isVoid,
      voidsExemptionId: exemptions.voidsExemptionId,
      recordedAt: exemptions.recordedAt,
    })
    .from(exemptions)
    .innerJoin(requirements, eq(requirements.id, exemptions.requirementId))
    .where(eq(exemptions.employeeId, employeeId))
    .orderBy(desc(exemptions.validFrom), desc(exemptions.id));
}

/** The employee's SCORM attempts, newest first. */
export async function listScormAttempts(db: DbOrTx, employeeId: number) {
  return db
    .select({
      id: scormAttempts.id,
      courseTitle: courses.title,
      version: courseVersions.version,
      attemptNumber: scormAttempts.attemptNumber,
      state: scormAttempts.state,
      updatedAt: scormAttempts.updatedAt,
      completedAt: scormAttempts.completedAt,
    })
    .from(scormAttempts)
    .innerJoin(courseVersions, eq(courseVersions.id, scormAttempts.courseVersionId))
    .innerJoin(courses, eq(courses.id, courseVersions.courseId))
    .where(eq(scormAttempts.employeeId, employeeId))
    .orderBy(desc(scormAttempts.updatedAt), desc(scormAttempts.id));
}

/**
 * The mails about one employee: their own reminders, and the escalation mails that list them
 * (found through the reminder log, which keeps each person's line with the mail's key). Newest first.
 */
export async function listMailToEmployee(db: DbOrTx, employeeId: number) {
  const columns = {
    id: mailOutbox.id,
    kind: mailOutbox.kind,
    subject: mailOutbox.subject,
    status: mailOutbox.status,
    createdAt: mailOutbox.createdAt,
    sentAt: mailOutbox.sentAt,
  };
  const [own, listing] = await readAll(db, [
    () => db.select(columns).from(mailOutbox).where(eq(mailOutbox.employeeId, employeeId)),
    () =>
      db
        .selectDistinct(columns)
        .from(reminderLog)
        .innerJoin(mailOutbox, eq(mailOutbox.idempotencyKey, reminderLog.mailKey))
        .where(eq(reminderLog.employeeId, employeeId)),
  ]);
  return [...own, ...listing].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
}
