import { desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { courses, courseVersions } from '../../db/schema';
import { NotFoundError } from '../../lib/errors';

/** A course with its newest playable version, if any package has been installed. */
export async function getCourseOverview(db: Db, slug: string) {
  const [course] = await db.select().from(courses).where(eq(courses.slug, slug));
  if (!course) throw new NotFoundError('Kurset finnes ikke.');
  const versions = await db
    .select({
      id: courseVersions.id,
      version: courseVersions.version,
      scormVersion: courseVersions.scormVersion,
    })
    .from(courseVersions)
    .where(eq(courseVersions.courseId, course.id))
    .orderBy(desc(courseVersions.version));
  const playable = versions.find((v) => v.scormVersion !== null) ?? null;
  return { course, playable };
}
