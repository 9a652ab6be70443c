import { Router, type RequestHandler, type Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import type { AppContext } from '../../app';
import { requireAdmin, requireLogin } from '../../http/auth';
import { QUARTER_HOUR_MS, rateLimiter, TOO_MANY_TRIES } from '../../http/rate-limit';
import { ValidationError } from '../../lib/errors';
import { logger } from '../../lib/logger';
import { parseInput } from '../../lib/validation';
import { notifyOutboxChanged } from '../mail/sender';
import { accountView, findAccountOfEmployee } from './passwords.repo';
import {
  changePasswordSchema,
  forgotPasswordSchema,
  newPasswordSchema,
  tokenSchema,
} from './passwords.schema';
import {
  changePassword,
  checkPasswordToken,
  PasswordTokenError,
  requestPasswordLink,
  sendPasswordLinkToEmployee,
  setPasswordWithToken,
} from './passwords.service';

const FORGOT_PATH = '/glemt-passord';
const CHANGE_PATH = '/min-konto/passord';
const FORGOT_TITLE = 'Glemt passord eller sett passord';
const SET_TITLE = 'Sett passord';
const CHANGE_TITLE = 'Bytt passord';

const employeeIdSchema = z.coerce.number().int().positive().max(2_147_483_647);

/**
 * Pages with a token in the address or a password in the form: never cached (a shared computer's
 * back button must not show them), and no address sent on to another site.
 */
const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  res.set('Referrer-Policy', 'no-referrer');
  next();
};

const INVALID_LINK: Record<'unknown' | 'used' | 'expired', { status: number; message: string }> = {
  unknown: {
    status: 404,
    message:
      'Lenken er ikke gyldig. Kanskje ble bare en del av den kopiert, eller den er erstattet av en nyere lenke.',
  },
  used: {
    status: 410,
    message:
      'Lenken er allerede brukt, eller det er satt et nytt passord etter at den ble sendt. En lenke for å sette passord virker bare én gang.',
  },
  expired: { status: 410, message: 'Lenken har gått ut.' },
};

/**
 * «Glemt passord» and the one-time links (/glemt-passord, /sett-passord/:token), changing one's own
 * password (/min-konto/passord), and HR's «Send lenke for å sette passord» on the employee record.
 */
export function createPasswordsRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;
  const { baseUrl } = context.config;

  const renderForgot = (res: Response, status: number, opts: { error?: string; email?: string } = {}) =>
    res.status(status).render('passwords/forgot', {
      title: FORGOT_TITLE,
      errors: opts.error ? { email: opts.error } : {},
      email: opts.email ?? '',
    });

  const emailOf = (body: unknown) => {
    const email = (body as { email?: unknown } | undefined)?.email;
    return typeof email === 'string' ? email : '';
  };
  const tooMany = (req: Parameters<RequestHandler>[0], res: Response) =>
    renderForgot(res, 429, {
      error: 'Det er bedt om for mange lenker herfra. Vent et kvarter og prøv igjen.',
      email: emailOf(req.body),
    });
  // As /logg-inn: per address and e-mail; and per address alone, against asking for many accounts.
  const perAddressAndEmail = rateLimiter({
    windowMs: QUARTER_HOUR_MS,
    limit: 5,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${emailOf(req.body).trim().toLowerCase()}`,
    handler: tooMany,
  });
  const perAddress = rateLimiter({
    windowMs: QUARTER_HOUR_MS,
    limit: 20,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    handler: tooMany,
  });

  router.get(FORGOT_PATH, noStore, (_req, res) => renderForgot(res, 200));

  router.post(FORGOT_PATH, noStore, perAddress, perAddressAndEmail, async (req, res) => {
    let email: string;
    try {
      ({ email } = parseInput(forgotPasswordSchema, req.body));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderForgot(res, 400, {
        error: error.fieldErrors.email ?? error.message,
        email: emailOf(req.body),
      });
    }
    const outcome = await requestPasswordLink(db, { email, baseUrl, now: context.now() });
    if (outcome === 'queued') notifyOutboxChanged();
    else logger.debug('Ingen lenke for å sette passord ble sendt', { outcome });
    // The same page whatever the outcome: it must not tell which addresses have an account.
    res.render('passwords/forgot-sent', { title: FORGOT_TITLE });
  });

  const renderInvalidLink = (res: Response, state: 'unknown' | 'used' | 'expired') =>
    res.status(INVALID_LINK[state].status).render('passwords/link-invalid', {
      title: 'Lenken kan ikke brukes',
      message: INVALID_LINK[state].message,
    });

  router.get('/sett-passord/:token', noStore, async (req, res) => {
    const token = tokenSchema.safeParse(req.params.token);
    const check = token.success
      ? await checkPasswordToken(db, token.data, context.now())
      : ({ state: 'unknown' } as const);
    if (check.state !== 'valid') return renderInvalidLink(res, check.state);
    res.render('passwords/set', { title: SET_TITLE, token: token.data, errors: {} });
  });

  router.post('/sett-passord/:token', noStore, async (req, res) => {
    const token = tokenSchema.safeParse(req.params.token);
    if (!token.success) return renderInvalidLink(res, 'unknown');
    try {
      const input = parseInput(newPasswordSchema, req.body);
      const userId = await setPasswordWithToken(db, { token: token.data, input, now: context.now() });
      // Any session of the account has ended in the database; this browser's too, if it was one.
      if (req.user?.id === userId) await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      res.redirect(303, '/logg-inn?passord=satt');
    } catch (error) {
      if (error instanceof PasswordTokenError) return renderInvalidLink(res, error.state);
      if (!(error instanceof ValidationError)) throw error;
      // The form comes back only while the link is still good.
      const check = await checkPasswordToken(db, token.data, context.now());
      if (check.state !== 'valid') return renderInvalidLink(res, check.state);
      res
        .status(400)
        .render('passwords/set', { title: SET_TITLE, token: token.data, errors: error.fieldErrors });
    }
  });

  const changeLimiter = rateLimiter({
    windowMs: QUARTER_HOUR_MS,
    limit: 10,
    skipSuccessfulRequests: true,
    keyGenerator: (req) => `user:${req.user?.id ?? ipKeyGenerator(req.ip ?? '')}`,
    handler: (_req, res) =>
      res.status(429).render('passwords/change', {
        title: CHANGE_TITLE,
        errors: { currentPassword: TOO_MANY_TRIES },
        changed: false,
      }),
  });

  router.get(CHANGE_PATH, requireLogin, noStore, (req, res) => {
    res.render('passwords/change', { title: CHANGE_TITLE, errors: {}, changed: req.query.endret === '1' });
  });

  router.post(CHANGE_PATH, requireLogin, noStore, changeLimiter, async (req, res, next) => {
    try {
      const input = parseInput(changePasswordSchema, req.body);
      await changePassword(db, { userId: req.user!.id, input, keepSid: req.sessionID, now: context.now() });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return res
        .status(400)
        .render('passwords/change', { title: CHANGE_TITLE, errors: error.fieldErrors, changed: false });
    }
    // A new session id after a new password, as after a login.
    const user = req.user!;
    req.session.regenerate((regenerateError) => {
      if (regenerateError) return next(regenerateError);
      req.logIn(user, (loginError) => {
        if (loginError) return next(loginError);
        req.session.save(() => res.redirect(303, `${CHANGE_PATH}?endret=1`));
      });
    });
  });

  const employeeIdOf = (value: unknown): number => {
    const id = employeeIdSchema.safeParse(value);
    if (!id.success) throw new ValidationError('Ugyldig ansatt.');
    return id.data;
  };

  router.post('/admin/ansatt/:id/passordlenke', requireAdmin, async (req, res) => {
    const employeeId = employeeIdOf(req.params.id);
    await sendPasswordLinkToEmployee(db, {
      employeeId,
      actorUserId: req.user!.id,
      baseUrl,
      now: context.now(),
    });
    notifyOutboxChanged();
    res.redirect(303, `/admin/ansatt/${employeeId}/passordlenke?sendt=1`);
  });

  // Where HR lands after sending (what went where, and the way back to the record); the button again.
  router.get('/admin/ansatt/:id/passordlenke', requireAdmin, async (req, res) => {
    const employeeId = employeeIdOf(req.params.id);
    const account = await findAccountOfEmployee(db, employeeId);
    res.render('passwords/link-sent', {
      title: 'Lenke for å sette passord',
      employeeId,
      account: account && accountView(account),
      sent: req.query.sendt === '1',
    });
  });

  return router;
}
