import { and, asc, eq, gt, gte, inArray, isNull, lte, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { readDataVersion } from '../../db/versions';
import {
  completions,
  courses,
  employees,
  exemptions,
  factChanges,
  orgUnits,
  requirementUnits,
  requirements,
} from '../../db/schema';
import type { LocalDate } from '../../lib/dates';
import { unitScopeCondition, type UnitScope } from '../org/unit-scope';

export interface RequirementRecord {
  id: number;
  name: string;
  courseId: number;
  courseSlug: string;
  courseTitle: string;
  audienceAll: boolean;
  audienceRoleTags: string[];
  audienceUnitIds: number[];
  audienceUnitPaths: string[];
  firstDeadline: LocalDate;
  renewalMode: 'cycle' | 'rolling';
  renewalMonths: number;
  newHireMonths: number;
  dueSoonDays: number;
  active: boolean;
}

export interface EmployeeRecord {
  id: number;
  employeeNumber: string;
  firstName: string;
  lastName: string;
  email: string | null;
  title: string | null;
  unitId: number | null;
  unitCode: string | null;
  unitName: string | null;
  unitPath: string | null;
  roleTags: string[];
  hireDate: LocalDate;
  endDate: LocalDate | null;
}

/** True when a person has no usable e-mail address: no reminder reaches them and they cannot log in. */
export function lacksEmailAddress(person: { email: string | null }): boolean {
  return !person.email?.trim();
}

export interface EmployeeFilter {
  scope: UnitScope;
  /** Only employees counted on this date (hired on or before, not ended before). */
  activeOn?: LocalDate;
  employeeId?: number;
  /** Only these employees. */
  employeeIds?: number[];
  /** Only this unit and everything below it (by path prefix). */
  unitPath?: string;
}

/** Requirements with their course and audience units. */
export async function listRequirements(
  db: DbOrTx,
  opts: { activeOnly?: boolean } = {},
): Promise<RequirementRecord[]> {
  const rows = await db
    .select({
      id: requirements.id,
      name: requirements.name,
      courseId: requirements.courseId,
      courseSlug: courses.slug,
      courseTitle: courses.title,
      audienceAll: requirements.audienceAll,
      audienceRoleTags: requirements.audienceRoleTags,
      firstDeadline: requirements.firstDeadline,
      renewalMode: requirements.renewalMode,
      renewalMonths: requirements.renewalMonths,
      newHireMonths: requirements.newHireMonths,
      dueSoonDays: requirements.dueSoonDays,
      active: requirements.active,
    })
    .from(requirements)
    .innerJoin(courses, eq(courses.id, requirements.courseId))
    .where(opts.activeOnly ? eq(requirements.active, true) : sql`true`)
    .orderBy(asc(requirements.id));
  const units = await db
    .select({ requirementId: requirementUnits.requirementId, unitId: orgUnits.id, path: orgUnits.path })
    .from(requirementUnits)
    .innerJoin(orgUnits, eq(orgUnits.id, requirementUnits.unitId));
  return rows.map((r) => {
    const own = units.filter((u) => u.requirementId === r.id);
    return {
      ...r,
      renewalMode: r.renewalMode === 'rolling' ? ('rolling' as const) : ('cycle' as const),
      audienceUnitIds: own.map((u) => u.unitId),
      audienceUnitPaths: own.map((u) => u.path),
    };
  });
}

function employeeConditions(filter: EmployeeFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.scope.kind !== 'all') conditions.push(unitScopeCondition(filter.scope, orgUnits.path));
  if (filter.activeOn) {
    conditions.push(lte(employees.hireDate, filter.activeOn));
    conditions.push(or(isNull(employees.endDate), gte(employees.endDate, filter.activeOn))!);
  }
  if (filter.employeeId !== undefined) conditions.push(eq(employees.id, filter.employeeId));
  if (filter.employeeIds !== undefined) conditions.push(inArray(employees.id, filter.employeeIds));
  if (filter.unitPath) conditions.push(sql`${orgUnits.path} like ${filter.unitPath + '%'}`);
  return conditions;
}

/**
 * Many rows as one JSON text: `json_agg` of one array per row, turned back into objects with the
 * columns' names by `fromJsonRows`. PGlite decodes the wire protocol row by row in JavaScript,
 * which made reading the facts of 50,000 employees (and 144,000 completions) take 2.9–3.6 s; as
 * JSON it takes 1.1–1.4 s. On a PostgreSQL server it is as fast as rows or faster
 * (docs/performance.md).
 */
function jsonRows(columns: Record<string, AnyColumn>): SQL<string> {
  const values = sql.join(
    Object.values(columns).map((c) => sql`${c}`),
    sql`, `,
  );
  return sql<string>`coalesce(json_agg(json_build_array(${values})), '[]')::text`;
}

function fromJsonRows<T>(columns: Record<string, AnyColumn>, text: string): T[] {
  const names = Object.keys(columns);
  return (JSON.parse(text) as unknown[][]).map((values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
    return row as T;
  });
}

const employeeColumns = {
  id: employees.id,
  employeeNumber: employees.employeeNumber,
  firstName: employees.firstName,
  lastName: employees.lastName,
  email: employees.email,
  title: employees.title,
  unitId: employees.unitId,
  unitCode: orgUnits.code,
  unitName: orgUnits.name,
  unitPath: orgUnits.path,
  roleTags: employees.roleTags,
  hireDate: employees.hireDate,
  endDate: employees.endDate,
};

/**
 * Employees visible in the scope; employees without a unit are visible only to the 'all' scope.
 * Ordered by last name, first name and id in the order of the database's C collation (for names,
 * JavaScript's string order), but sorted here: inside json_agg, PGlite spent 250–300 ms of a
 * 600 ms read on the sort.
 */
export async function listEmployees(db: DbOrTx, filter: EmployeeFilter): Promise<EmployeeRecord[]> {
  const [row] = await db
    .select({ rows: jsonRows(employeeColumns) })
    .from(employees)
    .leftJoin(orgUnits, eq(orgUnits.id, employees.unitId))
    .where(and(...employeeConditions(filter)));
  return fromJsonRows<EmployeeRecord>(employeeColumns, row!.rows).sort(byCodePointName);
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byCodePointName(a: EmployeeRecord, b: EmployeeRecord): number {
  return (
    compareCodePoints(a.lastName, b.lastName) || compareCodePoints(a.firstName, b.firstName) || a.id - b.id
  );
}

export interface CompletionDate {
  employeeId: number;
  courseId: number;
  completedOn: LocalDate;
}

/** Effective completions (not voids, not voided) of the employees matched by the filter, up to a date. */
export async function listEffectiveCompletions(
  db: DbOrTx,
  filter: EmployeeFilter,
  upTo?: LocalDate,
): Promise<CompletionDate[]> {
  const columns = {
    employeeId: completions.employeeId,
    courseId: completions.courseId,
    completedOn: completions.completedOn,
  };
  const [row] = await db
    .select({ rows: jsonRows(columns) })
    .from(completions)
    .innerJoin(employees, eq(employees.id, completions.employeeId))
    .leftJoin(orgUnits, eq(orgUnits.id, employees.unitId))
    .where(
      and(
        ...employeeConditions(filter),
        sql`${completions.source} <> 'void'`,
        // NOT EXISTS (not NOT IN) so the planner can use an anti-join instead of scanning all completions per call.
        sql`not exists (select 1 from completions c2 where c2.voids_completion_id = ${completions.id})`,
        upTo === undefined ? undefined : lte(completions.completedOn, upTo),
      ),
    );
  return fromJsonRows<CompletionDate>(columns, row!.rows);
}

/** What the compliance versions after `after` up to `upTo` changed (see the fact_changes table). */
export async function listFactChanges(
  db: DbOrTx,
  after: number,
  upTo: number,
): Promise<Array<{ version: number; employeeId: number | null }>> {
  return db
    .select({ version: factChanges.version, employeeId: factChanges.employeeId })
    .from(factChanges)
    .where(and(gt(factChanges.version, after), lte(factChanges.version, upTo)));
}

/** The committed version of the compliance facts (see the data_versions table). */
export function readComplianceVersion(db: DbOrTx): Promise<number> {
  return readDataVersion(db, 'compliance');
}

export interface ExemptionRecord {
  employeeId: number;
  requirementId: number;
  validFrom: LocalDate;
  validUntil: LocalDate | null;
  reason: string;
}

/** Effective exemptions (not void records, not voided) of the employees matched by the filter. */
export async function listEffectiveExemptions(
  db: DbOrTx,
  filter: EmployeeFilter,
): Promise<ExemptionRecord[]> {
  return db
    .select({
      employeeId: exemptions.employeeId,
      requirementId: exemptions.requirementId,
      validFrom: exemptions.validFrom,
      validUntil: exemptions.validUntil,
      reason: exemptions.reason,
    })
    .from(exemptions)
    .innerJoin(employees, eq(employees.id, exemptions.employeeId))
    .leftJoin(orgUnits, eq(orgUnits.id, employees.unitId))
    .where(
      and(
        ...employeeConditions(filter),
        eq(exemptions.isVoid, false),
        sql`not exists (select 1 from exemptions x2 where x2.voids_exemption_id = ${exemptions.id})`,
      ),
    );
}
