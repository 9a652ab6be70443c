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

export interface LatestCompletion {
  employeeId: number;
  courseId: number;
  completedOn: LocalDate;
}

/**
 * Employees counted on a date (hired on or before, not ended before), inside the scope and
 * optionally below one unit, each with the latest effective completion (not a void, not voided) on
 * or before the date per course – all the deadline engine uses of the history. One query, one row
 * per employee, only the columns the figures need and no sorting: this is the organisation-wide
 * report's hot path.
 */
export async function listCountedEmployeesWithLatest(
  db: DbOrTx,
  scope: UnitScope,
  asOf: LocalDate,
  unitPath?: string,
): Promise<{ employees: LeanEmployee[]; latest: LatestCompletion[] }> {
  const inScope = and(
    scope.kind === 'all' ? undefined : unitScopeCondition(scope, orgUnits.path),
    unitPath ? sql`${orgUnits.path} like ${unitPath + '%'}` : undefined,
  );
  const scoped = scope.kind !== 'all' || unitPath !== undefined;
  const effectiveBase = db
    .select({
      employeeId: completions.employeeId,
      courseId: completions.courseId,
      last: sql<string>`max(${completions.completedOn})`.as('last'),
    })
    .from(completions);
  const effectiveWhere = and(
    sql`${completions.source} <> 'void'`,
    lte(completions.completedOn, asOf),
    sql`not exists (select 1 from completions v where v.voids_completion_id = ${completions.id})`,
    scoped ? inScope : undefined,
  );
  const effective = (
    scoped
      ? effectiveBase
          .innerJoin(employees, eq(employees.id, completions.employeeId))
          .innerJoin(orgUnits, eq(orgUnits.id, employees.unitId))
          .where(effectiveWhere)
      : effectiveBase.where(effectiveWhere)
  )
    .groupBy(completions.employeeId, completions.courseId)
    .as('effective');
  const perEmployee = db
    .select({
      employeeId: effective.employeeId,
      latest: sql<string>`string_agg(${effective.courseId}::text || '=' || ${effective.last}::text, ',')`.as(
        'latest',
      ),
    })
    .from(effective)
    .groupBy(effective.employeeId)
    .as('per_employee');
  const rows = await db
    .select({
      id: employees.id,
      unitPath: orgUnits.path,
      roleTags: sql<string>`array_to_string(${employees.roleTags}, '|')`,
      hireDate: sql<string>`${employees.hireDate}::text`,
      latest: perEmployee.latest,
    })
    .from(employees)
    .leftJoin(orgUnits, eq(orgUnits.id, employees.unitId))
    .leftJoin(perEmployee, eq(perEmployee.employeeId, employees.id))
    .where(
      and(
        lte(employees.hireDate, asOf),
        or(isNull(employees.endDate), gte(employees.endDate, asOf)),
        inScope,
      ),
    );
  const list: LeanEmployee[] = [];
  const latest: LatestCompletion[] = [];
  for (const row of rows) {
    // Counted on asOf, so the end date (if any) is on or after it and changes no status.
    list.push({
      id: row.id,
      unitPath: row.unitPath,
      roleTags: row.roleTags ? row.roleTags.split('|') : [],
      hireDate: row.hireDate,
      endDate: null,
    });
    if (!row.latest) continue;
    for (const part of row.latest.split(',')) {
      const at = part.indexOf('=');
      latest.push({
        employeeId: row.id,
        courseId: Number(part.slice(0, at)),
        completedOn: part.slice(at + 1),
      });
    }
  }
  return { employees: list, latest };
}
