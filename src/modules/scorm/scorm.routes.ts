import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { z } from 'zod';
import { MAX_DB_INT, dbId } from '../../lib/validation';
import type { AppContext } from '../../app';
import { requireAdmin, requireLogin } from '../../http/auth';
import { AppError, ValidationError } from '../../lib/errors';
import { errorFields, logger } from '../../lib/logger';
import { verifyLaunchToken } from './launch-token';
import {
  applyCommit,
  getAttemptDiagnostics,
  listAttemptsForAdmin,
  listCoursesWithVersions,
  MAX_COMMIT_BYTES,
  prepareLaunch,
  SCO_STATE_LABELS,
  waitForSequence,
} from './scorm.service';

const TOO_LARGE = 'Dataene fra kurset er for store (over 256 KB) og ble ikke lagret.';

/**
 * The commit API, called from the content origin by scorm-again. Mounted before the session, the
 * app's body parsers and CSRF: the signed token in the path is the only credential, so that a
 * beacon (no headers, no cookies) can deliver the final commit.
 */
export function createScormCommitRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;
  const contentOrigin = new URL(context.config.contentBaseUrl).origin;

  const cors: RequestHandler = (req, res, next) => {
    res.setHeader('Vary', 'Origin');
    if (req.headers.origin === contentOrigin) {
      res.setHeader('Access-Control-Allow-Origin', contentOrigin);
      res.setHeader('Access-Control-Allow-Methods', 'POST, GET');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    // A beacon is a no-cors request; its answer is never read, but it must not be blocked either.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', 'no-store');
    // Mounted before helmet (see app.ts): of its headers, only this one matters for a JSON answer.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  };
  router.use('/api/scorm', cors);
  router.options('/api/scorm/commit/:token', (_req, res) => {
    res.status(204).end();
  });
  router.options('/api/scorm/commit/:token/vent', (_req, res) => {
    res.status(204).end();
  });

  // JSON from XHR and text/plain from the beacon are both read as text and parsed by the service.
  const readBody = express.text({ type: () => true, limit: MAX_COMMIT_BYTES });

  router.post('/api/scorm/commit/:token', readBody, async (req, res) => {
    const token = verifyLaunchToken(context.config.sessionSecret, String(req.params.token), context.now());
    const result = await applyCommit(db, {
      token,
      body: typeof req.body === 'string' ? req.body : '',
      now: context.now(),
    });
    res.json({ result: true, errorCode: 0, outcome: result.outcome, completed: result.completed });
  });

  router.get('/api/scorm/commit/:token/vent', async (req, res) => {
    const token = verifyLaunchToken(context.config.sessionSecret, String(req.params.token), context.now());
    const sequence = z.coerce.number().int().nonnegative().max(MAX_DB_INT).safeParse(req.query.sekvens);
    if (!sequence.success) throw new ValidationError('Ugyldig løpenummer.');
    res.json({ saved: await waitForSequence(db, token, sequence.data) });
  });

  const onError: ErrorRequestHandler = (error, req, res, next) => {
    if (!req.path.startsWith('/api/scorm/')) return next(error);
    const err = error as { type?: string; status?: number };
    let status = 500;
    let code = 'internal';
    let message = 'Noe gikk galt da fremdriften skulle lagres. Prøv igjen.';
    if (err.type === 'entity.too.large') {
      status = 413;
      code = 'too_large';
      message = TOO_LARGE;
    } else if (error instanceof AppError) {
      status = error.status;
      code = error.code;
      message = error.message;
    } else {
      logger.error('SCORM commit failed', {
        url: req.originalUrl.replace(/commit\/[^/?]+/, 'commit/…'),
        ...errorFields(error),
      });
    }
    // scorm-again reads `result` and `errorCode` (101: general exception) from the answer.
    res.status(status).json({ result: false, errorCode: 101, error: code, message });
  };
  router.use(onError);
  return router;
}

const attemptFilterSchema = z.object({
  kurs: dbId().optional().catch(undefined),
  /** The ansattnummer from HR, as the attempt list shows it (not the database id). */
  ansatt: z
    .string()
    .trim()
    .max(100)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
});

/** The launch page (app origin) and HR's diagnostics of attempts. */
export function createScormRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;
  const { config } = context;

  router.get('/kurs/:slug/start', requireLogin, async (req, res) => {
    const del = typeof req.query.del === 'string' && req.query.del !== '' ? req.query.del : undefined;
    const plan = await prepareLaunch(db, {
      learner: { id: req.user!.id, employeeId: req.user!.employeeId },
      slug: String(req.params.slug),
      scoIdentifier: del,
      now: context.now(),
      secret: config.sessionSecret,
    });
    if (plan.kind === 'list') {
      res.render('scorm/sco-list', { title: plan.course.title, plan, stateLabels: SCO_STATE_LABELS });
      return;
    }
    res.render('scorm/launch', {
      title: plan.course.title,
      plan,
      playerUrl: `${config.contentBaseUrl}/spiller/${plan.token}`,
      contentOrigin: new URL(config.contentBaseUrl).origin,
      returnUrl: plan.multiSco ? `/kurs/${encodeURIComponent(plan.course.slug)}/start` : '/mine-kurs',
    });
  });

  router.get('/admin/scorm', requireAdmin, async (req, res) => {
    const filter = attemptFilterSchema.parse(req.query);
    const [{ attempts, employeeFound }, courseList] = await Promise.all([
      listAttemptsForAdmin(db, { courseId: filter.kurs, employeeNumber: filter.ansatt, limit: 200 }),
      listCoursesWithVersions(db),
    ]);
    res.render('scorm/admin-attempts', { title: 'Kursforsøk', attempts, employeeFound, courseList, filter });
  });

  router.get('/admin/scorm/forsok/:id', requireAdmin, async (req, res) => {
    const id = dbId().safeParse(req.params.id);
    if (!id.success) throw new ValidationError('Ugyldig forsøk.');
    const diagnostics = await getAttemptDiagnostics(db, id.data);
    res.render('scorm/admin-attempt', {
      title: `Forsøk ${id.data}`,
      ...diagnostics,
      pretty: (value: unknown) => JSON.stringify(value, null, 2),
    });
  });
  return router;
}
