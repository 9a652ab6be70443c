import { and, desc, eq, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { certificates, completions, courseVersions, courses, employees, orgUnits } from '../../db/schema';
import type { LocalDate } from '../../lib/dates';

/** One completion with everything a certificate prints or needs to compute. */
export interface CertificateCompletion {
  completionId: number;
  employeeId: number;
  firstName: string;
  lastName: string;
  hireDate: LocalDate;
  unitPath: string | null;
  roleTags: string[];
  courseId: number;
  courseSlug: string;
  courseTitle: string;
  /** course_versions.version, when the completion names a version. */
  version: number | null;
  completedOn: LocalDate;
  source: string;
  /** True when a later row voids this completion (source 'void' or a correction). */
  voided: boolean;
}

const isVoided = sql<boolean>`exists (select 1 from completions v where v.voids_completion_id = ${completions.id})`;

function selectCompletions(db: DbOrTx) {
  return db
    .select({
      completionId: completions.id,
      employeeId: completions.employeeId,
      firstName: employees.firstName,
      lastName: employees.lastName,
      hireDate: employees.hireDate,
      unitPath: orgUnits.path,
      roleTags: employees.roleTags,
      courseId: courses.id,
      courseSlug: courses.slug,
      courseTitle: courses.title,
      version: courseVersions.version,
      completedOn: completions.completedOn,
      source: completions.source,
      voided: isVoided,
    })
    .from(completions)
    .innerJoin(employees, eq(employees.id, completions.employeeId))
    .innerJoin(courses, eq(courses.id, completions.courseId))
    .leftJoin(orgUnits, eq(orgUnits.id, employees.unitId))
    .leftJoin(courseVersions, eq(courseVersions.id, completions.courseVersionId));
}

/** A completion by id, or null. */
export async function findCompletion(
  db: DbOrTx,
  completionId: number,
): Promise<CertificateCompletion | null> {
  const [row] = await selectCompletions(db).where(eq(completions.id, completionId));
  return row ? { ...row, voided: Boolean(row.voided) } : null;
}

/** The completion a certificate code was issued for, or null for an unknown code. */
export async function findCompletionByCode(db: DbOrTx, code: string): Promise<CertificateCompletion | null> {
  const [row] = await selectCompletions(db)
    .innerJoin(certificates, eq(certificates.completionId, completions.id))
    .where(eq(certificates.code, code));
  return row ? { ...row, voided: Boolean(row.voided) } : null;
}

/**
 * The certificate code of a completion, created with `newCode` on first call. Concurrent first
 * downloads agree on one code: the unique index on completion_id decides, the loser reads it back.
 */
export async function ensureCertificateCode(
  db: DbOrTx,
  completionId: number,
  newCode: string,
): Promise<{ code: string; created: boolean }> {
  const inserted = await db
    .insert(certificates)
    .values({ completionId, code: newCode })
    .onConflictDoNothing({ target: certificates.completionId })
    .returning({ code: certificates.code });
  if (inserted[0]) return { code: inserted[0].code, created: true };
  const [row] = await db
    .select({ code: certificates.code })
    .from(certificates)
    .where(eq(certificates.completionId, completionId));
  return { code: row!.code, created: false };
}

/** Per course, the id of the employee's latest effective completion (not a void row, not voided). */
export async function listLatestEffectiveCompletions(
  db: DbOrTx,
  employeeId: number,
): Promise<Array<{ courseId: number; courseSlug: string; completionId: number; completedOn: LocalDate }>> {
  const rows = await db
    .select({
      courseId: completions.courseId,
      courseSlug: courses.slug,
      completionId: completions.id,
      completedOn: completions.completedOn,
    })
    .from(completions)
    .innerJoin(courses, eq(courses.id, completions.courseId))
    .where(and(eq(completions.employeeId, employeeId), ne(completions.source, 'void'), sql`not ${isVoided}`))
    .orderBy(desc(completions.completedOn), desc(completions.id));
  const latest = new Map<number, (typeof rows)[number]>();
  for (const row of rows) if (!latest.has(row.courseId)) latest.set(row.courseId, row);
  return [...latest.values()];
}
