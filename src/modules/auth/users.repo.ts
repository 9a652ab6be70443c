import { and, count, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { employees, orgUnits, unitLeaders, users } from '../../db/schema';

export interface UserRecord {
  id: number;
  email: string;
  displayName: string;
  passwordHash: string | null;
  employeeId: number | null;
  isAdmin: boolean;
  disabled: boolean;
}

export interface LedUnit {
  id: number;
  code: string;
  name: string;
  path: string;
}

const userColumns = {
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  passwordHash: users.passwordHash,
  employeeId: users.employeeId,
  isAdmin: users.isAdmin,
  disabled: users.disabled,
};

/** Finds a user by e-mail (case-insensitive). */
export async function findUserByEmail(db: DbOrTx, email: string): Promise<UserRecord | null> {
  const rows = await db.select(userColumns).from(users).where(eq(users.email, email.trim().toLowerCase()));
  return rows[0] ?? null;
}

/**
 * A user and the units they lead directly, in one query: this runs on every request of a logged-in
 * user. Null when the user does not exist.
 */
export async function findUserWithLedUnits(
  db: DbOrTx,
  id: number,
): Promise<{ user: UserRecord; ledUnits: LedUnit[] } | null> {
  const rows = await db
    .select({
      user: userColumns,
      unit: { id: orgUnits.id, code: orgUnits.code, name: orgUnits.name, path: orgUnits.path },
    })
    .from(users)
    .leftJoin(unitLeaders, eq(unitLeaders.userId, users.id))
    .leftJoin(orgUnits, eq(orgUnits.id, unitLeaders.unitId))
    .where(eq(users.id, id))
    .orderBy(orgUnits.name);
  if (rows.length === 0) return null;
  return {
    user: rows[0]!.user,
    ledUnits: rows.flatMap((r) => (r.unit ? [r.unit] : [])),
  };
}

export async function countAdmins(db: DbOrTx): Promise<number> {
  const rows = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.isAdmin, true), eq(users.disabled, false)));
  return Number(rows[0]?.n ?? 0);
}

export async function insertUser(
  db: DbOrTx,
  values: {
    email: string;
    displayName: string;
    passwordHash: string | null;
    isAdmin?: boolean;
    employeeId?: number | null;
  },
): Promise<number> {
  const rows = await db
    .insert(users)
    .values({
      email: values.email.trim().toLowerCase(),
      displayName: values.displayName,
      passwordHash: values.passwordHash,
      isAdmin: values.isAdmin ?? false,
      employeeId: values.employeeId ?? null,
    })
    .returning({ id: users.id });
  return rows[0]!.id;
}

export async function updateUser(
  db: DbOrTx,
  id: number,
  values: Partial<{
    passwordHash: string | null;
    isAdmin: boolean;
    displayName: string;
    employeeId: number | null;
  }>,
): Promise<void> {
  await db
    .update(users)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(users.id, id));
}

export async function recordLogin(db: DbOrTx, id: number): Promise<void> {
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, id));
}

/** The employee linked to a user, with the employee's own name. */
export async function findEmployeeForUser(db: DbOrTx, userId: number) {
  const rows = await db
    .select({
      id: employees.id,
      employeeNumber: employees.employeeNumber,
      firstName: employees.firstName,
      lastName: employees.lastName,
      unitId: employees.unitId,
    })
    .from(users)
    .innerJoin(employees, eq(employees.id, users.employeeId))
    .where(eq(users.id, userId));
  return rows[0] ?? null;
}

/** Links user accounts to employees with the same e-mail when the link is missing. */
export async function linkUsersToEmployeesByEmail(db: DbOrTx): Promise<void> {
  await db.execute(sql`
    update users u set employee_id = e.id
    from employees e
    where u.employee_id is null and e.email is not null and lower(e.email) = u.email
      and not exists (select 1 from users u2 where u2.employee_id = e.id)`);
}
