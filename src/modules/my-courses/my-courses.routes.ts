import { Router } from 'express';
import type { AppContext } from '../../app';
import { requireLogin } from '../../http/auth';
import { getCourseOverview } from './course-page.service';
import { isCourseDue, listMyCourses } from './my-courses.service';
import { listCertificateLinks } from '../certificates/certificates.service';
import { listPlayerEntries } from '../scorm/scorm.service';

/** "Mine kurs": the logged-in employee's required courses. */
export function createMyCoursesRouter(context: AppContext): Router {
  const router = Router();
  router.get('/mine-kurs', requireLogin, async (req, res) => {
    const employeeId = req.user!.employeeId;
    const courses = employeeId ? await listMyCourses(context.database.db, employeeId, context.now()) : [];
    const certificates = employeeId ? await listCertificateLinks(context.database.db, employeeId) : new Map();
    const playerEntries = await listPlayerEntries(
      context.database.db,
      req.user!.id,
      courses.map((c) => ({ courseId: c.courseId, renewalDue: isCourseDue(courses, c.courseId) })),
    );
    res.render('my-courses/index', {
      title: 'Mine kurs',
      courses,
      certificates,
      playerEntries,
      isEmployee: employeeId !== null,
    });
  });
  router.get('/kurs/:slug', requireLogin, async (req, res) => {
    const db = context.database.db;
    const overview = await getCourseOverview(db, String(req.params.slug));
    // The same button as on "Mine kurs": start, resume a suspended attempt, or review a completed one.
    const employeeId = req.user!.employeeId;
    const courses = employeeId ? await listMyCourses(db, employeeId, context.now()) : [];
    const courseId = overview.course.id;
    const entries = await listPlayerEntries(db, req.user!.id, [
      { courseId, renewalDue: isCourseDue(courses, courseId) },
    ]);
    res.render('my-courses/course', {
      title: overview.course.title,
      ...overview,
      entry: entries.get(courseId) ?? 'start',
      // The person's own requirement for the course, if the course is required of them.
      mine: courses.find((c) => c.courseId === courseId) ?? null,
    });
  });
  return router;
}
