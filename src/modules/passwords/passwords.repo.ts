import { and, count, eq, gt, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { passwordTokens, sessions, users } from '../../db/schema';

/** All SQL of the password links and of setting a password. */

export type TokenOrigin = 'self' | 'hr';

export interface StoredToken {
  id: number;
  userId: number;
  origin: TokenOrigin;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

const tokenColumns = {
  id: passwordTokens.id,
  userId: passwordTokens.userId,
  origin: passwordTokens.origin,
  createdAt: passwordTokens.createdAt,
  expiresAt: passwordTokens.expiresAt,
  usedAt: passwordTokens.usedAt,
};

/** Stores a new token by its hash; returns the row id. */
export async function insertPasswordToken(
  db: DbOrTx,
  values: {
    userId: number;
    tokenHash: string;
    origin: TokenOrigin;
    createdBy: number | null;
    createdAt: Date;
    expiresAt: Date;
  },
): Promise<number> {
  const rows = await db.insert(passwordTokens).values(values).returning({ id: passwordTokens.id });
  return rows[0]!.id;
}

/** The token with this hash, used or not; `forUpdate` locks it so that two submissions cannot both use it. */
export async function findTokenByHash(
  db: DbOrTx,
  tokenHash: string,
  opts: { forUpdate?: boolean } = {},
): Promise<StoredToken | null> {
  const query = db.select(tokenColumns).from(passwordTokens).where(eq(passwordTokens.tokenHash, tokenHash));
  const rows = opts.forUpdate ? await query.for('update') : await query;
  const row = rows[0];
  return row ? { ...row, origin: row.origin as TokenOrigin } : null;
}

/** How many links of this origin were made for the user since `since` (the per-person cap). */
export async function countTokensSince(
  db: DbOrTx,
  userId: number,
  origin: TokenOrigin,
  since: Date,
): Promise<number> {
  const rows = await db
    .select({ n: count() })
    .from(passwordTokens)
    .where(
      and(
        eq(passwordTokens.userId, userId),
        eq(passwordTokens.origin, origin),
        gt(passwordTokens.createdAt, since),
      ),
    );
  return Number(rows[0]?.n ?? 0);
}

/** Marks every unused token of the user as used at `at`: after a new password, no older link works. */
export async function useAllOpenTokens(db: DbOrTx, userId: number, at: Date): Promise<void> {
  await db
    .update(passwordTokens)
    .set({ usedAt: at })
    .where(and(eq(passwordTokens.userId, userId), isNull(passwordTokens.usedAt)));
}

export interface PasswordAccount {
  id: number;
  email: string;
  displayName: string;
  passwordHash: string | null;
  disabled: boolean;
}

const accountColumns = {
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  passwordHash: users.passwordHash,
  disabled: users.disabled,
};

export async function findAccountById(db: DbOrTx, id: number): Promise<PasswordAccount | null> {
  const rows = await db.select(accountColumns).from(users).where(eq(users.id, id));
  return rows[0] ?? null;
}

/** What HR sees of an account: never the hash, only whether there is one. */
export function accountView(account: PasswordAccount): {
  email: string;
  disabled: boolean;
  hasPassword: boolean;
} {
  return { email: account.email, disabled: account.disabled, hasPassword: account.passwordHash !== null };
}

/** The user account linked to an employee, if any. */
export async function findAccountOfEmployee(db: DbOrTx, employeeId: number): Promise<PasswordAccount | null> {
  const rows = await db.select(accountColumns).from(users).where(eq(users.employeeId, employeeId));
  return rows[0] ?? null;
}

export async function setPasswordHash(
  db: DbOrTx,
  userId: number,
  passwordHash: string,
  at: Date,
): Promise<void> {
  await db.update(users).set({ passwordHash, updatedAt: at }).where(eq(users.id, userId));
}

/**
 * Ends the user's sessions (in every app instance, since sessions live in the database), except
 * `keepSid`: after a new password, a browser logged in with the old one is logged out.
 */
export async function deleteSessionsOfUser(
  db: DbOrTx,
  userId: number,
  keepSid: string | null,
): Promise<void> {
  await db
    .delete(sessions)
    .where(
      and(
        sql`${sessions.sess} -> 'passport' ->> 'user' = ${String(userId)}`,
        keepSid === null ? sql`true` : sql`${sessions.sid} <> ${keepSid}`,
      ),
    );
}
