import { and, asc, desc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { orgUnits, reviewTopics, unitReviews, users } from '../../db/schema';
import type { LocalDate } from '../../lib/dates';
import { unitScopeCondition, type UnitScope } from '../org/unit-scope';

export interface ReviewTopicRecord {
  id: number;
  title: string;
  builtin: boolean;
  timesPerYear: number;
  active: boolean;
}

export interface UnitReviewRecord {
  id: number;
  unitId: number;
  unitCode: string;
  unitName: string;
  unitPath: string;
  topicId: number;
  topicTitle: string;
  reviewedOn: LocalDate;
  participants: number;
  note: string;
  recordedByName: string | null;
}

const topicColumns = {
  id: reviewTopics.id,
  title: reviewTopics.title,
  builtin: reviewTopics.builtin,
  timesPerYear: reviewTopics.timesPerYear,
  active: reviewTopics.active,
};

/** Every topic (or only the active ones), built-in topics first. */
export async function listTopics(
  db: DbOrTx,
  opts: { activeOnly?: boolean } = {},
): Promise<ReviewTopicRecord[]> {
  return db
    .select(topicColumns)
    .from(reviewTopics)
    .where(opts.activeOnly ? eq(reviewTopics.active, true) : sql`true`)
    .orderBy(desc(reviewTopics.builtin), asc(reviewTopics.id));
}

export async function findTopicById(db: DbOrTx, id: number): Promise<ReviewTopicRecord | null> {
  const rows = await db.select(topicColumns).from(reviewTopics).where(eq(reviewTopics.id, id));
  return rows[0] ?? null;
}

export async function countBuiltinTopics(db: DbOrTx): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(reviewTopics)
    .where(eq(reviewTopics.builtin, true));
  return Number(row?.n ?? 0);
}

export async function insertTopic(
  db: DbOrTx,
  values: { title: string; timesPerYear: number; builtin?: boolean },
): Promise<ReviewTopicRecord> {
  const [row] = await db
    .insert(reviewTopics)
    .values({ title: values.title, timesPerYear: values.timesPerYear, builtin: values.builtin ?? false })
    .returning(topicColumns);
  return row!;
}

export async function updateTopic(
  db: DbOrTx,
  id: number,
  values: { title: string; timesPerYear: number; active: boolean },
): Promise<void> {
  await db.update(reviewTopics).set(values).where(eq(reviewTopics.id, id));
}

export async function insertUnitReview(
  db: DbOrTx,
  values: {
    unitId: number;
    topicId: number;
    reviewedOn: LocalDate;
    participants: number;
    note: string;
    recordedBy: number | null;
  },
): Promise<number> {
  const [row] = await db.insert(unitReviews).values(values).returning({ id: unitReviews.id });
  return row!.id;
}

/** Reviews of units inside the scope, dated within [from, to], newest first. */
export async function listUnitReviews(
  db: DbOrTx,
  scope: UnitScope,
  from: LocalDate,
  to: LocalDate,
  opts: { topicIds?: number[] } = {},
): Promise<UnitReviewRecord[]> {
  return db
    .select({
      id: unitReviews.id,
      unitId: unitReviews.unitId,
      unitCode: orgUnits.code,
      unitName: orgUnits.name,
      unitPath: orgUnits.path,
      topicId: unitReviews.topicId,
      topicTitle: reviewTopics.title,
      reviewedOn: unitReviews.reviewedOn,
      participants: unitReviews.participants,
      note: unitReviews.note,
      recordedByName: users.displayName,
    })
    .from(unitReviews)
    .innerJoin(orgUnits, eq(orgUnits.id, unitReviews.unitId))
    .innerJoin(reviewTopics, eq(reviewTopics.id, unitReviews.topicId))
    .leftJoin(users, eq(users.id, unitReviews.recordedBy))
    .where(
      and(
        unitScopeCondition(scope, orgUnits.path),
        gte(unitReviews.reviewedOn, from),
        lte(unitReviews.reviewedOn, to),
        opts.topicIds ? inArray(unitReviews.topicId, opts.topicIds) : sql`true`,
      ),
    )
    .orderBy(desc(unitReviews.reviewedOn), desc(unitReviews.id));
}

export interface MissingReviewRow {
  unitId: number;
  unitCode: string;
  unitName: string;
  unitPath: string;
  topicId: number;
  topicTitle: string;
  done: number;
  required: number;
}

/**
 * The units of the given kinds inside the scope that have fewer reviews of an active topic dated
 * within [from, to] than the topic asks for: one row per unit and topic, units in path order and
 * topics built-in first. One query, counted in the database.
 */
export async function listMissingReviews(
  db: DbOrTx,
  scope: UnitScope,
  unitKinds: string[],
  from: LocalDate,
  to: LocalDate,
): Promise<MissingReviewRow[]> {
  const done = sql<number>`count(${unitReviews.id})::int`;
  return db
    .select({
      unitId: orgUnits.id,
      unitCode: orgUnits.code,
      unitName: orgUnits.name,
      unitPath: orgUnits.path,
      topicId: reviewTopics.id,
      topicTitle: reviewTopics.title,
      done,
      required: reviewTopics.timesPerYear,
    })
    .from(orgUnits)
    .innerJoin(reviewTopics, eq(reviewTopics.active, true))
    .leftJoin(
      unitReviews,
      and(
        eq(unitReviews.unitId, orgUnits.id),
        eq(unitReviews.topicId, reviewTopics.id),
        gte(unitReviews.reviewedOn, from),
        lte(unitReviews.reviewedOn, to),
      ),
    )
    .where(and(inArray(orgUnits.kind, unitKinds), unitScopeCondition(scope, orgUnits.path)))
    .groupBy(orgUnits.id, reviewTopics.id)
    .having(sql`count(${unitReviews.id}) < ${reviewTopics.timesPerYear}`)
    .orderBy(asc(orgUnits.path), desc(reviewTopics.builtin), asc(reviewTopics.id));
}
