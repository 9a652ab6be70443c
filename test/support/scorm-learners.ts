import type { Db } from '../../src/db/client';
import { importScormPackage } from '../../src/modules/courses/courses.service';
import { prepareLaunch } from '../../src/modules/scorm/scorm.service';
import { scorm12Zip } from '../fixtures/scorm/packages';
import { sequenceBaseOf } from '../http/scorm/scorm-fixture';
import { createCourseWithRequirement, createEmployee, createUnit, createUser } from './factories';

/**
 * A course with the SCORM 1.2 fixture package and `count` employees who have each launched it:
 * each launch's signed token, attempt and sequence base, in order (the commit writer's and the
 * crash test, and the SCORM benchmark).
 */
export async function launchLearners(
  db: Db,
  options: { slug: string; dataDir: string; count: number; now: Date; secret: string },
): Promise<Array<{ token: string; attemptId: number; base: number }>> {
  const { course } = await createCourseWithRequirement(db, {
    slug: options.slug,
    firstDeadline: '2099-12-31',
  });
  await importScormPackage(db, {
    dataDir: options.dataDir,
    courseSlug: course.slug,
    buffer: await scorm12Zip(),
  });
  const unit = await createUnit(db);
  const launches: Array<{ token: string; attemptId: number; base: number }> = [];
  for (let i = 0; i < options.count; i += 1) {
    const employee = await createEmployee(db, { unitId: unit.id });
    const user = await createUser(db, { employeeId: employee.id });
    const plan = await prepareLaunch(db, {
      learner: { id: user.id, employeeId: employee.id },
      slug: course.slug,
      now: options.now,
      secret: options.secret,
    });
    if (plan.kind !== 'play') throw new Error(`expected a launch, got ${plan.kind}`);
    launches.push({ token: plan.token, attemptId: plan.attemptId, base: sequenceBaseOf(plan.token) });
  }
  return launches;
}
