import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { completions, courses, exemptions, requirements, users } from '../../db/schema';
import type { LocalDate } from '../../lib/dates';

/** All SQL of manual completions and exemptions. Rows are never updated or deleted: corrections are new rows. */

export interface CompletionHistoryRow {
  id: number;
  courseId: number;
  courseTitle: string;
  completedOn: LocalDate;
  source: string;
  reason: string | null;
  voidsCompletionId: number | null;
  /** The row that voids or replaces this one, if any. */
  voidedById: number | null;
  recordedAt: Date;
  recordedByName: string | null;
}

export async function listCompletionHistory(db: DbOrTx, employeeId: number): Promise<CompletionHistoryRow[]> {
  return db
    .select({
      id: completions.id,
      courseId: completions.courseId,
      courseTitle: courses.title,
      completedOn: completions.completedOn,
      source: completions.source,
      reason: completions.reason,
      voidsCompletionId: completions.voidsCompletionId,
      voidedById: sql<
        number | null
      >`(select min(v.id) from completions v where v.voids_completion_id = ${completions.id})`.mapWith((v) =>
        v === null ? null : Number(v),
      ),
      recordedAt: completions.recordedAt,
      recordedByName: users.displayName,
    })
    .from(completions)
    .innerJoin(courses, eq(courses.id, completions.courseId))
    .leftJoin(users, eq(users.id, completions.recordedBy))
    .where(eq(completions.employeeId, employeeId))
    .orderBy(desc(completions.completedOn), desc(completions.id));
}

export interface ExemptionHistoryRow {
  id: number;
  requirementId: number;
  requirementName: string;
  validFrom: LocalDate;
  validUntil: LocalDate | null;
  reason: string;
  isVoid: boolean;
  voidsExemptionId: number | null;
  voidedById: number | null;
  recordedAt: Date;
  recordedByName: string | null;
}

export async function listExemptionHistory(db: DbOrTx, employeeId: number): Promise<ExemptionHistoryRow[]> {
  return db
    .select({
      id: exemptions.id,
      requirementId: exemptions.requirementId,
      requirementName: requirements.name,
      validFrom: exemptions.validFrom,
      validUntil: exemptions.validUntil,
      reason: exemptions.reason,
      isVoid: exemptions.isVoid,
      voidsExemptionId: exemptions.voidsExemptionId,
      voidedById: sql<
        number | null
      >`(select min(v.id) from exemptions v where v.voids_exemption_id = ${exemptions.id})`.mapWith((v) =>
        v === null ? null : Number(v),
      ),
      recordedAt: exemptions.recordedAt,
      recordedByName: users.displayName,
    })
    .from(exemptions)
    .innerJoin(requirements, eq(requirements.id, exemptions.requirementId))
    .leftJoin(users, eq(users.id, exemptions.recordedBy))
    .where(eq(exemptions.employeeId, employeeId))
    .orderBy(desc(exemptions.recordedAt), desc(exemptions.id));
}

export async function listCourseChoices(db: DbOrTx) {
  return db.select({ id: courses.id, title: courses.title }).from(courses).orderBy(asc(courses.title));
}

export async function listRequirementChoices(db: DbOrTx) {
  return db
    .select({ id: requirements.id, name: requirements.name })
    .from(requirements)
    .orderBy(asc(requirements.name));
}

/** Locks one completion row of an employee for the rest of the transaction. */
export async function lockCompletion(db: DbOrTx, employeeId: number, id: number) {
  const rows = await db
    .select()
    .from(completions)
    .where(and(eq(completions.id, id), eq(completions.employeeId, employeeId)))
    .for('update');
  if (!rows[0]) return null;
  const voiders = await db
    .select({ id: completions.id })
    .from(completions)
    .where(eq(completions.voidsCompletionId, id));
  return { ...rows[0], voided: voiders.length > 0 };
}

export async function lockExemption(db: DbOrTx, employeeId: number, id: number) {
  const rows = await db
    .select()
    .from(exemptions)
    .where(and(eq(exemptions.id, id), eq(exemptions.employeeId, employeeId)))
    .for('update');
  if (!rows[0]) return null;
  const voiders = await db
    .select({ id: exemptions.id })
    .from(exemptions)
    .where(eq(exemptions.voidsExemptionId, id));
  return { ...rows[0], voided: voiders.length > 0 };
}

export async function insertCompletionRow(
  db: DbOrTx,
  values: typeof completions.$inferInsert,
): Promise<number> {
  const [row] = await db.insert(completions).values(values).returning({ id: completions.id });
  return row!.id;
}

export async function insertExemptionRow(
  db: DbOrTx,
  values: typeof exemptions.$inferInsert,
): Promise<number> {
  const [row] = await db.insert(exemptions).values(values).returning({ id: exemptions.id });
  return row!.id;
}

export async function courseExists(db: DbOrTx, id: number): Promise<boolean> {
  return (await db.select({ id: courses.id }).from(courses).where(eq(courses.id, id))).length > 0;
}

export async function requirementExists(db: DbOrTx, id: number): Promise<boolean> {
  return (
    (await db.select({ id: requirements.id }).from(requirements).where(eq(requirements.id, id))).length > 0
  );
}
