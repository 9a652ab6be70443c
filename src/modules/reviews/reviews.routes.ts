import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app';
import { requireAdmin, requireLeaderOrAdmin } from '../../http/auth';
import { todayInOslo } from '../../lib/dates';
import { ValidationError } from '../../lib/errors';
import { dbId, parseInput } from '../../lib/validation';
import { leaderScopeOf, scopeKeyOf, type UnitScope } from '../org/unit-scope';
import { versionsOf } from '../../http/request-versions';
import { VersionedCache } from '../../lib/versioned-cache';
import { FIRST_REVIEW_YEAR, topicInputSchema, unitReviewInputSchema, yearSchema } from './reviews.schema';
import {
  buildReviewYear,
  changeTopic,
  createTopic,
  ensureBuiltinTopics,
  listTopicsForAdmin,
  listUnitsMissingReview,
  recordUnitReview,
  type MissingReview,
} from './reviews.service';

const idSchema = dbId();

/** /leder/gjennomganger (record and see the units' yearly reviews), /admin/gjennomganger (HR overview and topics). */
export function createReviewsRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;
  const today = () => todayInOslo(context.now());
  const currentYear = () => Number(today().slice(0, 4));

  function yearFrom(req: Request): number {
    if (req.query.ar === undefined || req.query.ar === '') return currentYear();
    const parsed = yearSchema.safeParse(req.query.ar);
    if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ugyldig år.');
    return parsed.data;
  }

  async function renderLeaderPage(
    res: Response,
    scope: UnitScope,
    year: number,
    form: { values: Record<string, unknown>; errors: Record<string, string>; saved: boolean },
    status = 200,
  ) {
    await ensureBuiltinTopics(db);
    const [reviewYear, missing] = await Promise.all([
      buildReviewYear(db, scope, year),
      listUnitsMissingReview(db, scope, year),
    ]);
    res.status(status).render('reviews/leader', {
      title: 'Årlige gjennomganger',
      reviewYear,
      missing,
      today: today(),
      firstReviewDate: `${FIRST_REVIEW_YEAR}-01-01`,
      currentYear: currentYear(),
      ...form,
    });
  }

  // The dashboards (/leder, /admin, owned by the dashboard feature) show the units without this year's
  // review through the reviews/missing-reviews partial; this router runs first and hands it the list.
  // Per year and scope, as of the directory version read in the request (decision 0007).
  const missingByScope = new VersionedCache<string, MissingReview[]>(1_000);
  router.get(['/leder', '/admin'], async (req, res, next) => {
    const user = req.user;
    const leaderPage = req.path === '/leder';
    if (!user || (leaderPage ? !user.isLeader : !user.isAdmin)) return next();
    await ensureBuiltinTopics(db);
    const year = currentYear();
    const scope: UnitScope = leaderPage ? leaderScopeOf(user) : { kind: 'all' };
    const key = `${year}|${scopeKeyOf(scope)}`;
    res.locals.missingReviews = {
      year,
      list: await missingByScope.getOrCompute(key, (await versionsOf(req, db)).directory, () =>
        listUnitsMissingReview(db, scope, year),
      ),
      link: leaderPage ? '/leder/gjennomganger' : '/admin/gjennomganger',
    };
    next();
  });

  router.get('/leder/gjennomganger', requireLeaderOrAdmin, async (req, res) => {
    await renderLeaderPage(res, leaderScopeOf(req.user!), yearFrom(req), {
      values: { reviewedOn: today() },
      errors: {},
      saved: req.query.lagret === '1',
    });
  });

  router.post('/leder/gjennomganger', requireLeaderOrAdmin, async (req, res) => {
    const scope = leaderScopeOf(req.user!);
    try {
      const input = parseInput(unitReviewInputSchema, req.body);
      await recordUnitReview(db, scope, req.user!.id, input, today());
      res.redirect(303, `/leder/gjennomganger?ar=${input.reviewedOn.slice(0, 4)}&lagret=1`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderLeaderPage(
        res,
        scope,
        currentYear(),
        { values: req.body ?? {}, errors: { _: error.message, ...error.fieldErrors }, saved: false },
        400,
      );
    }
  });

  router.get('/admin/gjennomganger', requireAdmin, async (req, res) => {
    await ensureBuiltinTopics(db);
    const year = yearFrom(req);
    const scope: UnitScope = { kind: 'all' };
    const [reviewYear, missing] = await Promise.all([
      buildReviewYear(db, scope, year),
      listUnitsMissingReview(db, scope, year),
    ]);
    res.render('reviews/overview', {
      title: 'Årlige gjennomganger i enhetene',
      reviewYear,
      missing,
      currentYear: currentYear(),
    });
  });

  /** A topic form sent back with errors: which topic, what HR typed and each field's message. */
  type TopicEdit = { id: number; values: Record<string, unknown>; errors: Record<string, string> };

  async function renderTopics(
    res: Response,
    form: {
      values: Record<string, unknown>;
      errors: Record<string, string>;
      saved: string | null;
      editing?: TopicEdit | null;
    },
    status = 200,
  ) {
    const topics = await listTopicsForAdmin(db);
    res.status(status).render('reviews/topics', {
      title: 'Temaer for årlig gjennomgang',
      topics,
      editing: null,
      ...form,
    });
  }

  router.get('/admin/gjennomganger/temaer', requireAdmin, async (req, res) => {
    const saved = typeof req.query.lagret === 'string' ? req.query.lagret : null;
    await renderTopics(res, { values: { timesPerYear: 1 }, errors: {}, saved });
  });

  router.post('/admin/gjennomganger/temaer', requireAdmin, async (req, res) => {
    try {
      const input = parseInput(topicInputSchema, { ...req.body, active: 'on' });
      await createTopic(db, req.user!.id, input);
      res.redirect(303, '/admin/gjennomganger/temaer?lagret=nytt');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderTopics(
        res,
        { values: req.body ?? {}, errors: { _: error.message, ...error.fieldErrors }, saved: null },
        400,
      );
    }
  });

  router.post('/admin/gjennomganger/temaer/:id', requireAdmin, async (req, res) => {
    const id = idSchema.safeParse(req.params.id);
    if (!id.success) throw new ValidationError('Ugyldig tema.');
    try {
      const input = parseInput(topicInputSchema, req.body);
      await changeTopic(db, req.user!.id, id.data, input);
      res.redirect(303, '/admin/gjennomganger/temaer?lagret=endret');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderTopics(
        res,
        {
          values: { timesPerYear: 1 },
          errors: { _: error.message },
          saved: null,
          editing: { id: id.data, values: req.body ?? {}, errors: error.fieldErrors },
        },
        400,
      );
    }
  });

  return router;
}
