import { eq, sql } from 'drizzle-orm';
import { isTransaction, preparedPerDatabase, type Db, type DbOrTx } from './client';
import { dataVersions } from './schema';

/**
 * The data versions that triggers move on every committed change (migrations 0001 and 0007):
 * 'compliance' for what the compliance facts are made of, 'directory' for users, unit leaders,
 * the unit tree and the yearly reviews.
 */
export type DataVersionKey = 'compliance' | 'directory';

const versionQuery = preparedPerDatabase((db) =>
  db
    .select({ version: dataVersions.version })
    .from(dataVersions)
    .where(eq(dataVersions.key, sql.placeholder('key')))
    .prepare('kursvakt_data_version'),
);

export async function readDataVersion(db: DbOrTx, key: DataVersionKey): Promise<number> {
  // A transaction reads on its own connection, in its own snapshot.
  const rows = isTransaction(db)
    ? await db.select({ version: dataVersions.version }).from(dataVersions).where(eq(dataVersions.key, key))
    : await versionQuery(db).execute({ key });
  return rows[0]?.version ?? 0;
}

export type DataVersions = Record<DataVersionKey, number>;

const allVersionsQuery = preparedPerDatabase((db) =>
  db
    .select({ key: dataVersions.key, version: dataVersions.version })
    .from(dataVersions)
    .prepare('kursvakt_data_versions'),
);

/** Both versions in one query (outside a transaction). */
export async function readDataVersions(db: Db): Promise<DataVersions> {
  const versions: DataVersions = { compliance: 0, directory: 0 };
  for (const row of await allVersionsQuery(db).execute())
    if (row.key === 'compliance' || row.key === 'directory') versions[row.key] = row.version;
  return versions;
}
