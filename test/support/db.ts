import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/db/client';

/**
 * A fresh database for one test file: PGlite in memory by default, or a new schema on the
 * PostgreSQL server named by TEST_DATABASE_URL (dropped again on close).
 */
export async function createTestDatabase(): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return openDatabase({ dataDir: 'memory://' });
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const database = await openDatabase({ dataDir: '', databaseUrl: url, schema });
  const close = database.close.bind(database);
  return {
    ...database,
    async close() {
      await database.db.execute(`drop schema if exists "${schema}" cascade` as never).catch(() => undefined);
      await close();
    },
  };
}
