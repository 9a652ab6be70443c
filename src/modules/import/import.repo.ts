import { and, eq, inArray, isNotNull, like, lt, sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { appState, completions, courses, employees, orgUnits, unitLeaders, users } from '../../db/schema';
import type { LocalDate } from '../../lib/dates';

/**
 * All SQL of the HR import. Reads load whole tables once (a few columns) so the service can compare
 * in memory; writes are multi-row statements in chunks, so 50,000 rows take a few dozen round trips.
 */

const CHUNK = 1000;

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
    const inserted = await db
      .insert(orgUnits)
      .values(part)
      .returning({ id: orgUnits.id, code: orgUnits.code });
    for (const r of inserted) ids.set(r.code, r.id);
  }
  return ids;
}

export async function updateUnits(
  db: DbOrTx,
  rows: Array<{ id: number; name: string; parentId: number | null }>,
): Promise<void> {
  for (const part of chunks(rows)) {
    const values = sql.join(
      part.map((r) => sql`(${r.id}::int, ${r.name}::text, ${r.parentId}::int)`),
      sql`, `,
    );
    await db.execute(sql`
      update org_units u set name = v.name, parent_id = v.parent_id, updated_at = now()
      from (values ${values}) as v(id, name, parent_id) where u.id = v.id`);
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
    const inserted = await db
      .insert(users)
      .values(part.map((r) => ({ ...r, passwordHash: null })))
      .returning({ id: users.id, email: users.email });
    for (const r of inserted) ids.set(r.email, r.id);
  }
  return ids;
}

/** Sets e-mail and employee link of existing accounts. */
export async function updateUserLinks(
  db: DbOrTx,
  rows: Array<{ id: number; email: string; employeeId: number }>,
): Promise<void> {
  for (const part of chunks(rows)) {
    const values = sql.join(
      part.map((r) => sql`(${r.id}::int, ${r.email}::text, ${r.employeeId}::int)`),
      sql`, `,
    );
    await db.execute(sql`
      update users u set email = v.email, employee_id = v.employee_id, updated_at = now()
      from (values ${values}) as v(id, email, employee_id) where u.id = v.id`);
  }
}

export async function insertEmployees(db: DbOrTx, rows: EmployeeValues[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(rows)) {
    const inserted = await db
      .insert(employees)
      .values(part)
      .returning({ id: employees.id, employeeNumber: employees.employeeNumber });
    for (const r of inserted) ids.set(r.employeeNumber, r.id);
  }
  return ids;
}

export async function updateEmployees(db: DbOrTx, rows: ExistingEmployee[]): Promise<void> {
  for (const part of chunks(rows)) {
    // Role tags travel as one '|'-joined text: a tag cannot contain '|', and '' becomes '{}'.
    const values = sql.join(
      part.map(
        (r) =>
          sql`(${r.id}::int, ${r.firstName}::text, ${r.lastName}::text, ${r.email}::text, ${r.unitId}::int, ${r.title}::text, ${r.roleTags.join('|')}::text, ${r.hireDate}::date, ${r.endDate}::date)`,
      ),
      sql`, `,
    );
    await db.execute(sql`
      update employees e set first_name = v.first_name, last_name = v.last_name, email = v.email,
        unit_id = v.unit_id, title = v.title, role_tags = string_to_array(v.role_tags, '|'),
        hire_date = v.hire_date, end_date = v.end_date, updated_at = now()
      from (values ${values}) as v(id, first_name, last_name, email, unit_id, title, role_tags, hire_date, end_date)
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
    await db.insert(completions).values(part.map((r) => ({ ...r, source: 'import' })));
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
