import type { Db } from '../../db/client';
import { addDays, addMonths, type LocalDate } from '../../lib/dates';
import {
  listEffectiveCompletions,
  listEffectiveExemptions,
  listEmployees,
  listRequirements,
} from '../compliance/compliance.repo';
import { evaluateCompliance, type ComplianceRow } from '../compliance/compliance.service';
import { summarizeStatuses } from '../compliance/deadline-engine';
import { hasSnapshot, replaceSnapshots, type SnapshotRow } from './snapshots.repo';

/**
 * Monthly snapshots of compliance per unit and requirement. Each row counts the employees whose
 * home unit is that unit (direct members only, not sub-units), so the rows of a subtree add up
 * without counting anyone twice. Employees without a unit are not in any snapshot.
 */

/** Groups evaluated rows by (home unit, requirement) into snapshot rows. */
export function snapshotRowsOf(asOf: LocalDate, rows: ComplianceRow[]): SnapshotRow[] {
  const groups = new Map<string, ComplianceRow[]>();
  for (const row of rows) {
    if (row.employee.unitId === null) continue;
    const key = `${row.employee.unitId}:${row.requirement.id}`;
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.entries()].map(([key, list]) => {
    const [unitId, requirementId] = key.split(':').map(Number) as [number, number];
    const s = summarizeStatuses(list.map((r) => r.result));
    return {
      asOf,
      unitId,
      requirementId,
      counted: s.counted,
      done: s.done,
      todo: s.todo,
      dueSoon: s.dueSoon,
      overdue: s.overdue,
      exempt: s.exempt,
      withValidCompletion: s.withValidCompletion,
    };
  });
}

/** Computes and stores the snapshot for a date; running it again for the same date gives the same rows. */
export async function takeMonthlySnapshot(
  db: Db,
  asOf: LocalDate,
): Promise<{ asOf: LocalDate; rows: number }> {
  const [result] = await takeMonthlySnapshots(db, [asOf]);
  return result!;
}

/**
 * Snapshots for several dates from one load of the data (the demo's 24 months of history); each date
 * gives exactly what `takeMonthlySnapshot` gives for it, since the engine ignores employees not
 * employed on the date and completions after it.
 */
export async function takeMonthlySnapshots(
  db: Db,
  dates: LocalDate[],
): Promise<Array<{ asOf: LocalDate; rows: number }>> {
  if (dates.length === 0) return [];
  const last = [...dates].sort().at(-1)!;
  const filter = { scope: { kind: 'all' as const } };
  const [requirementList, employeeList, completionList, exemptionList] = await Promise.all([
    listRequirements(db, { activeOnly: true }),
    listEmployees(db, filter),
    listEffectiveCompletions(db, filter, last),
    listEffectiveExemptions(db, filter),
  ]);
  const results: Array<{ asOf: LocalDate; rows: number }> = [];
  const allRows: SnapshotRow[] = [];
  for (const asOf of dates) {
    const rows = snapshotRowsOf(
      asOf,
      evaluateCompliance(requirementList, employeeList, completionList, exemptionList, asOf),
    );
    allRows.push(...rows);
    results.push({ asOf, rows: rows.length });
  }
  await db.transaction(async (tx) => replaceSnapshots(tx, dates, allRows));
  return results;
}

/** The last day of the month before the month of `date`. */
export function previousMonthEnd(date: LocalDate): LocalDate {
  return addDays(`${date.slice(0, 7)}-01`, -1);
}

/** The month ends from the one `count` months before `last` up to `last` (a month end), oldest first. */
export function monthEndsUpTo(last: LocalDate, count: number): LocalDate[] {
  const firstOfNext = addDays(last, 1);
  const out: LocalDate[] = [];
  for (let i = count; i >= 1; i--) out.push(addDays(addMonths(firstOfNext, -(i - 1)), -1));
  return out;
}

/** Takes the snapshot of the last month end when it is missing; what the daily job and the server start run. */
export async function ensureLastMonthEndSnapshot(db: Db, today: LocalDate): Promise<LocalDate | null> {
  const asOf = previousMonthEnd(today);
  if (await hasSnapshot(db, asOf)) return null;
  await takeMonthlySnapshot(db, asOf);
  return asOf;
}
