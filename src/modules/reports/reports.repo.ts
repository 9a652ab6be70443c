import { and, asc, eq, gte, isNull, lte, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { completions, employees, orgUnits } from '../../db/schema';
import type { LocalDate } from '../../lib/dates';
import { unitScopeCondition, type UnitScope } from '../org/unit-scope';

export interface FlaggedEmployee {
  id: number;
  employeeNumber: string;
  firstName: string;
  lastName: string;
  email: string | null;
  unitCode: string | null;
  unitName: string | null;
}

/**
 * Employees employed on a date who lack an e-mail address (they get no reminders and cannot log
 * in) or a unit (no leader sees them). HR only: this query has no unit scope.
 */
export async function listFlaggedEmployees(db: DbOrTx, activeOn: LocalDate): Promise<FlaggedEmployee[]> {
  return db
    .select({
      id: employees.id,
      employeeNumber: employees.employeeNumber,
      firstName: employees.firstName,
      lastName: employees.lastName,
      email: employees.email,
      unitCode: orgUnits.code,
      unitName: orgUnits.name,
    })
    .from(employees)
    .leftJoin(orgUnits, eq(orgUnits.id, employees.unitId))
    .where(
      and(
        lte(employees.hireDate, activeOn),
        or(isNull(employees.endDate), gte(employees.endDate, activeOn)),
        or(isNull(employees.unitId), isNull(employees.email), sql`trim(${employees.email}) = ''`),
      ),
    )
    .orderBy(asc(employees.lastName), asc(employees.firstName), asc(employees.id));
}

/** What the figures need of an employee: no names, no e-mail. */
export interface LeanEmployee {
  id: number;
  unitPath: string | null;
  roleTags: string[];
  hireDate: LocalDate;
  endDate: LocalDate | null;
}

/**
 * Employees counted on a date (hired on or before, not ended before), inside the scope and
 * optionally below one unit, with only the columns the figures need; no sorting.
 */
export async function listLeanEmployees(
  db: DbOrTx,
  scope: UnitScope,
  activeOn: LocalDate,
  unitPath?: string,
): Promise<LeanEmployee[]> {
  return db
    .select({
      id: employees.id,
      unitPath: orgUnits.path,
      roleTags: employees.roleTags,
      hireDate: employees.hireDate,
      endDate: employees.endDate,
    })
    .from(employees)
    .leftJoin(orgUnits, eq(orgUnits.id, employees.unitId))
    .where(
      and(
        lte(employees.hireDate, activeOn),
        or(isNull(employees.endDate), gte(employees.endDate, activeOn)),
        scope.kind === 'all' ? undefined : unitScopeCondition(scope, orgUnits.path),
        unitPath ? sql`${orgUnits.path} like ${unitPath + '%'}` : undefined,
      ),
    );
}

export interface LatestCompletion {
  employeeId: number;
  courseId: number;
  completedOn: LocalDate;
}

/**
 * The latest effective completion (not a void, not voided) on or before a date, per employee and
 * course – all the deadline engine uses of the history. Scoped like listLeanEmployees.
 */
export async function listLatestCompletions(
  db: DbOrTx,
  scope: UnitScope,
  upTo: LocalDate,
  unitPath?: string,
): Promise<LatestCompletion[]> {
  const scoped = scope.kind !== 'all' || unitPath !== undefined;
  const voided = sql`exists (select 1 from completions v where v.voids_completion_id = ${completions.id})`;
  const base = db
    .select({
      employeeId: completions.employeeId,
      courseId: completions.courseId,
      completedOn: sql<string>`max(${completions.completedOn})::text`,
    })
    .from(completions);
  const conditions = and(
    sql`${completions.source} <> 'void'`,
    lte(completions.completedOn, upTo),
    sql`not ${voided}`,
    scope.kind === 'all' ? undefined : unitScopeCondition(scope, orgUnits.path),
    unitPath ? sql`${orgUnits.path} like ${unitPath + '%'}` : undefined,
  );
  const query = scoped
    ? base
        .innerJoin(employees, eq(employees.id, completions.employeeId))
        .innerJoin(orgUnits, eq(orgUnits.id, employees.unitId))
        .where(conditions)
    : base.where(conditions);
  return query.groupBy(completions.employeeId, completions.courseId);
}
