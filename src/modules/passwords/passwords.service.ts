import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { Db } from '../../db/client';
import { hashPassword } from '../../http/auth';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors';
import { recordAudit } from '../audit/audit.repo';
import { findUserByEmail } from '../auth/users.repo';
import { formatInstant } from '../dashboard/dashboard.service';
import { insertOutboxMails } from '../mail/mail.repo';
import type { MailContent } from '../mail/templates';
import {
  countTokensSince,
  deleteSessionsOfUser,
  findAccountById,
  findAccountOfEmployee,
  findTokenByHash,
  insertPasswordToken,
  setPasswordHash,
  useAllOpenTokens,
  type PasswordAccount,
  type StoredToken,
  type TokenOrigin,
} from './passwords.repo';
import type { ChangePasswordInput, NewPasswordInput } from './passwords.schema';

/**
 * One-time links to set a password, and changing a password when logged in (decision 0006). The
 * token is sent in the link and never stored; the database keeps its SHA-256.
 */

/** A link someone asks for on /glemt-passord lasts an hour. */
export const SELF_LINK_LIFETIME_MS = 60 * 60 * 1000;
/** A link HR sends from the employee record lasts a week: it is often the person's first login. */
export const HR_LINK_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** At most this many self-service links per person and hour, however many addresses ask. */
export const SELF_LINKS_PER_HOUR = 3;

/** The outbox kind of a password mail; not a reminder, so it is not listed or counted as one. */
export const PASSWORD_MAIL_KIND = 'password_link';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

/** The text of a password mail; the link on a paragraph of its own so that it is linked whole. */
export function passwordMailContent(
  account: Pick<PasswordAccount, 'displayName' | 'email' | 'passwordHash'>,
  link: string,
  origin: TokenOrigin,
  expiresAt: Date,
): { subject: string; content: MailContent } {
  // An account that never had a password (an imported employee) sets its first one, not a new one.
  const first = account.passwordHash === null;
  const paragraphs =
    origin === 'self'
      ? [
          `Hei, ${account.displayName}!`,
          first
            ? `Vi har fått en forespørsel om å sette passord for Kursvakt-kontoen din (${account.email}). Åpne lenken nedenfor og velg et passord:`
            : `Vi har fått en forespørsel om å sette nytt passord for Kursvakt-kontoen din (${account.email}). Åpne lenken nedenfor og velg et nytt passord:`,
          link,
          'Lenken kan brukes én gang og går ut om én time.',
          first
            ? 'Har du ikke bedt om dette, kan du se bort fra e-posten. Da blir det ikke satt noe passord.'
            : 'Har du ikke bedt om dette, kan du se bort fra e-posten. Passordet ditt blir ikke endret.',
          'Vennlig hilsen Kursvakt',
        ]
      : [
          `Hei, ${account.displayName}!`,
          `HR har sendt deg en lenke for å sette passord for Kursvakt-kontoen din (${account.email}). Med den kan du logge inn og ta de obligatoriske kursene dine. Åpne lenken og velg et passord:`,
          link,
          `Lenken kan brukes én gang og går ut om sju dager (${formatInstant(expiresAt)}). Går den ut før du har brukt den, kan du be om en ny med lenken «Glemt passord» på innloggingssiden.`,
          'Venter du ikke denne e-posten, kan du se bort fra den.',
          'Vennlig hilsen HR',
        ];
  return {
    subject: origin === 'self' && !first ? 'Sett nytt passord for Kursvakt' : 'Sett passord for Kursvakt',
    content: { body: paragraphs.join('\n\n'), sections: [] },
  };
}

/** Stores a token and queues its mail in one transaction; returns the token row's id. */
async function createLinkAndMail(
  db: Db,
  account: PasswordAccount,
  opts: { origin: TokenOrigin; actorUserId: number | null; baseUrl: string; now: Date },
): Promise<number> {
  const { token, tokenHash } = newToken();
  const lifetime = opts.origin === 'self' ? SELF_LINK_LIFETIME_MS : HR_LINK_LIFETIME_MS;
  const expiresAt = new Date(opts.now.getTime() + lifetime);
  const mail = passwordMailContent(account, `${opts.baseUrl}/sett-passord/${token}`, opts.origin, expiresAt);
  return db.transaction(async (tx) => {
    const tokenId = await insertPasswordToken(tx, {
      userId: account.id,
      tokenHash,
      origin: opts.origin,
      createdBy: opts.actorUserId,
      createdAt: opts.now,
      expiresAt,
    });
    await insertOutboxMails(tx, [
      {
        idempotencyKey: `password-link:${tokenId}`,
        kind: PASSWORD_MAIL_KIND,
        toAddress: account.email,
        toName: account.displayName,
        subject: mail.subject,
        content: mail.content,
        // No employee id: the employee record lists reminders by it, and this is not one.
        employeeId: null,
        recipientUserId: account.id,
        scheduleId: null,
        nextAttemptAt: opts.now,
      },
    ]);
    await recordAudit(tx, {
      actorUserId: opts.actorUserId,
      action: opts.origin === 'self' ? 'password_link.requested' : 'password_link.sent_by_hr',
      entity: 'user',
      entityId: account.id,
      details: { tokenId, expiresAt: expiresAt.toISOString() },
    });
    return tokenId;
  });
}

export type LinkRequestOutcome = 'queued' | 'unknown' | 'disabled' | 'capped';

/**
 * Someone asks for a link on /glemt-passord. The outcome is for the log and the tests only: the
 * page answers the same whatever it is, so nobody learns which addresses have an account.
 */
export async function requestPasswordLink(
  db: Db,
  opts: { email: string; baseUrl: string; now: Date },
): Promise<LinkRequestOutcome> {
  const user = await findUserByEmail(db, opts.email);
  if (!user) return 'unknown';
  if (user.disabled) return 'disabled';
  const since = new Date(opts.now.getTime() - 60 * 60 * 1000);
  if ((await countTokensSince(db, user.id, 'self', since)) >= SELF_LINKS_PER_HOUR) return 'capped';
  await createLinkAndMail(db, user, {
    origin: 'self',
    actorUserId: null,
    baseUrl: opts.baseUrl,
    now: opts.now,
  });
  return 'queued';
}

/** HR sends a link to the account of an employee; returns the address it goes to. */
export async function sendPasswordLinkToEmployee(
  db: Db,
  opts: { employeeId: number; actorUserId: number; baseUrl: string; now: Date },
): Promise<string> {
  const account = await findAccountOfEmployee(db, opts.employeeId);
  if (!account) throw new NotFoundError('Den ansatte har ingen brukerkonto.');
  if (account.disabled)
    throw new AppError(
      'account_disabled',
      409,
      'Brukerkontoen er sperret, så det kan ikke sendes noen lenke.',
    );
  await createLinkAndMail(db, account, {
    origin: 'hr',
    actorUserId: opts.actorUserId,
    baseUrl: opts.baseUrl,
    now: opts.now,
  });
  return account.email;
}

export type TokenCheck =
  { state: 'valid'; token: StoredToken } | { state: 'unknown' | 'used' | 'expired'; token: null };

function stateOf(token: StoredToken | null, account: PasswordAccount | null, now: Date): TokenCheck {
  // A disabled account's links are as good as unknown: the page says nothing about the account.
  if (!token || !account || account.disabled) return { state: 'unknown', token: null };
  if (token.usedAt) return { state: 'used', token: null };
  if (token.expiresAt.getTime() <= now.getTime()) return { state: 'expired', token: null };
  return { state: 'valid', token };
}

/** Whether a link's token can still set a password. */
export async function checkPasswordToken(db: Db, token: string, now: Date): Promise<TokenCheck> {
  const stored = await findTokenByHash(db, hashToken(token));
  return stateOf(stored, stored ? await findAccountById(db, stored.userId) : null, now);
}

/** The link could not be used; `state` says why, for the page's message. */
export class PasswordTokenError extends AppError {
  constructor(public readonly state: 'unknown' | 'used' | 'expired') {
    super('password_token_' + state, 410, 'Lenken kan ikke brukes.');
  }
}

/**
 * Sets the password of the link's account and uses up the link and every other open link of the
 * account, in one transaction with the token row locked (two tabs cannot both use it). Other
 * sessions of the account end. Returns the user id.
 */
export async function setPasswordWithToken(
  db: Db,
  opts: { token: string; input: NewPasswordInput; now: Date },
): Promise<number> {
  const passwordHash = await hashPassword(opts.input.password);
  return db.transaction(async (tx) => {
    const stored = await findTokenByHash(tx, hashToken(opts.token), { forUpdate: true });
    const check = stateOf(stored, stored ? await findAccountById(tx, stored.userId) : null, opts.now);
    if (check.state !== 'valid') throw new PasswordTokenError(check.state);
    const { id: tokenId, userId, origin } = check.token;
    await setPasswordHash(tx, userId, passwordHash, opts.now);
    await useAllOpenTokens(tx, userId, opts.now);
    await deleteSessionsOfUser(tx, userId, null);
    await recordAudit(tx, {
      actorUserId: userId,
      action: 'password.set_with_link',
      entity: 'user',
      entityId: userId,
      details: { tokenId, origin },
    });
    return userId;
  });
}

/**
 * A logged-in user changes their password; the current one must be right. Open links stop working
 * and the user's other sessions end; `keepSid` is the session that asked.
 */
export async function changePassword(
  db: Db,
  opts: { userId: number; input: ChangePasswordInput; keepSid: string; now: Date },
): Promise<void> {
  const account = await findAccountById(db, opts.userId);
  const ok =
    !!account?.passwordHash &&
    (await argon2.verify(account.passwordHash, opts.input.currentPassword).catch(() => false));
  if (!ok)
    throw new ValidationError('Skjemaet har feil. Rett opp og prøv igjen.', {
      currentPassword: 'Passordet stemmer ikke. Skriv inn passordet du logger inn med nå.',
    });
  const passwordHash = await hashPassword(opts.input.password);
  await db.transaction(async (tx) => {
    await setPasswordHash(tx, opts.userId, passwordHash, opts.now);
    await useAllOpenTokens(tx, opts.userId, opts.now);
    await deleteSessionsOfUser(tx, opts.userId, opts.keepSid);
    await recordAudit(tx, {
      actorUserId: opts.userId,
      action: 'password.changed',
      entity: 'user',
      entityId: opts.userId,
    });
  });
}
