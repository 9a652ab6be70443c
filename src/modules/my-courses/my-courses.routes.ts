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
    const overview = await getCourseOverview(context.database.db, String(req.params.slug));
    res.render('my-courses/course', { title: overview.course.title, ...overview });
  });
  return router;
}
