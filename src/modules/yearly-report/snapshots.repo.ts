import { and, asc, eq, gte, inArray, lte, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { complianceSnapshots } from '../../db/schema';
import type { LocalDate } from '../../lib/dates';

export interface SnapshotRow {
  asOf: LocalDate;
  unitId: number;
  requirementId: number;
  counted: number;
  done: number;
  todo: number;
  dueSoon: number;
  overdue: number;
  exempt: number;
  withValidCompletion: number;
}

const columns = {
  asOf: complianceSnapshots.asOf,
  unitId: complianceSnapshots.unitId,
  requirementId: complianceSnapshots.requirementId,
  counted: complianceSnapshots.counted,
  done: complianceSnapshots.done,
  todo: complianceSnapshots.todo,
  dueSoon: complianceSnapshots.dueSoon,
  overdue: complianceSnapshots.overdue,
  exempt: complianceSnapshots.exempt,
  withValidCompletion: complianceSnapshots.withValidCompletion,
};

/**
 * Replaces the snapshots of the given dates with `rows` (call it inside a transaction): the dates'
 * old rows are deleted and the new ones upserted on (as_of, unit, requirement), so running it twice
 * leaves the same rows, rows no longer produced do not linger, and a parallel run cannot collide.
 */
export async function replaceSnapshots(db: DbOrTx, dates: LocalDate[], rows: SnapshotRow[]): Promise<void> {
  if (dates.length === 0) return;
  await db.delete(complianceSnapshots).where(inArray(complianceSnapshots.asOf, dates));
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insert(complianceSnapshots)
      .values(rows.slice(i, i + 500))
      .onConflictDoUpdate({
        target: [complianceSnapshots.asOf, complianceSnapshots.unitId, complianceSnapshots.requirementId],
        set: {
          counted: sql`excluded.counted`,
          done: sql`excluded.done`,
          todo: sql`excluded.todo`,
          dueSoon: sql`excluded.due_soon`,
          overdue: sql`excluded.overdue`,
          exempt: sql`excluded.exempt`,
          withValidCompletion: sql`excluded.with_valid_completion`,
          createdAt: sql`now()`,
        },
      });
  }
}

/** Snapshot rows dated within [from, to], optionally only for some units. */
export async function listSnapshotRows(
  db: DbOrTx,
  from: LocalDate,
  to: LocalDate,
  unitIds?: number[],
): Promise<SnapshotRow[]> {
  return db
    .select(columns)
    .from(complianceSnapshots)
    .where(
      and(
        gte(complianceSnapshots.asOf, from),
        lte(complianceSnapshots.asOf, to),
        unitIds ? inArray(complianceSnapshots.unitId, unitIds) : sql`true`,
      ),
    )
    .orderBy(
      asc(complianceSnapshots.asOf),
      asc(complianceSnapshots.unitId),
      asc(complianceSnapshots.requirementId),
    );
}

/** True when any snapshot row exists for the date. */
export async function hasSnapshot(db: DbOrTx, asOf: LocalDate): Promise<boolean> {
  const rows = await db
    .select({ id: complianceSnapshots.id })
    .from(complianceSnapshots)
    .where(and(eq(complianceSnapshots.asOf, asOf), ne(complianceSnapshots.id, 0)))
    .limit(1);
  return rows.length > 0;
}
