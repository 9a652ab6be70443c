import { and, eq, inArray, isNotNull, like, lt, sql } from 'drizzle-orm';
import { jsonParam, queryRows, type DbOrTx } from '../../db/client';
import { appState, courses, employees, orgUnits, unitLeaders, users } from '../../db/schema';
import type { LocalDate } from '../../lib/dates';

/**
 * All SQL of the HR import. Reads load whole tables once (a few columns) so the service can compare
 * in memory; writes are multi-row statements in chunks, so 50,000 rows take a few dozen round trips.
 */

const CHUNK = 5000;

/**
 * Rows travel as one JSON parameter per statement (`json_to_recordset`): a few statements with
 * one parameter each are much faster, on PGlite and on a server, than thousands of parameters.
 * `json`, not `jsonb`: the text is read once, row by row, instead of first being converted to a
 * binary document (32,000 mails of 2 KB: 1.8 s instead of 2.6 s on the PostgreSQL server).
 */
function recordset(rows: object[]) {
  return sql`json_to_recordset(${jsonParam(rows)})`;
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface ExistingUnit {
  id: number;
  code: string;
  name: string;
  parentId: number | null;
}

export async function loadUnits(db: DbOrTx): Promise<ExistingUnit[]> {
  return db
    .select({ id: orgUnits.id, code: orgUnits.code, name: orgUnits.name, parentId: orgUnits.parentId })
    .from(orgUnits);
}

export async function loadUnitLeaderEmails(db: DbOrTx): Promise<Array<{ unitId: number; email: string }>> {
  return db
    .select({ unitId: unitLeaders.unitId, email: users.email })
    .from(unitLeaders)
    .innerJoin(users, eq(users.id, unitLeaders.userId));
}

export interface ExistingUser {
  id: number;
  email: string;
  employeeId: number | null;
}

export async function loadUsers(db: DbOrTx): Promise<ExistingUser[]> {
  return db.select({ id: users.id, email: users.email, employeeId: users.employeeId }).from(users);
}

export interface EmployeeValues {
  employeeNumber: string;
  firstName: string;
  lastName: string;
  email: string | null;
  unitId: number | null;
  title: string | null;
  roleTags: string[];
  hireDate: LocalDate;
  endDate: LocalDate | null;
}

export interface ExistingEmployee extends EmployeeValues {
  id: number;
}

export async function loadEmployees(db: DbOrTx): Promise<ExistingEmployee[]> {
  return db
    .select({
      id: employees.id,
      employeeNumber: employees.employeeNumber,
      firstName: employees.firstName,
      lastName: employees.lastName,
      email: employees.email,
      unitId: employees.unitId,
      title: employees.title,
      roleTags: employees.roleTags,
      hireDate: employees.hireDate,
      endDate: employees.endDate,
    })
    .from(employees);
}

export async function loadEmployeeNumbers(
  db: DbOrTx,
): Promise<Array<{ id: number; employeeNumber: string }>> {
  return db.select({ id: employees.id, employeeNumber: employees.employeeNumber }).from(employees);
}

export async function loadCourseSlugs(db: DbOrTx): Promise<Array<{ id: number; slug: string }>> {
  return db.select({ id: courses.id, slug: courses.slug }).from(courses);
}

/** Effective completions (not voids, not voided) as keys 'employeeId:courseId:date'. */
export async function loadCompletionKeys(db: DbOrTx): Promise<Set<string>> {
  const rows = await queryRows<{ k: string }>(
    db,
    sql`select c.employee_id || ':' || c.course_id || ':' || to_char(c.completed_on, 'YYYY-MM-DD') as k
        from completions c
        where c.source <> 'void'
          and not exists (select 1 from completions v where v.voids_completion_id = c.id)`,
  );
  return new Set(rows.map((r) => r.k));
}

/** Inserts units without parents; returns code → id. */
export async function insertUnits(
  db: DbOrTx,
  rows: Array<{ code: string; name: string; kind: string }>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(rows)) {
    const inserted = await queryRows<{ id: number; code: string }>(
      db,
      sql`insert into org_units (code, name, kind)
          select code, name, kind from ${recordset(part)} as x(code text, name text, kind text)
          returning id, code`,
    );
    for (const r of inserted) ids.set(r.code, Number(r.id));
  }
  return ids;
}

export async function updateUnits(
  db: DbOrTx,
  rows: Array<{ id: number; name: string; parentId: number | null }>,
): Promise<void> {
  for (const part of chunks(rows)) {
    await db.execute(sql`
      update org_units u set name = v.name, parent_id = v."parentId", updated_at = now()
      from ${recordset(part)} as v(id int, name text, "parentId" int) where u.id = v.id`);
  }
}

/** Replaces the leaders of the given units with exactly the given pairs. */
export async function replaceUnitLeaders(
  db: DbOrTx,
  unitIds: number[],
  pairs: Array<{ unitId: number; userId: number }>,
): Promise<void> {
  for (const part of chunks(unitIds)) await db.delete(unitLeaders).where(inArray(unitLeaders.unitId, part));
  for (const part of chunks(pairs)) await db.insert(unitLeaders).values(part).onConflictDoNothing();
}

/** Creates login accounts without a password; returns e-mail → user id. */
export async function insertUsers(
  db: DbOrTx,
  rows: Array<{ email: string; displayName: string; employeeId: number | null }>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(rows)) {
    const inserted = await queryRows<{ id: number; email: string }>(
      db,
      sql`insert into users (email, display_name, employee_id)
          select email, "displayName", "employeeId"
          from ${recordset(part)} as x(email text, "displayName" text, "employeeId" int)
          returning id, email`,
    );
    for (const r of inserted) ids.set(r.email, Number(r.id));
  }
  return ids;
}

/** Sets e-mail and employee link of existing accounts. */
export async function updateUserLinks(
  db: DbOrTx,
  rows: Array<{ id: number; email: string; employeeId: number }>,
): Promise<void> {
  for (const part of chunks(rows)) {
    await db.execute(sql`
      update users u set email = v.email, employee_id = v."employeeId", updated_at = now()
      from ${recordset(part)} as v(id int, email text, "employeeId" int) where u.id = v.id`);
  }
}

// Role tags travel as one '|'-joined text: a tag cannot contain '|', and '' becomes '{}'.
const employeeRecord = sql.raw(`("employeeNumber" text, "firstName" text, "lastName" text, email text,
  "unitId" int, title text, "roleTags" text, "hireDate" date, "endDate" date, id int)`);

const withJoinedTags = (rows: EmployeeValues[]) =>
  rows.map((r) => ({ ...r, roleTags: r.roleTags.join('|') }));

export async function insertEmployees(db: DbOrTx, rows: EmployeeValues[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(rows)) {
    const inserted = await queryRows<{ id: number; employee_number: string }>(
      db,
      sql`insert into employees (employee_number, first_name, last_name, email, unit_id, title, role_tags, hire_date, end_date)
          select "employeeNumber", "firstName", "lastName", email, "unitId", title,
                 string_to_array("roleTags", '|'), "hireDate", "endDate"
          from ${recordset(withJoinedTags(part))} as x${employeeRecord}
          returning id, employee_number`,
    );
    for (const r of inserted) ids.set(r.employee_number, Number(r.id));
  }
  return ids;
}

export async function updateEmployees(db: DbOrTx, rows: ExistingEmployee[]): Promise<void> {
  for (const part of chunks(rows)) {
    await db.execute(sql`
      update employees e set first_name = v."firstName", last_name = v."lastName", email = v.email,
        unit_id = v."unitId", title = v.title, role_tags = string_to_array(v."roleTags", '|'),
        hire_date = v."hireDate", end_date = v."endDate", updated_at = now()
      from ${recordset(withJoinedTags(part))} as v${employeeRecord}
      where e.id = v.id`);
  }
}

export async function endEmployees(db: DbOrTx, ids: number[], endDate: LocalDate): Promise<void> {
  for (const part of chunks(ids))
    await db
      .update(employees)
      .set({ endDate, updatedAt: sql`now()` })
      .where(inArray(employees.id, part));
}

export async function insertCompletions(
  db: DbOrTx,
  rows: Array<{
    employeeId: number;
    courseId: number;
    completedOn: LocalDate;
    reason: string | null;
    recordedBy: number | null;
  }>,
): Promise<void> {
  for (const part of chunks(rows))
    await db.execute(sql`
      insert into completions (employee_id, course_id, completed_on, source, reason, recorded_by)
      select "employeeId", "courseId", "completedOn", 'import', reason, "recordedBy"
      from ${recordset(part)} as x("employeeId" int, "courseId" int, "completedOn" date, reason text, "recordedBy" int)`);
}

// ---- previews kept server-side between "preview" and "confirm" ----

const PREVIEW_PREFIX = 'import-preview:';

export interface StoredPreview {
  userId: number;
  kind: string;
  full: boolean;
  fileName: string;
  sha256: string;
  contentBase64: string;
  createdAt: string;
}

export async function savePreview(db: DbOrTx, token: string, preview: StoredPreview): Promise<void> {
  await db.insert(appState).values({ key: PREVIEW_PREFIX + token, value: preview });
}

/** Deletes and returns a stored preview, so that one preview is imported at most once. */
export async function takePreview(db: DbOrTx, token: string): Promise<StoredPreview | null> {
  const rows = await db
    .delete(appState)
    .where(eq(appState.key, PREVIEW_PREFIX + token))
    .returning({ value: appState.value });
  return (rows[0]?.value as StoredPreview | undefined) ?? null;
}

export async function findPreview(db: DbOrTx, token: string): Promise<StoredPreview | null> {
  const rows = await db
    .select({ value: appState.value })
    .from(appState)
    .where(eq(appState.key, PREVIEW_PREFIX + token));
  return (rows[0]?.value as StoredPreview | undefined) ?? null;
}

/** Drops previews older than the cut-off (they hold whole files). */
export async function deleteOldPreviews(db: DbOrTx, olderThan: Date): Promise<void> {
  await db
    .delete(appState)
    .where(
      and(
        like(appState.key, PREVIEW_PREFIX + '%'),
        isNotNull(appState.updatedAt),
        lt(appState.updatedAt, olderThan),
      ),
    );
}

/** Names of employees by (lower-case) e-mail, for the display name of a leader's new account. */
export async function loadEmployeeNamesByEmail(db: DbOrTx, emails: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const part of chunks(emails)) {
    const rows = await db
      .select({
        email: sql<string>`lower(${employees.email})`,
        first: employees.firstName,
        last: employees.lastName,
      })
      .from(employees)
      .where(inArray(sql`lower(${employees.email})`, part));
    for (const r of rows) names.set(r.email, `${r.first} ${r.last}`);
  }
  return names;
}
