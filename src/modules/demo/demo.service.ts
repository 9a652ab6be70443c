import { count, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client';
import {
  completions,
  courses,
  employees,
  exemptions,
  orgUnits,
  requirements,
  reviewTopics,
  unitLeaders,
  unitReviews,
  users,
} from '../../db/schema';
import { hashPassword } from '../../http/auth';
import type { LocalDate } from '../../lib/dates';
import { AppError } from '../../lib/errors';
import { recordAudit } from '../audit/audit.repo';
import { recomputeUnitPaths } from '../org/org.repo';
import { DEMO_COURSES, DEMO_REVIEW_TOPICS, generateDemoData } from './demo-data';
import { insertDefaultSchedules } from '../reminders/default-schedules';
import { monthEndsUpTo, previousMonthEnd, takeMonthlySnapshots } from '../yearly-report/snapshots.service';

export const DEMO_PASSWORD = 'Kursvakt-demo-2026';

export interface DemoLogin {
  role: string;
  email: string;
  description: string;
}

export interface DemoResult {
  units: number;
  employees: number;
  completions: number;
  logins: DemoLogin[];
  password: string;
}

/** True when the database has no units and no employees (nothing to overwrite). */
export async function isDatabaseEmpty(db: Db): Promise<boolean> {
  const [u] = await db.select({ n: count() }).from(orgUnits);
  const [e] = await db.select({ n: count() }).from(employees);
  return Number(u?.n ?? 0) === 0 && Number(e?.n ?? 0) === 0;
}

async function insertChunked<T>(
  rows: T[],
  size: number,
  insert: (chunk: T[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/** Ensures the three built-in courses and their requirements exist (no package yet; the course build adds versions). */
export async function ensureBuiltinCoursesAndRequirements(tx: Tx | Db): Promise<Map<string, number>> {
  const courseIds = new Map<string, number>();
  for (const c of DEMO_COURSES) {
    const inserted = await tx
      .insert(courses)
      .values({ slug: c.slug, title: c.title, description: c.description, builtin: true })
      .onConflictDoNothing()
      .returning({ id: courses.id });
    const id =
      inserted[0]?.id ??
      (
        await tx
          .select({ id: courses.id })
          .from(courses)
          .where(sql`${courses.slug} = ${c.slug}`)
      )[0]!.id;
    courseIds.set(c.slug, id);
    const existing = await tx
      .select({ id: requirements.id })
      .from(requirements)
      .where(sql`${requirements.courseId} = ${id}`);
    if (existing.length === 0) {
      await tx.insert(requirements).values({
        courseId: id,
        name: c.requirement,
        audienceAll: true,
        firstDeadline: '2023-12-31',
        renewalMode: 'cycle',
        renewalMonths: 24,
        newHireMonths: 12,
        dueSoonDays: 30,
      });
    }
  }
  return courseIds;
}

/** Loads the fictional Eksempel kommune into an empty database in one transaction. */
export async function loadDemo(db: Db, today: LocalDate): Promise<DemoResult> {
  if (!(await isDatabaseEmpty(db))) {
    throw new AppError(
      'not_empty',
      409,
      'Databasen har allerede enheter eller ansatte. Demodata lastes bare inn i en tom database.',
    );
  }
  const data = generateDemoData(today);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (tx) => {
    const unitIds = new Map<string, number>();
    for (const unit of data.units) {
      const [row] = await tx
        .insert(orgUnits)
        .values({
          code: unit.code,
          name: unit.name,
          kind: unit.kind,
          parentId: unit.parentCode ? unitIds.get(unit.parentCode)! : null,
        })
        .returning({ id: orgUnits.id });
      unitIds.set(unit.code, row!.id);
    }
    await recomputeUnitPaths(tx);

    const employeeIds = new Map<string, number>();
    await insertChunked(data.employees, 500, async (chunk) => {
      const rows = await tx
        .insert(employees)
        .values(
          chunk.map((e) => ({
            employeeNumber: e.employeeNumber,
            firstName: e.firstName,
            lastName: e.lastName,
            email: e.email,
            unitId: e.unitCode ? unitIds.get(e.unitCode)! : null,
            title: e.title,
            roleTags: e.roleTags,
            hireDate: e.hireDate,
            endDate: e.endDate,
          })),
        )
        .returning({ id: employees.id, employeeNumber: employees.employeeNumber });
      for (const r of rows) employeeIds.set(r.employeeNumber, r.id);
    });

    // Every employee with an e-mail gets a login; the demo shares one password.
    const userIds = new Map<string, number>();
    await insertChunked(
      data.employees.filter((e) => e.email),
      500,
      async (chunk) => {
        const rows = await tx
          .insert(users)
          .values(
            chunk.map((e) => ({
              email: e.email!.toLowerCase(),
              displayName: `${e.firstName} ${e.lastName}`,
              passwordHash,
              employeeId: employeeIds.get(e.employeeNumber)!,
            })),
          )
          .returning({ id: users.id, employeeId: users.employeeId });
        const byEmployee = new Map(chunk.map((e) => [employeeIds.get(e.employeeNumber)!, e.employeeNumber]));
        for (const r of rows) userIds.set(byEmployee.get(r.employeeId!)!, r.id);
      },
    );
    for (const leader of data.leaders) {
      for (const code of leader.unitCodes) {
        await tx
          .insert(unitLeaders)
          .values({ unitId: unitIds.get(code)!, userId: userIds.get(leader.employeeNumber)! });
      }
    }
    const [admin] = await tx
      .insert(users)
      .values({ email: data.admin.email, displayName: data.admin.name, passwordHash, isAdmin: true })
      .returning({ id: users.id });

    const courseIds = await ensureBuiltinCoursesAndRequirements(tx);
    await insertChunked(data.completions, 1000, (chunk) =>
      tx.insert(completions).values(
        chunk.map((c) => ({
          employeeId: employeeIds.get(c.employeeNumber)!,
          courseId: courseIds.get(c.courseSlug)!,
          completedOn: c.completedOn,
          source: c.source,
          reason: c.reason,
          recordedBy: c.source === 'manual' ? admin!.id : null,
        })),
      ),
    );
    const requirementByCourse = new Map(
      (await tx.select({ id: requirements.id, courseId: requirements.courseId }).from(requirements)).map(
        (r) => [r.courseId, r.id],
      ),
    );
    for (const x of data.exemptions) {
      await tx.insert(exemptions).values({
        employeeId: employeeIds.get(x.employeeNumber)!,
        requirementId: requirementByCourse.get(courseIds.get(x.courseSlug)!)!,
        validFrom: x.validFrom,
        validUntil: x.validUntil,
        reason: x.reason,
        recordedBy: admin!.id,
      });
    }
    const topicIds: number[] = [];
    for (const title of DEMO_REVIEW_TOPICS) {
      const [row] = await tx
        .insert(reviewTopics)
        .values({ title, builtin: true })
        .returning({ id: reviewTopics.id });
      topicIds.push(row!.id);
    }
    if (data.reviews.length > 0) {
      await tx.insert(unitReviews).values(
        data.reviews.map((r) => ({
          unitId: unitIds.get(r.unitCode)!,
          topicId: topicIds[r.topic]!,
          reviewedOn: r.reviewedOn,
          participants: r.participants,
          note: r.note,
        })),
      );
    }
    // Weekly employee reminders, monthly leader digests, escalation after 30 days (HR can change them).
    await insertDefaultSchedules(tx, admin!.id);
    await recordAudit(tx, {
      actorUserId: admin!.id,
      action: 'demo_loaded',
      entity: 'system',
      details: {
        units: data.units.length,
        employees: data.employees.length,
        completions: data.completions.length,
      },
    });
  });

  // Two years of monthly snapshots, so the trend chart and last year's report have history.
  await takeMonthlySnapshots(db, monthEndsUpTo(previousMonthEnd(today), 24));

  const nameOf = (employeeNumber: string) => {
    const e = data.employees.find((x) => x.employeeNumber === employeeNumber)!;
    return { email: e.email!, name: `${e.firstName} ${e.lastName}`, title: e.title };
  };
  const leaderLogins: DemoLogin[] = data.leaders.slice(0, 6).map((l) => {
    const p = nameOf(l.employeeNumber);
    return {
      role: 'Leder',
      email: p.email,
      description: `${p.title}, ${l.unitCodes.map((c) => data.units.find((u) => u.code === c)!.name).join(' og ')}`,
    };
  });
  return {
    units: data.units.length,
    employees: data.employees.length,
    completions: data.completions.length,
    password: DEMO_PASSWORD,
    logins: [
      { role: 'HR (administrator)', email: data.admin.email, description: 'ser hele kommunen' },
      ...leaderLogins,
      { role: 'Ansatt', email: data.sampleEmployeeEmail, description: 'nyansatt lærer på Solbakken skole' },
    ],
  };
}
