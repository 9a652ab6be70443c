import { isConnectionError, type Db } from '../../db/client';
import { todayInOslo } from '../../lib/dates';
import { AppError, ForbiddenError, NotFoundError } from '../../lib/errors';
import type { LaunchToken } from './launch-token';
import {
  commitContextOf,
  evaluateCompletion,
  exitOf,
  formatScormDuration,
  mergeCommittedCmi,
  sessionTimeOf,
  summarizeCommitForLog,
  type Cmi,
} from './scorm-cmi';
import * as repo from './scorm.repo';

/**
 * Group commit for the SCORM commit endpoint. Commits that arrive while a write is in flight are
 * evaluated together and written in ONE statement (`writeCommitBatch`); each request is answered
 * only after that statement has committed, so an acknowledged commit is durable (on PGlite, against a
 * crash of the process but not of the machine: decision 0013). Two batches are in
 * flight at most: one is evaluated and sent while the database writes the other. The database works
 * outside the server's thread on both kinds – PGlite in a thread of its own (decision 0010), a
 * PostgreSQL server in its process – and one statement and one WAL flush serve many learners.
 *
 * The attempts are cached in memory between commits (no read per commit). The cache is never
 * trusted for a write: every update is conditional on the attempt's last sequence and state being
 * the cached ones, and an attempt that changed underneath (another instance, a new launch) is read
 * again and its commits evaluated again.
 */

export interface CommitBody {
  sequence: number;
  final?: boolean;
  cmi: Cmi;
}

export type CommitOutcome = 'applied' | 'duplicate' | 'stale';

export interface CommitResult {
  outcome: CommitOutcome;
  completed: boolean;
}

export class CommitError extends AppError {}

interface Pending {
  token: LaunchToken;
  body: CommitBody;
  /** Size of the body as received, for the log and the batch's size bound. */
  bytes: number;
  now: Date;
  rounds: number;
  resolve(result: CommitResult): void;
  reject(error: unknown): void;
}

/** The cached state of an attempt: the columns a commit reads and writes. */
interface AttemptState {
  id: number;
  userId: number;
  employeeId: number | null;
  courseVersionId: number;
  scoIdentifier: string;
  state: 'open' | 'closed';
  lastSequence: number;
  totalTimeSeconds: number;
  sessionCounted: string | null;
  completedAt: Date | null;
  /**
   * The whole CMI while a batch works on the attempt; in the cache only what the next commit reads
   * of it (commitContextOf), so that a commit's whole CMI lives only until its batch is written.
   */
  cmi: Cmi;
}

/** At most this many commits, or this many bytes of bodies, go into one statement. */
const MAX_BATCH_COMMITS = 128;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/**
 * Batches written at the same time, on both databases: one batch is evaluated and sent while the
 * other is written (PGlite in its thread, or waiting for the WAL flush of a PostgreSQL server). On
 * PGlite 4,319–4,708 commits/s, against 4,222 with one (2026-11-24).
 */
const MAX_IN_FLIGHT = 2;
/**
 * A queue is split among the free slots only into batches of at least this many commits. Split, 100
 * learners committing at once without HTTP (PGlite): 4,395–4,929 commits/s with the database thread
 * 95 % busy, against 3,377–3,630 and 72 % as one batch at a time (2026-11-24, docs/performance.md).
 */
const MIN_SPLIT_COMMITS = 8;
/** An attempt that keeps changing underneath is given up after this many evaluations (503). */
const MAX_ROUNDS = 5;
/** Memory bound of the attempt cache (least recently used attempts are dropped first). */
const CACHE_MAX_BYTES = 64 * 1024 * 1024;
const CACHE_MAX_ATTEMPTS = 20_000;

function toState(row: repo.AttemptRow): AttemptState {
  return {
    id: row.id,
    userId: row.userId,
    employeeId: row.employeeId,
    courseVersionId: row.courseVersionId,
    scoIdentifier: row.scoIdentifier,
    state: row.state === 'closed' ? 'closed' : 'open',
    lastSequence: row.lastSequence,
    totalTimeSeconds: row.totalTimeSeconds,
    sessionCounted: row.sessionCounted,
    completedAt: row.completedAt,
    cmi: row.cmi as Cmi,
  };
}

/**
 * A least-recently-used map of attempt states, bounded by count and by the size of what it keeps of
 * their CMI: only the commit context (commitContextOf), not the whole CMI.
 */
class AttemptCache {
  private readonly entries = new Map<number, { state: AttemptState; bytes: number }>();
  private bytes = 0;

  get(id: number): AttemptState | undefined {
    const entry = this.entries.get(id);
    if (entry) {
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    return entry?.state;
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  set(state: AttemptState): void {
    this.delete(state.id);
    const cmi = commitContextOf(state.cmi);
    const bytes = JSON.stringify(cmi).length;
    this.entries.set(state.id, { state: { ...state, cmi }, bytes });
    this.bytes += bytes;
    while (this.bytes > CACHE_MAX_BYTES || this.entries.size > CACHE_MAX_ATTEMPTS) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  delete(id: number): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.bytes -= entry.bytes;
  }
}

// Course versions never change once imported, so commits need not read the manifest every time.
const versionCache = new Map<number, repo.VersionRow>();

async function findVersionCached(db: Db, id: number): Promise<repo.VersionRow | null> {
  const cached = versionCache.get(id);
  if (cached) return cached;
  const version = await repo.findVersion(db, id);
  if (version) {
    if (versionCache.size > 500) versionCache.clear();
    versionCache.set(id, version);
  }
  return version;
}

/** One attempt's commits in a batch, evaluated in arrival order against its evolving state. */
interface AttemptWork {
  before: AttemptState;
  current: AttemptState;
  changed: boolean;
  completion: repo.CompletionWrite | null;
}

interface Evaluated {
  pending: Pending;
  work: AttemptWork | null;
  result?: CommitResult;
  error?: unknown;
  log?: repo.CommitLogWrite;
}

export class CommitWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** Learners with commits in a batch being written: their next commits wait for it. */
  private readonly busyUsers = new Set<number>();
  private readonly attempts = new AttemptCache();

  constructor(private readonly db: Db) {}

  /** Queues a validated commit; resolves once it is durably written (or found to change nothing). */
  submit(token: LaunchToken, body: CommitBody, bytes: number, now: Date): Promise<CommitResult> {
    return new Promise<CommitResult>((resolve, reject) => {
      this.queue.push({ token, body, bytes, now, rounds: 0, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Starts a batch on the next turn of the event loop, so that the requests read in this turn join
   * it. Between batches the event loop runs too: evaluating a long queue must not stall the server.
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.inFlight < MAX_IN_FLIGHT) {
      // The queue is shared among the free slots: a queue that built up while nothing was in flight
      // becomes two batches, so that the second is written while the first is answered and the
      // next one evaluated, instead of one batch with the database idle before and after it.
      const free = MAX_IN_FLIGHT - this.inFlight;
      const share =
        this.queue.length >= free * MIN_SPLIT_COMMITS
          ? Math.ceil(this.queue.length / free)
          : this.queue.length;
      const batch = this.takeBatch(Math.min(share, MAX_BATCH_COMMITS));
      if (batch.length === 0) return;
      // One learner's commits are never in two batches at once: their evaluation builds on the
      // attempt as the previous batch left it, and a multi-SCO course is completed by looking at
      // the learner's other attempts.
      const users = new Set(batch.map((p) => p.token.u));
      for (const u of users) this.busyUsers.add(u);
      this.inFlight += 1;
      void this.writeBatch(batch).finally(() => {
        for (const u of users) this.busyUsers.delete(u);
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  /** The next commits in arrival order, leaving those of learners with a batch in flight queued. */
  private takeBatch(maxCommits: number): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    let bytes = 0;
    let full = false;
    for (const p of this.queue) {
      if (!full && !this.busyUsers.has(p.token.u)) {
        full = batch.length >= maxCommits || (batch.length > 0 && bytes + p.bytes > MAX_BATCH_BYTES);
        if (!full) {
          batch.push(p);
          bytes += p.bytes;
          continue;
        }
      }
      // Once the batch is full everything after stays queued in order, so a learner's commits
      // are never taken out of their order.
      rest.push(p);
    }
    this.queue = rest;
    return batch;
  }

  /** Evaluates and writes one batch; settles every commit in it (never throws). */
  private async writeBatch(batch: Pending[]): Promise<void> {
    let evaluated: Evaluated[];
    let updated: Set<number>;
    try {
      evaluated = await this.evaluate(batch);
      updated = await this.write(evaluated);
    } catch (error) {
      for (const p of batch) this.attempts.delete(p.token.a);
      if (batch.length > 1 && !isConnectionError(error)) {
        // One bad commit must not fail the others: write them one by one.
        for (const p of batch) await this.writeBatch([p]);
      } else {
        for (const p of batch) p.reject(error);
      }
      return;
    }
    const retry: Pending[] = [];
    const settled = new Set<AttemptWork>();
    for (const e of evaluated) {
      const work = e.work;
      if (work?.changed && !updated.has(work.current.id)) {
        // Changed underneath since it was read: read it again and evaluate this commit again.
        this.attempts.delete(work.current.id);
        e.pending.rounds += 1;
        if (e.pending.rounds >= MAX_ROUNDS)
          e.pending.reject(
            new CommitError('busy', 503, 'Fremdriften kunne ikke lagres akkurat nå. Prøv igjen.'),
          );
        else retry.push(e.pending);
        continue;
      }
      if (work?.changed && !settled.has(work)) {
        settled.add(work);
        this.attempts.set(work.current);
      }
      if (e.error !== undefined) e.pending.reject(e.error);
      else e.pending.resolve(e.result!);
    }
    this.queue.unshift(...retry);
  }

  private async evaluate(batch: Pending[]): Promise<Evaluated[]> {
    const missing = [...new Set(batch.map((p) => p.token.a))].filter((id) => !this.attempts.has(id));
    for (const row of await repo.findAttempts(this.db, missing)) this.attempts.set(toState(row));

    const works = new Map<number, AttemptWork>();
    const evaluated: Evaluated[] = [];
    for (const pending of batch) {
      let work = works.get(pending.token.a) ?? null;
      if (!work) {
        const before = this.attempts.get(pending.token.a);
        if (before) {
          work = { before, current: before, changed: false, completion: null };
          works.set(before.id, work);
        }
      }
      if (!work || work.before.userId !== pending.token.u) {
        evaluated.push({ pending, work: null, error: new ForbiddenError('Lenken til kurset er ugyldig.') });
        continue;
      }
      try {
        evaluated.push(await this.evaluateOne(pending, work, works));
      } catch (error) {
        evaluated.push({ pending, work: null, error });
      }
    }
    for (const e of evaluated) if (e.log) e.log.needsUpdate = e.work?.changed ?? false;
    return evaluated;
  }

  /** The rules of one commit against the attempt's state so far in this batch. */
  private async evaluateOne(
    pending: Pending,
    work: AttemptWork,
    works: Map<number, AttemptWork>,
  ): Promise<Evaluated> {
    const { token, body, now } = pending;
    const attempt = work.current;
    const logBody = summarizeCommitForLog(body, pending.bytes);
    if (body.sequence <= attempt.lastSequence || attempt.state === 'closed') {
      const outcome: CommitOutcome = body.sequence === attempt.lastSequence ? 'duplicate' : 'stale';
      return {
        pending,
        work,
        result: { outcome, completed: attempt.completedAt !== null },
        log: { attemptId: attempt.id, sequence: body.sequence, outcome, body: logBody, needsUpdate: false },
      };
    }

    const version = await findVersionCached(this.db, attempt.courseVersionId);
    const sco = version?.manifest.scos.find((s) => s.identifier === attempt.scoIdentifier);
    if (!version || !sco) throw new NotFoundError('Kurset finnes ikke lenger.');
    const merged = mergeCommittedCmi(attempt.cmi, body.cmi, version.scormVersion);

    // total = the time of earlier launches + this launch's latest session_time, so repeats add nothing.
    const sameLaunch = attempt.sessionCounted === token.l;
    const earlier =
      attempt.totalTimeSeconds - (sameLaunch ? sessionTimeOf(attempt.cmi, version.scormVersion) : 0);
    const totalTimeSeconds = Math.max(0, earlier) + sessionTimeOf(merged, version.scormVersion);
    if (version.scormVersion === '1.2') {
      const core = (merged.core ?? {}) as Record<string, unknown>;
      merged.core = { ...core, total_time: formatScormDuration(totalTimeSeconds, '1.2') };
    } else {
      merged.total_time = formatScormDuration(totalTimeSeconds, '2004');
    }

    const completion = evaluateCompletion(merged, version.scormVersion, sco);
    const completedAt = attempt.completedAt ?? (completion.completed ? now : null);
    const exit = exitOf(merged, version.scormVersion);
    // SCORM 2004: any exit but suspend ends the attempt. SCORM 1.2 has no attempt model; a
    // finished, completed attempt is over, an unfinished one stays open to resume.
    const ends =
      body.final === true && exit !== 'suspend' && (version.scormVersion === '2004' || completedAt !== null);

    if (completedAt && attempt.completedAt === null && attempt.employeeId !== null) {
      // A multi-SCO course is completed when the newest attempt of every SCO is; attempts of the
      // same learner in this batch count with their state after this batch.
      let courseCompleted = true;
      if (version.manifest.scos.length > 1) {
        const latest = await repo.listLatestAttemptsOfVersion(this.db, attempt.userId, version.id);
        courseCompleted = version.manifest.scos.every((s) => {
          if (s.identifier === sco.identifier) return true;
          const other = latest.get(s.identifier);
          if (!other) return false;
          const inBatch = works.get(other.id);
          return (inBatch ? inBatch.current.completedAt : other.completedAt) != null;
        });
      }
      if (courseCompleted)
        work.completion = {
          attemptId: attempt.id,
          employeeId: attempt.employeeId,
          courseId: version.courseId,
          courseVersionId: version.id,
          completedOn: todayInOslo(now),
          recordedBy: attempt.userId,
        };
    }
    work.current = {
      ...attempt,
      cmi: merged,
      lastSequence: body.sequence,
      totalTimeSeconds,
      sessionCounted: token.l,
      state: ends ? 'closed' : 'open',
      completedAt,
    };
    work.changed = true;
    return {
      pending,
      work,
      result: { outcome: 'applied', completed: completedAt !== null },
      log: {
        attemptId: attempt.id,
        sequence: body.sequence,
        outcome: 'applied',
        body: logBody,
        needsUpdate: true,
      },
    };
  }

  private async write(evaluated: Evaluated[]): Promise<Set<number>> {
    const works = new Set<AttemptWork>();
    const logs: repo.CommitLogWrite[] = [];
    for (const e of evaluated) {
      if (e.work?.changed) works.add(e.work);
      if (e.log) logs.push(e.log);
    }
    if (logs.length === 0) return new Set();
    const attempts: repo.AttemptWrite[] = [];
    const completions: repo.CompletionWrite[] = [];
    for (const w of works) {
      const c = w.current;
      attempts.push({
        id: c.id,
        expectedSequence: w.before.lastSequence,
        cmi: c.cmi,
        lastSequence: c.lastSequence,
        totalTimeSeconds: c.totalTimeSeconds,
        sessionCounted: c.sessionCounted,
        state: c.state,
        completedAt: c.completedAt,
      });
      if (w.completion) completions.push(w.completion);
    }
    return repo.writeCommitBatch(this.db, { attempts, logs, completions });
  }
}

const writers = new WeakMap<Db, CommitWriter>();

/** The commit writer of a database (one per process and database). */
export function commitWriterFor(db: Db): CommitWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = new CommitWriter(db);
    writers.set(db, writer);
  }
  return writer;
}
