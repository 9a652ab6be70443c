import { Router, type RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type passport from 'passport';
import type { AppContext } from '../../app';
import type { SessionUser } from '../../http/auth';
import { QUARTER_HOUR_MS, rateLimiter, TOO_MANY_TRIES } from '../../http/rate-limit';
import { AppError, ValidationError } from '../../lib/errors';
import { parseInput } from '../../lib/validation';
import { firstAdminSchema, loginSchema } from './auth.schema';
import { createFirstAdmin, hasAdmin } from './auth.service';
import { recordLogin } from './users.repo';

const FIRST_RUN_PATH = '/forste-oppstart';

/** Until an administrator exists, every page leads to the first-run page. */
export function firstRunGuard(context: AppContext): RequestHandler {
  let setUp = false;
  return async (req, res, next) => {
    if (setUp) return next();
    setUp = await hasAdmin(context.database.db);
    if (setUp || req.path === FIRST_RUN_PATH) return next();
    res.redirect(FIRST_RUN_PATH);
  };
}

/** A safe local redirect target from the `neste` parameter. */
function nextTarget(value: unknown): string {
  if (
    typeof value === 'string' &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.startsWith('/\\')
  ) {
    return value;
  }
  return '/';
}

export function createAuthRouter(context: AppContext, pp: passport.PassportStatic): Router {
  const router = Router();
  const db = context.database.db;

  const loginLimiter = rateLimiter({
    windowMs: QUARTER_HOUR_MS,
    limit: 10,
    skipSuccessfulRequests: true,
    keyGenerator: (req) => {
      const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
      return `${ipKeyGenerator(req.ip ?? '')}|${email}`;
    },
    handler: (req, res) => {
      res.status(429).render('auth/login', {
        title: 'Logg inn',
        error: TOO_MANY_TRIES,
        email: typeof req.body?.email === 'string' ? req.body.email : '',
        next: nextTarget(req.body?.neste),
      });
    },
  });

  router.get('/logg-inn', (req, res) => {
    if (req.user) return res.redirect('/');
    res.render('auth/login', {
      title: 'Logg inn',
      error: null,
      notice:
        req.query.passord === 'satt'
          ? 'Passordet er satt. Nå kan du logge inn med det.'
          : req.query.opprettet === '1'
            ? 'Administratoren er opprettet. Logg inn med e-postadressen og passordet du valgte.'
            : null,
      email: '',
      next: nextTarget(req.query.neste),
    });
  });

  router.post('/logg-inn', loginLimiter, (req, res, next) => {
    const target = nextTarget(req.body?.neste);
    const renderError = (status: number, error: string) =>
      res.status(status).render('auth/login', {
        title: 'Logg inn',
        error,
        email: String(req.body?.email ?? ''),
        next: target,
      });
    try {
      parseInput(loginSchema, req.body);
    } catch (error) {
      if (error instanceof ValidationError)
        return renderError(400, Object.values(error.fieldErrors)[0] ?? error.message);
      throw error;
    }
    pp.authenticate('local', (error: unknown, user: SessionUser | false) => {
      if (error) return next(error);
      if (!user) return renderError(401, 'Feil e-postadresse eller passord.');
      // A new session id at login prevents session fixation.
      req.session.regenerate((regenerateError) => {
        if (regenerateError) return next(regenerateError);
        req.logIn(user, (loginError) => {
          if (loginError) return next(loginError);
          recordLogin(db, user.id)
            .then(() => req.session.save(() => res.redirect(target)))
            .catch(next);
        });
      });
    })(req, res, next);
  });

  router.post('/logg-ut', (req, res, next) => {
    req.logout((error) => {
      if (error) return next(error);
      req.session.destroy(() => {
        res.clearCookie('kursvakt.sid');
        res.redirect('/logg-inn');
      });
    });
  });

  router.get(FIRST_RUN_PATH, async (req, res) => {
    if (await hasAdmin(db)) return res.redirect('/logg-inn');
    res.render('auth/first-run', { title: 'Første oppstart', errors: {}, values: {} });
  });

  router.post(FIRST_RUN_PATH, async (req, res, next) => {
    const values = { name: String(req.body?.name ?? ''), email: String(req.body?.email ?? '') };
    try {
      const input = parseInput(firstAdminSchema, req.body);
      await createFirstAdmin(db, input);
      res.redirect('/logg-inn?opprettet=1');
    } catch (error) {
      if (error instanceof ValidationError) {
        return res
          .status(400)
          .render('auth/first-run', { title: 'Første oppstart', errors: error.fieldErrors, values });
      }
      if (error instanceof AppError && error.code === 'already_set_up') return res.redirect('/logg-inn');
      next(error);
    }
  });

  return router;
}
