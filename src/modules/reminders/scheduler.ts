import { EventEmitter } from 'node:events';
import { CronExpressionParser } from 'cron-parser';
import cron, { type ScheduledTask } from 'node-cron';
import type { Db } from '../../db/client';
import { toLocalDate } from '../../lib/dates';
import { errorFields, logger } from '../../lib/logger';
import {
  findSchedule,
  listSchedules,
  markScheduleFired,
  schedulesFingerprint,
  tryLockScheduleFire,
  type ScheduleRecord,
} from './reminders.repo';
import { currentFacts } from '../compliance/compliance-facts';
import { enqueuePlan, planSchedule, type RunResult } from './reminders.service';

/**
 * node-cron runs the schedules inside the server. Each fire runs in one transaction that first
 * takes a PostgreSQL advisory lock for the schedule and then checks last_fired_at, so with several
 * instances on one database only one runs a given fire, and a fire that already ran is not repeated.
 */

const events = new EventEmitter();

/** Tells this process's scheduler that schedules changed (other instances notice by polling). */
export function notifySchedulesChanged(): void {
  events.emit('changed');
}

export type FireOutcome =
  { ran: true; result: RunResult } | { ran: false; reason: 'locked' | 'already' | 'paused' | 'missing' };

/** Runs one fire of a schedule, at most once across instances; fireTime identifies the fire. */
export async function fireSchedule(
  db: Db,
  scheduleId: number,
  fireTime: Date,
  env: { baseUrl: string; now: Date },
): Promise<FireOutcome> {
  // Load (or refresh) the shared facts cache first: the plan inside the transaction then finds it.
  await currentFacts(db);
  return db.transaction(async (tx): Promise<FireOutcome> => {
    if (!(await tryLockScheduleFire(tx, scheduleId))) return { ran: false, reason: 'locked' };
    const schedule = await findSchedule(tx, scheduleId);
    if (!schedule) return { ran: false, reason: 'missing' };
    if (schedule.paused) return { ran: false, reason: 'paused' };
    if (schedule.lastFiredAt && schedule.lastFiredAt.getTime() >= fireTime.getTime())
      return { ran: false, reason: 'already' };
    const plan = await planSchedule(tx, schedule, toLocalDate(fireTime), env);
    const result = await enqueuePlan(tx, plan);
    await markScheduleFired(tx, scheduleId, fireTime);
    return { ran: true, result };
  });
}

/** The latest time at or before `now` the schedule's cron expression fires, in Europe/Oslo. */
export function previousFireTime(expression: string, now: Date): Date | null {
  try {
    return CronExpressionParser.parse(expression, {
      tz: 'Europe/Oslo',
      currentDate: new Date(now.getTime() + 1),
    })
      .prev()
      .toDate();
  } catch {
    return null;
  }
}

export interface SchedulerOptions {
  baseUrl: string;
  now?: () => Date;
  /** How often to look for edits made by other instances. */
  pollMs?: number;
  /** Called after each fire (the server pokes the mail sender). */
  onFire?: (scheduleId: number, outcome: FireOutcome) => void;
}

export class ReminderScheduler {
  private readonly tasks = new Map<number, { signature: string; task: ScheduledTask }>();
  private fingerprint = '';
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private reloading: Promise<void> | undefined;
  private stopped = false;
  private readonly onChanged = () => void this.reload();

  constructor(
    private readonly db: Db,
    private readonly options: SchedulerOptions,
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Loads the schedules, runs a fire missed while the server was down (once), then keeps them current. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.reload();
    await this.catchUpMissedFires();
    events.on('changed', this.onChanged);
    this.pollTimer = setInterval(() => void this.pollForChanges(), this.options.pollMs ?? 30_000);
    this.pollTimer.unref();
  }

  /** The cron expression of every scheduled (not paused) schedule, for tests and the status page. */
  activeSchedules(): Map<number, string> {
    return new Map([...this.tasks].map(([id, t]) => [id, t.signature]));
  }

  private async pollForChanges(): Promise<void> {
    try {
      const current = await schedulesFingerprint(this.db);
      if (current !== this.fingerprint) await this.reload();
    } catch (error) {
      logger.warn('Kunne ikke se etter endrede påminnelsesplaner', errorFields(error));
    }
  }

  /** Re-reads the schedules: starts new ones, stops paused or deleted ones, restarts changed ones. */
  reload(): Promise<void> {
    const run = async () => {
      if (this.stopped) return;
      this.fingerprint = await schedulesFingerprint(this.db);
      const schedules = await listSchedules(this.db);
      const wanted = new Map(
        schedules.filter((s) => !s.paused && cron.validate(s.cron)).map((s) => [s.id, s]),
      );
      for (const [id, entry] of this.tasks) {
        if (wanted.get(id)?.cron !== entry.signature) {
          await entry.task.destroy();
          this.tasks.delete(id);
        }
      }
      for (const [id, schedule] of wanted) {
        if (this.tasks.has(id)) continue;
        const task = cron.schedule(schedule.cron, (ctx) => void this.fire(id, ctx.date), {
          timezone: 'Europe/Oslo',
          name: `paminnelse-${id}`,
          noOverlap: true,
        });
        this.tasks.set(id, { signature: schedule.cron, task });
      }
    };
    // One reload at a time; a change during a reload triggers another one after it.
    const next = (this.reloading ?? Promise.resolve()).then(run).catch((error) => {
      logger.error('Kunne ikke laste påminnelsesplanene', errorFields(error));
    });
    this.reloading = next;
    return next;
  }

  private async catchUpMissedFires(): Promise<void> {
    const now = this.now();
    for (const schedule of await listSchedules(this.db, { activeOnly: true })) {
      const previous = previousFireTime(schedule.cron, now);
      if (!previous) continue;
      const since = latest(schedule.lastFiredAt, schedule.createdAt);
      if (previous.getTime() > since.getTime()) {
        logger.info('Kjører påminnelsesplan som ble utelatt mens serveren var nede', {
          schedule: schedule.id,
          fireTime: previous.toISOString(),
        });
        await this.fire(schedule.id, previous);
      }
    }
  }

  /** Runs one fire; errors are logged, never thrown into node-cron. */
  async fire(scheduleId: number, at: Date): Promise<FireOutcome | null> {
    // A fire is identified by its second, so every instance names the same fire the same way.
    const fireTime = new Date(Math.floor(at.getTime() / 1000) * 1000);
    const work = fireSchedule(this.db, scheduleId, fireTime, {
      baseUrl: this.options.baseUrl,
      now: this.now(),
    })
      .then((outcome) => {
        if (outcome.ran)
          logger.info('Påminnelsesplan kjørt', {
            schedule: scheduleId,
            fireTime: fireTime.toISOString(),
            enqueued: outcome.result.enqueued,
          });
        this.options.onFire?.(scheduleId, outcome);
        return outcome;
      })
      .catch((error) => {
        logger.error('Påminnelsesplan feilet', { schedule: scheduleId, ...errorFields(error) });
        return null;
      });
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    events.off('changed', this.onChanged);
    clearInterval(this.pollTimer);
    await this.reloading;
    for (const { task } of this.tasks.values()) await task.destroy();
    this.tasks.clear();
    await Promise.all(this.inFlight);
  }
}

function latest(a: Date | null, b: Date): Date {
  return a && a.getTime() > b.getTime() ? a : b;
}

export type { ScheduleRecord };
