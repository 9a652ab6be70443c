import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { jsonbParam, queryPrepared, type DbOrTx } from '../../db/client';
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

/** A user's attempts on the courses that have a playable package, newest first, for the Mine kurs actions. */
export async function listUserAttemptsOfPlayableCourses(
  db: DbOrTx,
  userId: number,
  courseIds: number[],
): Promise<{
  playableCourseIds: Set<number>;
  attempts: Array<{
    courseId: number;
    scoIdentifier: string;
    id: number;
    state: string;
    completedAt: Date | null;
  }>;
}> {
  if (courseIds.length === 0) return { playableCourseIds: new Set(), attempts: [] };
  const playable = await db
    .selectDistinct({ courseId: courseVersions.courseId })
    .from(courseVersions)
    .where(and(inArray(courseVersions.courseId, courseIds), sql`${courseVersions.storagePath} is not null`));
  const attempts = await db
    .select({
      courseId: courseVersions.courseId,
      scoIdentifier: scormAttempts.scoIdentifier,
      id: scormAttempts.id,
      state: scormAttempts.state,
      completedAt: scormAttempts.completedAt,
    })
    .from(scormAttempts)
    .innerJoin(courseVersions, eq(courseVersions.id, scormAttempts.courseVersionId))
    .where(and(eq(scormAttempts.userId, userId), inArray(courseVersions.courseId, courseIds)))
    .orderBy(desc(scormAttempts.id));
  return { playableCourseIds: new Set(playable.map((p) => p.courseId)), attempts };
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

/** Several attempts at once (the commit writer's cache misses). */
export async function findAttempts(db: DbOrTx, ids: number[]): Promise<AttemptRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(scormAttempts).where(inArray(scormAttempts.id, ids));
}

/** The new state of one attempt after a batch of commits, written only if nobody changed it since it was read. */
export interface AttemptWrite {
  id: number;
  /** The last sequence the writer read; the row is updated only while it is still this (and open). */
  expectedSequence: number;
  cmi: Cmi;
  lastSequence: number;
  totalTimeSeconds: number;
  sessionCounted: string | null;
  state: 'open' | 'closed';
  completedAt: Date | null;
}

export interface CommitLogWrite {
  attemptId: number;
  sequence: number;
  outcome: 'applied' | 'duplicate' | 'stale';
  body: unknown;
  /** Written only if the attempt's update (in the same statement) succeeded. */
  needsUpdate: boolean;
}

export interface CompletionWrite {
  attemptId: number;
  employeeId: number;
  courseId: number;
  courseVersionId: number;
  completedOn: string;
  recordedBy: number;
}

/**
 * Writes a batch of evaluated commits in ONE statement – so one round trip and one transaction
 * for many learners' commits: each attempt is updated only if its last sequence and state are still
 * the ones the writer read; its log rows and completion are inserted only if that update happened;
 * log rows of commits that changed nothing are always inserted. All or nothing. Returns the ids of
 * the attempts that were updated (the others had changed and must be evaluated again).
 *
 * Invariant the callers rely on: every other write to an attempt's CMI also raises its
 * `last_sequence` (a new launch) or closes it, so an unchanged sequence means an unchanged row.
 */
export async function writeCommitBatch(
  db: DbOrTx,
  batch: { attempts: AttemptWrite[]; logs: CommitLogWrite[]; completions: CompletionWrite[] },
): Promise<Set<number>> {
  const doc = {
    attempts: batch.attempts.map((a) => ({
      id: a.id,
      expected: a.expectedSequence,
      cmi: a.cmi,
      last_sequence: a.lastSequence,
      total_time_seconds: a.totalTimeSeconds,
      session_counted: a.sessionCounted,
      state: a.state,
      completed_at: a.completedAt ? a.completedAt.toISOString() : null,
    })),
    logs: batch.logs.map((l, ord) => ({
      ord,
      attempt_id: l.attemptId,
      sequence: l.sequence,
      outcome: l.outcome,
      body: l.body,
      needs_update: l.needsUpdate,
    })),
    completions: batch.completions.map((c) => ({
      attempt_id: c.attemptId,
      employee_id: c.employeeId,
      course_id: c.courseId,
      course_version_id: c.courseVersionId,
      completed_on: c.completedOn,
      recorded_by: c.recordedBy,
    })),
  };
  const rows = await queryPrepared<{ id: number }>(
    db,
    'kursvakt_scorm_commit_batch',
    sql`
    with input as (select ${jsonbParam(doc)} as doc),
    changes as (
      select x.* from input, jsonb_to_recordset(input.doc -> 'attempts') as x(id int, expected int, cmi jsonb,
        last_sequence int, total_time_seconds int, session_counted text, state text, completed_at timestamptz)
    ),
    updated as (
      update ${scormAttempts} t
      set cmi = c.cmi,
          last_sequence = c.last_sequence,
          total_time_seconds = c.total_time_seconds,
          session_counted = c.session_counted,
          state = c.state,
          completed_at = c.completed_at,
          updated_at = now()
      from changes c
      where t.id = c.id and t.last_sequence = c.expected and t.state = 'open'
      returning t.id
    ),
    logged as (
      insert into ${scormCommits} (attempt_id, sequence, outcome, body)
      select l.attempt_id, l.sequence, l.outcome, l.body
      from input, jsonb_to_recordset(input.doc -> 'logs') as l(ord int, attempt_id int, sequence int,
        outcome text, body jsonb, needs_update boolean)
      where not l.needs_update or l.attempt_id in (select id from updated)
      order by l.ord
    ),
    completed as (
      insert into ${completions} (employee_id, course_id, course_version_id, completed_on, source, attempt_id, recorded_by)
      select c.employee_id, c.course_id, c.course_version_id, c.completed_on, 'scorm', c.attempt_id, c.recorded_by
      from input, jsonb_to_recordset(input.doc -> 'completions') as c(attempt_id int, employee_id int,
        course_id int, course_version_id int, completed_on date, recorded_by int)
      where c.attempt_id in (select id from updated)
      on conflict (attempt_id) do nothing
    )
    select id from updated`,
  );
  return new Set(rows.map((r) => Number(r.id)));
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
  filter: { courseId?: number; employeeNumber?: string; limit: number },
): Promise<AttemptListRow[]> {
  const conditions = [];
  if (filter.courseId) conditions.push(eq(courseVersions.courseId, filter.courseId));
  if (filter.employeeNumber !== undefined)
    conditions.push(eq(employees.employeeNumber, filter.employeeNumber));
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

export async function employeeNumberExists(db: DbOrTx, employeeNumber: string): Promise<boolean> {
  const rows = await db
    .select({ id: employees.id })
    .from(employees)
    .where(eq(employees.employeeNumber, employeeNumber))
    .limit(1);
  return rows.length > 0;
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
