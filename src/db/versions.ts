import { eq } from 'drizzle-orm';
import { isTransaction, preparedPerDatabase, unchangedReader, type Db, type DbOrTx } from './client';
import { dataVersions } from './schema';

/**
 * The data versions that triggers move on every committed change (migrations 0001 and 0007):
 * 'compliance' for what the compliance facts are made of, 'directory' for users, unit leaders,
 * the unit tree and the yearly reviews.
 */
export type DataVersionKey = 'compliance' | 'directory';

export async function readDataVersion(db: DbOrTx, key: DataVersionKey): Promise<number> {
  if (!isTransaction(db)) return (await readDataVersions(db))[key];
  // A transaction reads on its own connection, in its own snapshot.
  const rows = await db
    .select({ version: dataVersions.version })
    .from(dataVersions)
    .where(eq(dataVersions.key, key));
  return rows[0]?.version ?? 0;
}

export type DataVersions = Readonly<Record<DataVersionKey, number>>;

const allVersions = (db: Db) =>
  db.select({ key: dataVersions.key, version: dataVersions.version }).from(dataVersions);
const allVersionsQuery = preparedPerDatabase((db) => allVersions(db).prepare('kursvakt_data_versions'));
const unchangedVersions = unchangedReader<'all', DataVersions>((db) => [allVersions(db).toSQL().sql]);

/**
 * Both versions in one query (outside a transaction). On PGlite they come from memory while no
 * statement has run since they were read (see unchangedReader).
 */
export function readDataVersions(db: Db): Promise<DataVersions> {
  return unchangedVersions(db, 'all', async () => {
    const versions = { compliance: 0, directory: 0 };
    for (const row of await allVersionsQuery(db).execute())
      if (row.key === 'compliance' || row.key === 'directory') versions[row.key] = row.version;
    return Object.freeze(versions);
  });
}
