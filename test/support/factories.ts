import type { Db } from '../../src/db/client';
import {
  completions,
  courses,
  employees,
  exemptions,
  orgUnits,
  requirementUnits,
  requirements,
  unitLeaders,
  users,
} from '../../src/db/schema';
import { hashPassword } from '../../src/http/auth';
import { recomputeUnitPaths } from '../../src/modules/org/org.repo';

/** Test data factories: each creates real rows and returns their ids. */

export const TEST_PASSWORD = 'riktig-hest-batteri-stift';
let cachedHash: Promise<string> | undefined;
const passwordHash = () => (cachedHash ??= hashPassword(TEST_PASSWORD));

let counter = 0;
const next = () => ++counter;

export async function createUnit(
  db: Db,
  values: { code?: string; name?: string; parentId?: number | null; kind?: string } = {},
) {
  const n = next();
  const [row] = await db
    .insert(orgUnits)
    .values({
      code: values.code ?? `U${n}`,
      name: values.name ?? `Enhet ${n}`,
      parentId: values.parentId ?? null,
      kind: values.kind ?? 'virksomhet',
    })
    .returning();
  await recomputeUnitPaths(db);
  return row!;
}

export async function createEmployee(
  db: Db,
  values: Partial<typeof employees.$inferInsert> & { unitId: number | null },
) {
  const n = next();
  const [row] = await db
    .insert(employees)
    .values({
      employeeNumber: `E${n}`,
      firstName: `Fornavn${n}`,
      lastName: `Etternavn${n}`,
      email: `ansatt${n}@test.kommune.no`,
      hireDate: '2015-05-01',
      ...values,
    })
    .returning();
  return row!;
}

export async function createUser(
  db: Db,
  values: {
    email?: string;
    displayName?: string;
    isAdmin?: boolean;
    employeeId?: number | null;
    leads?: number[];
  } = {},
) {
  const n = next();
  const [row] = await db
    .insert(users)
    .values({
      email: (values.email ?? `bruker${n}@test.kommune.no`).toLowerCase(),
      displayName: values.displayName ?? `Bruker ${n}`,
      passwordHash: await passwordHash(),
      isAdmin: values.isAdmin ?? false,
      employeeId: values.employeeId ?? null,
    })
    .returning();
  for (const unitId of values.leads ?? []) await db.insert(unitLeaders).values({ unitId, userId: row!.id });
  return row!;
}

export async function createCourseWithRequirement(
  db: Db,
  values: { slug?: string; title?: string; unitIds?: number[]; roleTags?: string[] } & Partial<
    typeof requirements.$inferInsert
  > = {},
) {
  const n = next();
  const [course] = await db
    .insert(courses)
    .values({ slug: values.slug ?? `kurs-${n}`, title: values.title ?? `Kurs ${n}` })
    .returning();
  const [requirement] = await db
    .insert(requirements)
    .values({
      courseId: course!.id,
      name: `Krav ${n}`,
      audienceAll: !values.unitIds?.length,
      audienceRoleTags: values.roleTags ?? [],
      firstDeadline: values.firstDeadline ?? '2023-12-31',
      renewalMode: values.renewalMode ?? 'cycle',
      renewalMonths: values.renewalMonths ?? 24,
      newHireMonths: values.newHireMonths ?? 12,
      dueSoonDays: values.dueSoonDays ?? 30,
    })
    .returning();
  for (const unitId of values.unitIds ?? [])
    await db.insert(requirementUnits).values({ requirementId: requirement!.id, unitId });
  return { course: course!, requirement: requirement! };
}

export async function createCompletion(db: Db, values: typeof completions.$inferInsert) {
  const [row] = await db.insert(completions).values(values).returning();
  return row!;
}

export async function createExemption(db: Db, values: typeof exemptions.$inferInsert) {
  const [row] = await db.insert(exemptions).values(values).returning();
  return row!;
}
