import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import {
  completions,
  courseVersions,
  courses,
  employees,
  scormAttempts,
  scormCommits,
  users,
} from '../../db/schema';
import type { ParsedManifest } from '../courses/package.types';
import type { Cmi } from './scorm-cmi';

/** All SQL of the SCORM player. */

export type AttemptRow = typeof scormAttempts.$inferSelect;

export interface VersionRow {
  id: number;
  courseId: number;
  version: number;
  scormVersion: '1.2' | '2004';
  title: string;
  manifest: ParsedManifest;
  storagePath: string;
}

export async function findCourseBySlug(db: DbOrTx, slug: string) {
  const [course] = await db.select().from(courses).where(eq(courses.slug, slug));
  return course ?? null;
}

function toVersion(row: typeof courseVersions.$inferSelect): VersionRow | null {
  if (!row.scormVersion || !row.storagePath) return null;
  return {
    id: row.id,
    courseId: row.courseId,
    version: row.version,
    scormVersion: row.scormVersion as '1.2' | '2004',
    title: row.title,
    manifest: row.manifest as ParsedManifest,
    storagePath: row.storagePath,
  };
}

/** The newest version of a course that has a package. */
export async function findNewestPlayableVersion(db: DbOrTx, courseId: number): Promise<VersionRow | null> {
  const rows = await db
    .select()
    .from(courseVersions)
    .where(and(eq(courseVersions.courseId, courseId), sql`${courseVersions.storagePath} is not null`))
    .orderBy(desc(courseVersions.version))
    .limit(1);
  return rows[0] ? toVersion(rows[0]) : null;
}

export async function findVersion(db: DbOrTx, id: number): Promise<VersionRow | null> {
  const [row] = await db.select().from(courseVersions).where(eq(courseVersions.id, id));
  return row ? toVersion(row) : null;
}

/** The user's attempts on one SCO of any version of a course, newest first. */
export async function listUserScoAttempts(
  db: DbOrTx,
  userId: number,
  courseId: number,
  scoIdentifier: string,
): Promise<AttemptRow[]> {
  const rows = await db
    .select({ attempt: scormAttempts })
    .from(scormAttempts)
    .innerJoin(courseVersions, eq(courseVersions.id, scormAttempts.courseVersionId))
    .where(
      and(
        eq(scormAttempts.userId, userId),
        eq(courseVersions.courseId, courseId),
        eq(scormAttempts.scoIdentifier, scoIdentifier),
      ),
    )
    .orderBy(desc(scormAttempts.id));
  return rows.map((r) => r.attempt);
}

/** The newest attempt per SCO of one course version for a user. */
export async function listLatestAttemptsOfVersion(
  db: DbOrTx,
  userId: number,
  courseVersionId: number,
): Promise<Map<string, AttemptRow>> {
  const rows = await db
    .select()
    .from(scormAttempts)
    .where(and(eq(scormAttempts.userId, userId), eq(scormAttempts.courseVersionId, courseVersionId)))
    .orderBy(desc(scormAttempts.id));
  const latest = new Map<string, AttemptRow>();
  for (const row of rows) if (!latest.has(row.scoIdentifier)) latest.set(row.scoIdentifier, row);
  return latest;
}

export async function insertAttempt(
  db: DbOrTx,
  values: {
    userId: number;
    employeeId: number | null;
    courseVersionId: number;
    scoIdentifier: string;
    attemptNumber: number;
    lastSequence: number;
  },
): Promise<AttemptRow> {
  const [row] = await db.insert(scormAttempts).values(values).returning();
  return row!;
}

export async function closeAttempt(db: DbOrTx, attemptId: number): Promise<void> {
  await db
    .update(scormAttempts)
    .set({ state: 'closed', updatedAt: sql`now()` })
    .where(eq(scormAttempts.id, attemptId));
}

/**
 * Reserves a sequence range for a new launch: every commit of an older launch is older than every
 * commit of this one, so a late packet from a closed tab cannot overwrite what this launch saves.
 */
export async function reserveLaunchSequence(db: DbOrTx, attemptId: number, step: number): Promise<number> {
  const [row] = await db
    .update(scormAttempts)
    .set({
      lastSequence: sql`(floor(greatest(${scormAttempts.lastSequence}, 0)::numeric / ${step}) + 1) * ${step}`,
    })
    .where(eq(scormAttempts.id, attemptId))
    .returning({ lastSequence: scormAttempts.lastSequence });
  return row!.lastSequence;
}

export async function updateAttemptCmi(db: DbOrTx, attemptId: number, cmi: Cmi): Promise<void> {
  await db
    .update(scormAttempts)
    .set({ cmi, updatedAt: sql`now()` })
    .where(eq(scormAttempts.id, attemptId));
}

export async function findAttempt(db: DbOrTx, attemptId: number): Promise<AttemptRow | null> {
  const [row] = await db.select().from(scormAttempts).where(eq(scormAttempts.id, attemptId));
  return row ?? null;
}

/**
 * Applies an evaluated commit in one statement (so no explicit transaction is needed): updates the
 * attempt only if no other commit got there first (`last_sequence` unchanged), logs the commit and,
 * when asked, records the completion – all or nothing. Returns false when the attempt had changed.
 */
export async function applyCommitAtomically(
  db: DbOrTx,
  input: {
    attemptId: number;
    expectedSequence: number;
    cmi: Cmi;
    sequence: number;
    totalTimeSeconds: number;
    sessionCounted: string;
    state: 'open' | 'closed';
    completedAt: Date | null;
    body: unknown;
    completion: {
      employeeId: number;
      courseId: number;
      courseVersionId: number;
      completedOn: string;
      recordedBy: number;
    } | null;
  },
): Promise<boolean> {
  const c = input.completion;
  const completionInsert = c
    ? sql`, completion as (
        insert into ${completions} (employee_id, course_id, course_version_id, completed_on, source, attempt_id, recorded_by)
        select ${c.employeeId}, ${c.courseId}, ${c.courseVersionId}, ${c.completedOn}::date, 'scorm', id, ${c.recordedBy} from updated
        on conflict (attempt_id) do nothing
      )`
    : sql``;
  const result = await db.execute<{ id: number }>(sql`
    with updated as (
      update ${scormAttempts}
      set cmi = ${JSON.stringify(input.cmi)}::jsonb,
          last_sequence = ${input.sequence},
          total_time_seconds = ${input.totalTimeSeconds},
          session_counted = ${input.sessionCounted},
          state = ${input.state},
          completed_at = ${input.completedAt ? input.completedAt.toISOString() : null}::timestamptz,
          updated_at = now()
      where id = ${input.attemptId} and last_sequence = ${input.expectedSequence} and state = 'open'
      returning id
    ), logged as (
      insert into ${scormCommits} (attempt_id, sequence, outcome, body)
      select id, ${input.sequence}, 'applied', ${JSON.stringify(input.body)}::jsonb from updated
    )${completionInsert}
    select id from updated`);
  return (result as unknown as { rows: unknown[] }).rows.length > 0;
}

export async function insertCommitLog(
  db: DbOrTx,
  values: { attemptId: number; sequence: number; outcome: 'applied' | 'duplicate' | 'stale'; body: unknown },
): Promise<void> {
  await db.insert(scormCommits).values(values);
}

export async function findCompletionOfAttempt(db: DbOrTx, attemptId: number) {
  const [row] = await db.select().from(completions).where(eq(completions.attemptId, attemptId));
  return row ?? null;
}

export async function findUserDisplay(db: DbOrTx, userId: number) {
  const [row] = await db
    .select({
      id: users.id,
      displayName: users.displayName,
      employeeId: users.employeeId,
      employeeNumber: employees.employeeNumber,
      firstName: employees.firstName,
      lastName: employees.lastName,
    })
    .from(users)
    .leftJoin(employees, eq(employees.id, users.employeeId))
    .where(eq(users.id, userId));
  return row ?? null;
}

export interface AttemptListRow {
  id: number;
  courseTitle: string;
  courseSlug: string;
  version: number;
  scoIdentifier: string;
  attemptNumber: number;
  state: string;
  userName: string;
  employeeId: number | null;
  employeeNumber: string | null;
  lastSequence: number;
  completedAt: Date | null;
  updatedAt: Date;
  commitCount: number;
}

/** Attempts for the diagnostics list, filtered by course and/or employee, newest first. */
export async function listAttempts(
  db: DbOrTx,
  filter: { courseId?: number; employeeId?: number; limit: number },
): Promise<AttemptListRow[]> {
  const conditions = [];
  if (filter.courseId) conditions.push(eq(courseVersions.courseId, filter.courseId));
  if (filter.employeeId) conditions.push(eq(scormAttempts.employeeId, filter.employeeId));
  return db
    .select({
      id: scormAttempts.id,
      courseTitle: courses.title,
      courseSlug: courses.slug,
      version: courseVersions.version,
      scoIdentifier: scormAttempts.scoIdentifier,
      attemptNumber: scormAttempts.attemptNumber,
      state: scormAttempts.state,
      userName: users.displayName,
      employeeId: scormAttempts.employeeId,
      employeeNumber: employees.employeeNumber,
      lastSequence: scormAttempts.lastSequence,
      completedAt: scormAttempts.completedAt,
      updatedAt: scormAttempts.updatedAt,
      commitCount: sql<number>`(select count(*)::int from ${scormCommits} where ${scormCommits.attemptId} = ${scormAttempts.id})`,
    })
    .from(scormAttempts)
    .innerJoin(courseVersions, eq(courseVersions.id, scormAttempts.courseVersionId))
    .innerJoin(courses, eq(courses.id, courseVersions.courseId))
    .innerJoin(users, eq(users.id, scormAttempts.userId))
    .leftJoin(employees, eq(employees.id, scormAttempts.employeeId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(scormAttempts.updatedAt), desc(scormAttempts.id))
    .limit(filter.limit);
}

export async function listCommitsOfAttempt(db: DbOrTx, attemptId: number) {
  return db
    .select()
    .from(scormCommits)
    .where(eq(scormCommits.attemptId, attemptId))
    .orderBy(desc(scormCommits.id));
}

export async function listCoursesWithVersions(db: DbOrTx) {
  return db
    .select({ id: courses.id, title: courses.title, slug: courses.slug })
    .from(courses)
    .where(inArray(courses.id, db.select({ id: courseVersions.courseId }).from(courseVersions)))
    .orderBy(courses.title);
}
