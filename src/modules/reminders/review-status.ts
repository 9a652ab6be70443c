import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import type { MissingReviewInfo } from './selection';

/**
 * Units without this year's review (one entry per unit and active topic that has fewer reviews in
 * the calendar year than it requires). The same rule as the reviews feature: only units of kind
 * virksomhet and avdeling hold reviews.
 */
export async function loadMissingReviews(db: DbOrTx, year: number): Promise<MissingReviewInfo[]> {
  const rows = await queryRows<{
    unit_id: number;
    unit_name: string;
    unit_path: string;
    topic_title: string;
  }>(
    db,
    sql`select u.id as unit_id, u.name as unit_name, u.path as unit_path, t.title as topic_title
        from org_units u
        cross join review_topics t
        where t.active and u.kind in ('virksomhet', 'avdeling')
          and (select count(*) from unit_reviews r
               where r.unit_id = u.id and r.topic_id = t.id
                 and r.reviewed_on between ${`${year}-01-01`}::date and ${`${year}-12-31`}::date) < t.times_per_year
        order by u.path, t.id`,
  );
  return rows.map((r) => ({
    unitId: Number(r.unit_id),
    unitName: r.unit_name,
    unitPath: r.unit_path,
    topicTitle: r.topic_title,
  }));
}
