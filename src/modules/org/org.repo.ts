import { asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { orgUnits } from '../../db/schema';
import { unitScopeCondition, type UnitScope } from './unit-scope';

export interface UnitRecord {
  id: number;
  code: string;
  name: string;
  parentId: number | null;
  kind: string;
  path: string;
}

const unitColumns = {
  id: orgUnits.id,
  code: orgUnits.code,
  name: orgUnits.name,
  parentId: orgUnits.parentId,
  kind: orgUnits.kind,
  path: orgUnits.path,
};

/** Recomputes every unit's materialised path from the parent links (after inserts or moves). */
export async function recomputeUnitPaths(db: DbOrTx): Promise<void> {
  await db.execute(sql`
    with recursive tree(id, path) as (
      select id, '/' || id || '/' from org_units where parent_id is null
      union all
      select u.id, tree.path || u.id || '/' from org_units u join tree on u.parent_id = tree.id
    )
    update org_units o set path = tree.path from tree where o.id = tree.id and o.path <> tree.path`);
}

/** Units inside a scope, ordered by path so parents come before children. */
export async function listUnits(db: DbOrTx, scope: UnitScope): Promise<UnitRecord[]> {
  return db
    .select(unitColumns)
    .from(orgUnits)
    .where(unitScopeCondition(scope, orgUnits.path))
    .orderBy(asc(orgUnits.path));
}

export async function findUnitById(db: DbOrTx, id: number): Promise<UnitRecord | null> {
  const rows = await db.select(unitColumns).from(orgUnits).where(eq(orgUnits.id, id));
  return rows[0] ?? null;
}

export async function findUnitByCode(db: DbOrTx, code: string): Promise<UnitRecord | null> {
  const rows = await db.select(unitColumns).from(orgUnits).where(eq(orgUnits.code, code));
  return rows[0] ?? null;
}
