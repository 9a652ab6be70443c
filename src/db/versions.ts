import { eq } from 'drizzle-orm';
import type { DbOrTx } from './client';
import { dataVersions } from './schema';

/**
 * The data versions that triggers move on every committed change (migrations 0001 and 0007):
 * 'compliance' for what the compliance facts are made of, 'directory' for users, unit leaders,
 * the unit tree and the yearly reviews.
 */
export type DataVersionKey = 'compliance' | 'directory';

export async function readDataVersion(db: DbOrTx, key: DataVersionKey): Promise<number> {
  const rows = await db
    .select({ version: dataVersions.version })
    .from(dataVersions)
    .where(eq(dataVersions.key, key));
  return rows[0]?.version ?? 0;
}
