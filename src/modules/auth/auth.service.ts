import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { hashPassword } from '../../http/auth';
import { AppError } from '../../lib/errors';
import { recordAudit } from '../audit/audit.repo';
import type { FirstAdminInput } from './auth.schema';
import {
  countAdmins,
  findUserByEmail,
  insertUser,
  linkUsersToEmployeesByEmail,
  updateUser,
} from './users.repo';

/** True once an administrator exists; the first-run page is shown until then. */
export async function hasAdmin(db: Db): Promise<boolean> {
  return (await countAdmins(db)) > 0;
}

/** Creates the first administrator; refuses when one already exists (two browsers racing included). */
export async function createFirstAdmin(db: Db, input: FirstAdminInput): Promise<number> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    // Serialises concurrent first-run submissions.
    await tx.execute(sql`select pg_advisory_xact_lock(4711001)`);
    if ((await countAdmins(tx)) > 0) {
      throw new AppError('already_set_up', 409, 'Kursvakt er allerede satt opp. Logg inn.');
    }
    const id = await createOrPromoteAdmin(tx as unknown as Db, input.email, input.name, passwordHash);
    await recordAudit(tx, { actorUserId: id, action: 'first_admin_created', entity: 'user', entityId: id });
    return id;
  });
}

/** Creates an administrator, or makes an existing user (e.g. an imported employee) an administrator. */
export async function createOrPromoteAdmin(
  db: Db,
  email: string,
  name: string,
  passwordHash: string | null,
): Promise<number> {
  const existing = await findUserByEmail(db, email);
  let id: number;
  if (existing) {
    id = existing.id;
    await updateUser(db, id, { isAdmin: true, ...(passwordHash ? { passwordHash } : {}) });
  } else {
    id = await insertUser(db, { email, displayName: name, passwordHash, isAdmin: true });
  }
  await linkUsersToEmployeesByEmail(db);
  return id;
}
