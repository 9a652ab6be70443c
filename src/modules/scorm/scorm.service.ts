import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { todayInOslo } from '../../lib/dates';
import { ForbiddenError, NotFoundError } from '../../lib/errors';
import type { ScoEntry } from '../courses/package.types';
import { computeComplianceRows } from '../compliance/compliance.service';
import { signLaunchToken, TOKEN_LIFETIME_SECONDS, type LaunchToken } from './launch-token';
import {
  buildLaunchCmi,
  evaluateCompletion,
  entryOf,
  exitOf,
  mergeCommittedCmi,
  type Cmi,
  type LaunchMode,
} from './scorm-cmi';
import { CommitError, commitWriterFor, type CommitResult } from './commit-writer';
import * as repo from './scorm.repo';

/** Commits of one launch are numbered base+1 … base+SEQUENCE_STEP−1. */
export const SEQUENCE_STEP = 100_000;

/** The largest commit body the endpoint accepts, in bytes. */
export const MAX_COMMIT_BYTES = 256 * 1024;

export interface Learner {
  id: number;
  employeeId: number | null;
}

export type ScoState = 'not_started' | 'in_progress' | 'completed';

export const SCO_STATE_LABELS: Record<ScoState, string> = {
  not_started: 'Ikke startet',
  in_progress: 'Påbegynt',
  completed: 'Fullført',
};

export type LaunchPlan =
  | {
      kind: 'list';
      course: { id: number; slug: string; title: string };
      scos: Array<{ sco: ScoEntry; state: ScoState }>;
    }
  | {
      kind: 'play';
      course: { id: number; slug: string; title: string };
      sco: ScoEntry;
      /** More than one SCO: the player returns to the list instead of to Mine kurs. */
      multiSco: boolean;
      attemptId: number;
      mode: LaunchMode;
      token: string;
    };

function scoStateOf(attempt: repo.AttemptRow | undefined): ScoState {
  if (!attempt) return 'not_started';
  return attempt.completedAt ? 'completed' : 'in_progress';
}

/** True when the employee must take the course again: a requirement for it is not done (todo, due soon, overdue). */
async function isRenewalDue(db: DbOrTx, employeeId: number | null, courseId: number, now: Date) {
  if (employeeId === null) return false;
  const rows = await computeComplianceRows(db, { scope: { kind: 'all' }, employeeId }, todayInOslo(now));
  return rows.some(
    (r) =>
      r.requirement.courseId === courseId &&
      (r.result.status === 'todo' || r.result.status === 'due_soon' || r.result.status === 'overdue'),
  );
}

/**
 * Decides what a learner's click on "start" opens: the SCO list of a multi-SCO package, a review
 * of a completed attempt (unless renewal is due), the open attempt to resume, or a new attempt.
 */
export async function prepareLaunch(
  db: Db,
  input: { learner: Learner; slug: string; scoIdentifier?: string; now: Date; secret: string },
): Promise<LaunchPlan> {
  const course = await repo.findCourseBySlug(db, input.slug);
  if (!course) throw new NotFoundError('Kurset finnes ikke.');
  const version = await repo.findNewestPlayableVersion(db, course.id);
  const scos = version?.manifest.scos ?? [];
  if (!version || scos.length === 0) throw new NotFoundError('Kurset er ikke lagt inn i Kursvakt ennå.');
  const courseInfo = { id: course.id, slug: course.slug, title: course.title };

  if (input.scoIdentifier === undefined && scos.length > 1) {
    const latest = await repo.listLatestAttemptsOfVersion(db, input.learner.id, version.id);
    return {
      kind: 'list',
      course: courseInfo,
      scos: scos.map((sco) => ({ sco, state: scoStateOf(latest.get(sco.identifier)) })),
    };
  }
  const sco = scos.find((s) => s.identifier === (input.scoIdentifier ?? scos[0]!.identifier));
  if (!sco) throw new NotFoundError('Denne delen av kurset finnes ikke.');

  return db.transaction(async (tx) => {
    const attempts = await repo.listUserScoAttempts(tx, input.learner.id, course.id, sco.identifier);
    const latestCompleted = attempts.find((a) => a.completedAt !== null);
    const open = attempts.find((a) => a.state === 'open' && a.completedAt === null);
    let attempt: repo.AttemptRow;
    let mode: LaunchMode = 'normal';
    if (
      latestCompleted &&
      latestCompleted.id > (open?.id ?? 0) &&
      !(await isRenewalDue(tx, input.learner.employeeId, course.id, input.now))
    ) {
      attempt = latestCompleted;
      mode = 'review';
    } else if (open) {
      attempt = open;
    } else {
      // A completed attempt left suspended is over once a new round starts.
      for (const a of attempts) if (a.state === 'open') await repo.closeAttempt(tx, a.id);
      attempt = await repo.insertAttempt(tx, {
        userId: input.learner.id,
        employeeId: input.learner.employeeId,
        courseVersionId: version.id,
        scoIdentifier: sco.identifier,
        attemptNumber: (attempts[0]?.attemptNumber ?? 0) + 1,
        lastSequence: -1,
      });
    }
    let base = attempt.lastSequence;
    if (mode === 'normal') {
      base = await repo.reserveLaunchSequence(tx, attempt.id, SEQUENCE_STEP);
      await storeLaunchFields(tx, attempt);
    }
    const token: LaunchToken = {
      a: attempt.id,
      u: input.learner.id,
      l: randomBytes(9).toString('base64url'),
      b: base,
      m: mode,
      e: Math.floor(input.now.getTime() / 1000) + TOKEN_LIFETIME_SECONDS,
    };
    return {
      kind: 'play' as const,
      course: courseInfo,
      sco,
      multiSco: scos.length > 1,
      attemptId: attempt.id,
      mode,
      token: signLaunchToken(input.secret, token),
    };
  });
}

async function learnerValues(db: DbOrTx, userId: number) {
  const learner = await repo.findUserDisplay(db, userId);
  return {
    learnerId: learner?.employeeNumber ?? `bruker-${userId}`,
    learnerName:
      learner?.lastName && learner.firstName
        ? `${learner.lastName}, ${learner.firstName}`
        : (learner?.displayName ?? ''),
  };
}

/**
 * Writes the LMS-owned fields of a new launch (entry, credit, mode, learner, thresholds, total
 * time) into the stored CMI, so that every commit of the launch is merged against them.
 */
async function storeLaunchFields(tx: DbOrTx, attempt: repo.AttemptRow): Promise<void> {
  const version = await repo.findVersion(tx, attempt.courseVersionId);
  const sco = version?.manifest.scos.find((s) => s.identifier === attempt.scoIdentifier);
  if (!version || !sco) throw new NotFoundError('Kurset finnes ikke lenger.');
  const saved = attempt.cmi as Cmi;
  const entry =
    attempt.sessionCounted === null
      ? 'ab-initio'
      : exitOf(saved, version.scormVersion) === 'suspend'
        ? 'resume'
        : '';
  const launchCmi = buildLaunchCmi(saved, {
    version: version.scormVersion,
    sco,
    ...(await learnerValues(tx, attempt.userId)),
    mode: 'normal',
    entry,
    totalTimeSeconds: attempt.totalTimeSeconds,
  });
  await repo.updateAttemptCmi(tx, attempt.id, mergeCommittedCmi(launchCmi, saved, version.scormVersion));
}

/** What "start" on a course opens for a learner: a new attempt, the open one, or a review. */
export type PlayerEntry = 'start' | 'resume' | 'review';

/**
 * The player entry of each playable course, decided as `prepareLaunch` decides it: a completed
 * attempt newer than the open one opens for review unless renewal is due; otherwise an open attempt
 * is resumed; otherwise a new one starts. Per SCO, then for the course: resume if any SCO resumes,
 * else review if any SCO is reviewed, else start. Courses without a package are left out.
 */
export async function listPlayerEntries(
  db: Db,
  userId: number,
  courses: Array<{ courseId: number; renewalDue: boolean }>,
): Promise<Map<number, PlayerEntry>> {
  const { playableCourseIds, attempts } = await repo.listUserAttemptsOfPlayableCourses(
    db,
    userId,
    courses.map((c) => c.courseId),
  );
  const entries = new Map<number, PlayerEntry>();
  for (const { courseId, renewalDue } of courses) {
    if (!playableCourseIds.has(courseId)) continue;
    const perSco = new Map<string, { open?: number; completed?: number }>();
    for (const a of attempts) {
      if (a.courseId !== courseId) continue;
      const sco = perSco.get(a.scoIdentifier) ?? {};
      if (a.completedAt !== null) sco.completed ??= a.id;
      else if (a.state === 'open') sco.open ??= a.id;
      perSco.set(a.scoIdentifier, sco);
    }
    let entry: PlayerEntry = 'start';
    for (const sco of perSco.values()) {
      const review = !renewalDue && sco.completed !== undefined && sco.completed > (sco.open ?? 0);
      if (!review && sco.open !== undefined) {
        entry = 'resume';
        break;
      }
      if (review) entry = 'review';
    }
    entries.set(courseId, entry);
  }
  return entries;
}

export interface PlayerSetup {
  scormVersion: '1.2' | '2004';
  mode: LaunchMode;
  sequenceBase: number;
  /** Path of the SCO's launch file inside the package. */
  launchHref: string;
  /** The manifest item's parameters, appended to the launch URL. */
  launchParameters: string;
  cmi: Cmi;
  masteryOverride: boolean;
  courseVersionId: number;
  storagePath: string;
  title: string;
}

/** What the player host page needs to start scorm-again for a verified launch token. */
export async function loadPlayerSetup(db: Db, token: LaunchToken): Promise<PlayerSetup> {
  const attempt = await repo.findAttempt(db, token.a);
  if (!attempt || attempt.userId !== token.u) throw new ForbiddenError('Lenken til kurset er ugyldig.');
  const version = await repo.findVersion(db, attempt.courseVersionId);
  const sco = version?.manifest.scos.find((s) => s.identifier === attempt.scoIdentifier);
  if (!version || !sco) throw new NotFoundError('Kurset finnes ikke lenger.');
  const saved = attempt.cmi as Cmi;
  const cmi = buildLaunchCmi(saved, {
    version: version.scormVersion,
    sco,
    ...(await learnerValues(db, attempt.userId)),
    mode: token.m,
    entry: token.m === 'review' ? '' : entryOf(saved, version.scormVersion),
    totalTimeSeconds: attempt.totalTimeSeconds,
  });
  return {
    scormVersion: version.scormVersion,
    mode: token.m,
    sequenceBase: token.b,
    launchHref: sco.href,
    launchParameters: sco.parameters,
    cmi,
    masteryOverride: version.scormVersion === '1.2' && sco.masteryScore !== null,
    courseVersionId: version.id,
    storagePath: version.storagePath,
    title: sco.title || version.title,
  };
}

const commitBodySchema = z.object({
  sequence: z.number().int().nonnegative(),
  final: z.boolean().optional(),
  cmi: z.record(z.string(), z.unknown()),
});

export type { CommitOutcome } from './commit-writer';
export { CommitError } from './commit-writer';

/** Parses a commit body that arrived as JSON or as text/plain (the beacon). */
export function parseCommitBody(body: unknown): z.infer<typeof commitBodySchema> {
  let value = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString());
    } catch {
      throw new CommitError('bad_body', 400, 'Dataene fra kurset kunne ikke leses.');
    }
  }
  const parsed = commitBodySchema.safeParse(value);
  if (!parsed.success) throw new CommitError('bad_body', 400, 'Dataene fra kurset har feil format.');
  return parsed.data;
}

/**
 * Applies one commit: idempotent by sequence (a repeat is a no-op, an older one never overwrites a
 * newer one), read-only fields kept, session time added once per launch, the commit logged, and
 * exactly one completion recorded when the course is completed. Resolves only after the commit is
 * durably written – together with the other commits that arrived meanwhile (`CommitWriter`).
 */
export async function applyCommit(
  db: Db,
  input: { token: LaunchToken; body: unknown; now: Date },
): Promise<CommitResult> {
  const { token, now } = input;
  if (token.m === 'review')
    throw new CommitError('review_mode', 409, 'Kurset er åpnet for gjennomsyn, og ingenting blir lagret.');
  const body = parseCommitBody(input.body);
  if (body.sequence <= token.b || body.sequence >= token.b + SEQUENCE_STEP)
    throw new CommitError('bad_sequence', 400, 'Dataene fra kurset har et ugyldig løpenummer.');
  const bytes =
    typeof input.body === 'string' ? Buffer.byteLength(input.body) : JSON.stringify(input.body).length;
  return commitWriterFor(db).submit(token, body, bytes, now);
}

/** Waits (up to timeoutMs) until the attempt has seen a commit with at least this sequence. */
export async function waitForSequence(
  db: Db,
  token: LaunchToken,
  sequence: number,
  timeoutMs = 3000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const attempt = await repo.findAttempt(db, token.a);
    if (!attempt || attempt.userId !== token.u) throw new ForbiddenError('Lenken til kurset er ugyldig.');
    if (attempt.lastSequence >= sequence) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An attempt with its raw CMI and commit history, for HR's diagnostics. */
export async function getAttemptDiagnostics(db: Db, attemptId: number) {
  const attempt = await repo.findAttempt(db, attemptId);
  if (!attempt) throw new NotFoundError('Forsøket finnes ikke.');
  const version = await repo.findVersion(db, attempt.courseVersionId);
  const learner = await repo.findUserDisplay(db, attempt.userId);
  const commits = await repo.listCommitsOfAttempt(db, attemptId);
  const completion = await repo.findCompletionOfAttempt(db, attemptId);
  const sco = version?.manifest.scos.find((s) => s.identifier === attempt.scoIdentifier) ?? null;
  const evaluation =
    version && sco ? evaluateCompletion(attempt.cmi as Cmi, version.scormVersion, sco) : null;
  return { attempt, version, learner, commits, completion, sco, evaluation };
}

/** HR's attempts, newest first; `employeeFound` is false when no employee has the number filtered on. */
export async function listAttemptsForAdmin(
  db: Db,
  filter: { courseId?: number; employeeNumber?: string; limit: number },
): Promise<{ attempts: repo.AttemptListRow[]; employeeFound: boolean }> {
  const attempts = await repo.listAttempts(db, filter);
  const employeeFound =
    filter.employeeNumber === undefined ||
    attempts.length > 0 ||
    (await repo.employeeNumberExists(db, filter.employeeNumber));
  return { attempts, employeeFound };
}

export { listCoursesWithVersions } from './scorm.repo';
