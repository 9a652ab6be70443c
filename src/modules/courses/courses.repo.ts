import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { courses, courseVersions } from '../../db/schema';

/** All SQL of the courses feature: courses and their package versions. */

export type CourseRow = typeof courses.$inferSelect;
export type CourseVersionRow = typeof courseVersions.$inferSelect;

export async function findCourseBySlug(db: DbOrTx, slug: string): Promise<CourseRow | null> {
  const [row] = await db.select().from(courses).where(eq(courses.slug, slug));
  return row ?? null;
}

export async function findCourseById(db: DbOrTx, id: number): Promise<CourseRow | null> {
  const [row] = await db.select().from(courses).where(eq(courses.id, id));
  return row ?? null;
}

/** Locks the course row until the transaction ends, so two imports cannot take the same version number. */
export async function lockCourse(tx: DbOrTx, id: number): Promise<void> {
  await tx.execute(sql`select id from courses where id = ${id} for update`);
}

export async function insertCourse(
  db: DbOrTx,
  values: { slug: string; title: string; description?: string; builtin?: boolean },
): Promise<CourseRow> {
  const [row] = await db
    .insert(courses)
    .values({
      slug: values.slug,
      title: values.title,
      description: values.description ?? '',
      builtin: values.builtin ?? false,
    })
    .returning();
  return row!;
}

/** The course with this slug, created if missing; `created` says which. Safe against a concurrent insert. */
export async function findOrCreateCourse(
  db: DbOrTx,
  values: { slug: string; title: string; builtin?: boolean },
): Promise<{ course: CourseRow; created: boolean }> {
  const [inserted] = await db
    .insert(courses)
    .values({ slug: values.slug, title: values.title, builtin: values.builtin ?? false })
    .onConflictDoNothing({ target: courses.slug })
    .returning();
  if (inserted) return { course: inserted, created: true };
  return { course: (await findCourseBySlug(db, values.slug))!, created: false };
}

export async function updateCourse(
  db: DbOrTx,
  id: number,
  values: Partial<Pick<CourseRow, 'title' | 'builtin'>>,
): Promise<void> {
  await db.update(courses).set(values).where(eq(courses.id, id));
}

export async function slugsStartingWith(db: DbOrTx, prefix: string): Promise<string[]> {
  const rows = await db
    .select({ slug: courses.slug })
    .from(courses)
    .where(sql`${courses.slug} like ${prefix.replace(/[\\%_]/g, '\\$&') + '%'}`);
  return rows.map((r) => r.slug);
}

/** The newest version of a course (by number), or null when it has none. */
export async function latestVersion(db: DbOrTx, courseId: number): Promise<CourseVersionRow | null> {
  const [row] = await db
    .select()
    .from(courseVersions)
    .where(eq(courseVersions.courseId, courseId))
    .orderBy(desc(courseVersions.version))
    .limit(1);
  return row ?? null;
}

/** A course whose newest version has this content hash (an identical package uploaded before). */
export async function findCourseWithLatestHash(
  db: DbOrTx,
  contentHash: string,
): Promise<{ courseId: number; versionId: number } | null> {
  const rows = await queryRows<{ course_id: number; id: number }>(
    db,
    sql`select v.course_id, v.id from course_versions v
        where v.content_hash = ${contentHash}
          and v.version = (select max(v2.version) from course_versions v2 where v2.course_id = v.course_id)
        order by v.course_id limit 1`,
  );
  const row = rows[0];
  return row ? { courseId: Number(row.course_id), versionId: Number(row.id) } : null;
}

export async function insertCourseVersion(
  db: DbOrTx,
  values: typeof courseVersions.$inferInsert,
): Promise<CourseVersionRow> {
  const [row] = await db.insert(courseVersions).values(values).returning();
  return row!;
}

export async function findCourseVersion(
  db: DbOrTx,
  courseId: number,
  version: number,
): Promise<CourseVersionRow | null> {
  const [row] = await db
    .select()
    .from(courseVersions)
    .where(and(eq(courseVersions.courseId, courseId), eq(courseVersions.version, version)));
  return row ?? null;
}

export async function listVersions(db: DbOrTx, courseId: number): Promise<CourseVersionRow[]> {
  return db
    .select()
    .from(courseVersions)
    .where(eq(courseVersions.courseId, courseId))
    .orderBy(desc(courseVersions.version));
}

export interface CourseListRow {
  id: number;
  slug: string;
  title: string;
  builtin: boolean;
  versions: number;
  latestVersion: number | null;
  scormVersion: string | null;
  /** The newest version's manifest; its SCO count is read from it. */
  manifest: unknown;
  latestAt: Date | null;
}

/** Every course with its version count and newest version, ordered by title. */
export async function listCoursesWithLatest(db: DbOrTx): Promise<CourseListRow[]> {
  const all = await db.select().from(courses).orderBy(asc(courses.title), asc(courses.id));
  const counts = await queryRows<{ course_id: number; n: number | string }>(
    db,
    sql`select course_id, count(*) as n from course_versions group by course_id`,
  );
  const latest = await queryRows<{
    course_id: number;
    version: number;
    scorm_version: string | null;
    manifest: unknown;
    created_at: Date | string;
  }>(
    db,
    sql`select distinct on (course_id) course_id, version, scorm_version, manifest, created_at
        from course_versions order by course_id, version desc`,
  );
  const countBy = new Map(counts.map((r) => [Number(r.course_id), Number(r.n)]));
  const latestBy = new Map(latest.map((r) => [Number(r.course_id), r]));
  return all.map((c) => {
    const l = latestBy.get(c.id);
    return {
      id: c.id,
      slug: c.slug,
      title: c.title,
      builtin: c.builtin,
      versions: countBy.get(c.id) ?? 0,
      latestVersion: l ? Number(l.version) : null,
      scormVersion: l?.scorm_version ?? null,
      manifest: typeof l?.manifest === 'string' ? JSON.parse(l.manifest) : (l?.manifest ?? null),
      latestAt: l ? new Date(l.created_at) : null,
    };
  });
}
