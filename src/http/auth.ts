import argon2 from 'argon2';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../db/client';
import { ForbiddenError } from '../lib/errors';
import { VersionedCache } from '../lib/versioned-cache';
import { findUserByEmail, findUserWithLedUnits, type LedUnit } from '../modules/auth/users.repo';
import { scopeOf, type UnitScope } from '../modules/org/unit-scope';
import { versionsOf } from './request-versions';

export interface SessionUser {
  id: number;
  email: string;
  displayName: string;
  isAdmin: boolean;
  employeeId: number | null;
  ledUnits: LedUnit[];
  isLeader: boolean;
  scope: UnitScope;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
  }
}

// A fixed hash to verify against when the e-mail is unknown, so timing does not reveal which accounts exist.
let dummyHash: Promise<string> | undefined;

/** Hashes a password with argon2id. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

async function loadSessionUser(db: Db, id: number): Promise<SessionUser | null> {
  const found = await findUserWithLedUnits(db, id);
  if (!found || found.user.disabled) return null;
  const { user, ledUnits } = found;
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    isAdmin: user.isAdmin,
    employeeId: user.employeeId,
    ledUnits,
    isLeader: ledUnits.length > 0,
    scope: scopeOf({ isAdmin: user.isAdmin, ledUnits }),
  };
}

/** Registers the local strategy (e-mail + password) and session (de)serialisation on a fresh Passport instance. */
export function createPassport(db: Db): passport.PassportStatic {
  const instance = new passport.Passport() as unknown as passport.PassportStatic;
  instance.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      (async () => {
        const user = await findUserByEmail(db, email);
        if (!user || !user.passwordHash || user.disabled) {
          dummyHash ??= hashPassword('kursvakt-dummy-password');
          await argon2.verify(await dummyHash, password).catch(() => false);
          return done(null, false);
        }
        const ok = await argon2.verify(user.passwordHash, password).catch(() => false);
        if (!ok) return done(null, false);
        return done(null, (await loadSessionUser(db, user.id)) ?? false);
      })().catch(done);
    }),
  );
  instance.serializeUser((user, done) => done(null, (user as SessionUser).id));
  // The logged-in user of each request, cached per directory version (decision 0007): a change to
  // the user, the units they lead or the unit tree moves the version, in every app process.
  const sessionUsers = new VersionedCache<number, SessionUser | null>(10_000);
  instance.deserializeUser(
    (req: Request, id: number, done: (error: unknown, user?: SessionUser | false) => void) => {
      versionsOf(req, db)
        .then(({ directory }) => sessionUsers.getOrCompute(id, directory, () => loadSessionUser(db, id)))
        .then((user) => done(null, user ?? false))
        .catch(done);
    },
  );
  return instance;
}

/** Sends anonymous visitors to the login page (or 401 for JSON requests). */
export function requireLogin(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  if (req.accepts(['html', 'json']) === 'json') {
    res.status(401).json({ error: 'not_authenticated', message: 'Du må logge inn.' });
    return;
  }
  res.redirect(`/logg-inn?neste=${encodeURIComponent(req.originalUrl)}`);
}

/** Only HR administrators. */
export function requireAdmin(req: Request, res: Response, next: NextFunction): void {
  requireLogin(req, res, () => {
    if (!req.user!.isAdmin) return next(new ForbiddenError());
    next();
  });
}

/** Leaders (of at least one unit) and administrators. */
export function requireLeaderOrAdmin(req: Request, res: Response, next: NextFunction): void {
  requireLogin(req, res, () => {
    if (!req.user!.isAdmin && !req.user!.isLeader) return next(new ForbiddenError());
    next();
  });
}
