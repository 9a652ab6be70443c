import type { Db } from '../../../src/db/client';
import { reminderSchedules } from '../../../src/db/schema';
import {
  createCompletion,
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
} from '../../support/factories';

/**
 * A small municipality for reminder tests: a sector with two schools, a leader for each school and
 * one for the sector. On 2026-11-23 (a Monday):
 * - requirement «Meldeplikt» (deadline 2026-12-15) is due soon for everyone without a completion;
 * - requirement «Taushetsplikt» (deadline 2026-09-01) is overdue (83 days) for everyone without one.
 */
export async function seedReminderWorld(db: Db) {
  const kommune = await createUnit(db, { name: 'Testkommune', kind: 'kommune' });
  const sektor = await createUnit(db, { name: 'Oppvekst', parentId: kommune.id, kind: 'sektor' });
  const skoleA = await createUnit(db, { name: 'Åsen skole', parentId: sektor.id });
  const skoleB = await createUnit(db, { name: 'Bakken skole', parentId: sektor.id });
  const leaderA = await createUser(db, {
    email: 'leder.a@test.kommune.no',
    displayName: 'Leder Åsen',
    leads: [skoleA.id],
  });
  const leaderB = await createUser(db, {
    email: 'leder.b@test.kommune.no',
    displayName: 'Leder Bakken',
    leads: [skoleB.id],
  });
  const sectorLeader = await createUser(db, {
    email: 'sjef@test.kommune.no',
    displayName: 'Sjef Oppvekst',
    leads: [sektor.id],
  });
  const admin = await createUser(db, { email: 'hr@test.kommune.no', displayName: 'HR', isAdmin: true });
  const soon = await createCourseWithRequirement(db, {
    slug: 'meldeplikt',
    title: 'Meldeplikt',
    firstDeadline: '2026-12-15',
  });
  const late = await createCourseWithRequirement(db, {
    slug: 'taushetsplikt',
    title: 'Taushetsplikt',
    firstDeadline: '2026-09-01',
  });
  const anna = await createEmployee(db, {
    unitId: skoleA.id,
    firstName: 'Anna',
    lastName: 'Aasen',
    email: 'anna@test.kommune.no',
  });
  const arne = await createEmployee(db, {
    unitId: skoleA.id,
    firstName: 'Arne',
    lastName: 'Aune',
    email: 'arne@test.kommune.no',
  });
  const berit = await createEmployee(db, {
    unitId: skoleB.id,
    firstName: 'Berit',
    lastName: 'Bakke',
    email: 'berit@test.kommune.no',
  });
  // Arne has done both courses: nothing to remind him of.
  await createCompletion(db, {
    employeeId: arne.id,
    courseId: soon.course.id,
    completedOn: '2026-10-01',
    source: 'manual',
  });
  await createCompletion(db, {
    employeeId: arne.id,
    courseId: late.course.id,
    completedOn: '2026-08-01',
    source: 'manual',
  });
  return {
    kommune,
    sektor,
    skoleA,
    skoleB,
    leaderA,
    leaderB,
    sectorLeader,
    admin,
    soon,
    late,
    anna,
    arne,
    berit,
  };
}

export async function createSchedule(db: Db, values: Partial<typeof reminderSchedules.$inferInsert> = {}) {
  const [row] = await db
    .insert(reminderSchedules)
    .values({
      name: 'Alle påminnelser',
      cron: '0 7 * * 1',
      kinds: ['employee_due_soon', 'employee_due_today', 'employee_overdue', 'leader_digest', 'escalation'],
      options: { allowWeekends: true, allowHolidays: true, windowStart: '00:00', windowEnd: '23:59' },
      ...values,
    })
    .returning();
  return row!;
}
