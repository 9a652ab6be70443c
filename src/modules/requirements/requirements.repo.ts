import { asc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { courses, orgUnits, requirementUnits, requirements } from '../../db/schema';
import type { RequirementInput } from './requirements.schema';

/** All SQL of the requirement editor (reading requirements for the engine is in compliance.repo). */

export async function listCourses(db: DbOrTx): Promise<Array<{ id: number; slug: string; title: string }>> {
  return db
    .select({ id: courses.id, slug: courses.slug, title: courses.title })
    .from(courses)
    .orderBy(asc(courses.title));
}

export async function listUnitChoices(
  db: DbOrTx,
): Promise<Array<{ id: number; code: string; name: string; path: string }>> {
  return db
    .select({ id: orgUnits.id, code: orgUnits.code, name: orgUnits.name, path: orgUnits.path })
    .from(orgUnits)
    .orderBy(asc(orgUnits.path));
}

export async function findUnitsByCodes(
  db: DbOrTx,
  codes: string[],
): Promise<Array<{ id: number; code: string; path: string }>> {
  if (codes.length === 0) return [];
  return db
    .select({ id: orgUnits.id, code: orgUnits.code, path: orgUnits.path })
    .from(orgUnits)
    .where(inArray(orgUnits.code, codes));
}

export async function findUnitsByIds(
  db: DbOrTx,
  ids: number[],
): Promise<Array<{ id: number; code: string; path: string }>> {
  if (ids.length === 0) return [];
  return db
    .select({ id: orgUnits.id, code: orgUnits.code, path: orgUnits.path })
    .from(orgUnits)
    .where(inArray(orgUnits.id, ids));
}

function columns(input: RequirementInput) {
  return {
    courseId: input.courseId,
    name: input.name,
    audienceAll: input.audience === 'all',
    audienceRoleTags: input.roleTags,
    firstDeadline: input.firstDeadline,
    renewalMode: input.renewalMode,
    renewalMonths: input.renewalMonths,
    newHireMonths: input.newHireMonths,
    dueSoonDays: input.dueSoonDays,
    active: input.active,
  };
}

/** Inserts or updates a requirement and sets its audience units; returns its id. */
export async function saveRequirementRow(
  db: DbOrTx,
  id: number | null,
  input: RequirementInput,
): Promise<number> {
  let requirementId = id;
  if (requirementId === null) {
    const [row] = await db.insert(requirements).values(columns(input)).returning({ id: requirements.id });
    requirementId = row!.id;
  } else {
    await db
      .update(requirements)
      .set({ ...columns(input), updatedAt: new Date() })
      .where(eq(requirements.id, requirementId));
    await db.delete(requirementUnits).where(eq(requirementUnits.requirementId, requirementId));
  }
  const unitIds = input.audience === 'units' ? input.unitIds : [];
  if (unitIds.length > 0)
    await db
      .insert(requirementUnits)
      .values(unitIds.map((unitId) => ({ requirementId: requirementId!, unitId })));
  return requirementId;
}
