import { sql } from 'drizzle-orm';
import { readAll, type Db, type DbOrTx } from '../../db/client';
import { compareDates, type LocalDate } from '../../lib/dates';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { recordAudit } from '../audit/audit.repo';
import { findUnitById, listUnits, type UnitRecord } from '../org/org.repo';
import { assertUnitInScope, type UnitScope } from '../org/unit-scope';
import {
  countBuiltinTopics,
  findTopicById,
  insertTopic,
  insertUnitReview,
  listMissingReviews,
  listTopics,
  listUnitReviews,
  updateTopic,
  type ReviewTopicRecord,
  type UnitReviewRecord,
} from './reviews.repo';
import type { TopicInput, UnitReviewInput } from './reviews.schema';

/**
 * The yearly unit reviews of the action plan (årshjul): each virksomhet and avdeling goes through
 * every active topic `timesPerYear` times per calendar year. Sectors and the municipality itself
 * are not reviewed (the plan places the review "i avdeling/virksomhet").
 */

/** The two reviews the plan asks of every unit; created at first use if HR has none yet. */
export const BUILTIN_REVIEW_TOPICS = [
  'Handlingsveilederen gjennomgått i avdelingen',
  'Meldeplikt og opplysningsplikt gjennomgått',
] as const;

/** Unit kinds that hold the yearly review. */
export const REVIEWED_UNIT_KINDS = ['virksomhet', 'avdeling'];

export function isReviewedUnit(unit: Pick<UnitRecord, 'kind'>): boolean {
  return REVIEWED_UNIT_KINDS.includes(unit.kind);
}

// Databases known to have the built-in topics: topics are never deleted, so once is enough.
const withBuiltinTopics = new WeakSet<Db>();

/** Creates the built-in topics once; safe to call on every request and from several instances. */
export async function ensureBuiltinTopics(db: Db): Promise<void> {
  if (withBuiltinTopics.has(db)) return;
  if ((await countBuiltinTopics(db)) === 0) {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('kursvakt.review_topics'))`);
      if ((await countBuiltinTopics(tx)) > 0) return;
      for (const title of BUILTIN_REVIEW_TOPICS)
        await insertTopic(tx, { title, timesPerYear: 1, builtin: true });
    });
  }
  withBuiltinTopics.add(db);
}

/** All topics for HR, with the built-in ones created if missing. */
export async function listTopicsForAdmin(db: Db): Promise<ReviewTopicRecord[]> {
  await ensureBuiltinTopics(db);
  return listTopics(db);
}

export async function createTopic(
  db: Db,
  actorUserId: number,
  input: TopicInput,
): Promise<ReviewTopicRecord> {
  return db.transaction(async (tx) => {
    const topic = await insertTopic(tx, { title: input.title, timesPerYear: input.timesPerYear });
    await recordAudit(tx, {
      actorUserId,
      action: 'review_topic_created',
      entity: 'review_topic',
      entityId: topic.id,
      details: { title: topic.title, timesPerYear: topic.timesPerYear },
    });
    return topic;
  });
}

export async function changeTopic(db: Db, actorUserId: number, id: number, input: TopicInput): Promise<void> {
  await db.transaction(async (tx) => {
    const topic = await findTopicById(tx, id);
    if (!topic) throw new NotFoundError('Temaet finnes ikke.');
    await updateTopic(tx, id, { title: input.title, timesPerYear: input.timesPerYear, active: input.active });
    await recordAudit(tx, {
      actorUserId,
      action: 'review_topic_changed',
      entity: 'review_topic',
      entityId: id,
      details: { before: topic, after: input },
    });
  });
}

/** Records a review for a unit; the unit must be inside the scope and hold yearly reviews. */
export async function recordUnitReview(
  db: Db,
  scope: UnitScope,
  actorUserId: number,
  input: UnitReviewInput,
  today: LocalDate,
): Promise<number> {
  const unit = await findUnitById(db, input.unitId);
  if (!unit) throw new NotFoundError('Enheten finnes ikke.');
  assertUnitInScope(scope, unit.path);
  if (!isReviewedUnit(unit)) {
    throw new ValidationError('Skjemaet har feil. Rett opp og prøv igjen.', {
      unitId: 'Årlig gjennomgang registreres for virksomheter og avdelinger.',
    });
  }
  const topic = await findTopicById(db, input.topicId);
  if (!topic || !topic.active) {
    throw new ValidationError('Skjemaet har feil. Rett opp og prøv igjen.', {
      topicId: 'Velg et aktivt tema.',
    });
  }
  if (compareDates(input.reviewedOn, today) > 0) {
    throw new ValidationError('Skjemaet har feil. Rett opp og prøv igjen.', {
      reviewedOn: 'Datoen kan ikke være fram i tid.',
    });
  }
  return db.transaction(async (tx) => {
    const id = await insertUnitReview(tx, {
      unitId: unit.id,
      topicId: topic.id,
      reviewedOn: input.reviewedOn,
      participants: input.participants,
      note: input.note,
      recordedBy: actorUserId,
    });
    await recordAudit(tx, {
      actorUserId,
      action: 'unit_review_recorded',
      entity: 'unit_review',
      entityId: id,
      details: {
        unit: unit.code,
        topic: topic.title,
        reviewedOn: input.reviewedOn,
        participants: input.participants,
      },
    });
    return id;
  });
}

export interface UnitTopicStatus {
  topic: ReviewTopicRecord;
  done: number;
  required: number;
  lastReviewedOn: LocalDate | null;
}

export interface UnitReviewStatus {
  unit: UnitRecord;
  topics: UnitTopicStatus[];
  /** True when every active topic has its reviews for the year. */
  complete: boolean;
}

export interface ReviewYear {
  year: number;
  topics: ReviewTopicRecord[];
  units: UnitReviewStatus[];
  reviews: UnitReviewRecord[];
}

/** For each reviewed unit in the scope: how many reviews of each active topic it has in the calendar year. */
export async function buildReviewYear(db: DbOrTx, scope: UnitScope, year: number): Promise<ReviewYear> {
  const [topics, units, reviews] = await readAll(db, [
    () => listTopics(db, { activeOnly: true }),
    () => listUnits(db, scope),
    () => listUnitReviews(db, scope, `${year}-01-01`, `${year}-12-31`),
  ]);
  const statuses = units.filter(isReviewedUnit).map((unit) => {
    const own = reviews.filter((r) => r.unitId === unit.id);
    const topicStatuses = topics.map((topic) => {
      const ofTopic = own.filter((r) => r.topicId === topic.id);
      return {
        topic,
        done: ofTopic.length,
        required: topic.timesPerYear,
        lastReviewedOn: ofTopic[0]?.reviewedOn ?? null,
      };
    });
    return { unit, topics: topicStatuses, complete: topicStatuses.every((t) => t.done >= t.required) };
  });
  return { year, topics, units: statuses, reviews };
}

export interface MissingReview {
  unit: Pick<UnitRecord, 'id' | 'code' | 'name' | 'path'>;
  topic: Pick<ReviewTopicRecord, 'id' | 'title'>;
  done: number;
  required: number;
}

/**
 * The units in the scope that have not had this year's review, one entry per unit and topic;
 * for the dashboards and the leaders' digests. Counted in one query, as buildReviewYear would count
 * them (the reviews feature's tests hold the two to the same answer).
 */
export async function listUnitsMissingReview(
  db: DbOrTx,
  scope: UnitScope,
  year: number,
): Promise<MissingReview[]> {
  const rows = await listMissingReviews(db, scope, REVIEWED_UNIT_KINDS, `${year}-01-01`, `${year}-12-31`);
  return rows.map((r) => ({
    unit: { id: r.unitId, code: r.unitCode, name: r.unitName, path: r.unitPath },
    topic: { id: r.topicId, title: r.topicTitle },
    done: r.done,
    required: r.required,
  }));
}
