import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../lib/errors';

/**
 * The signed, expiring per-attempt token in the player's URLs. It travels in the path because a
 * beacon (the final commit) cannot carry headers, and the content origin has no session.
 */
export interface LaunchToken {
  /** Attempt id. */
  a: number;
  /** User id. */
  u: number;
  /** Launch (session) id: total_time gets each session's time once. */
  l: string;
  /** Sequence base of this launch; the client's commit numbers count up from it. */
  b: number;
  m: 'normal' | 'review';
  /** Expiry, seconds since the epoch. */
  e: number;
}

export class LaunchTokenError extends AppError {
  constructor(kind: 'expired' | 'invalid') {
    super(
      kind === 'expired' ? 'token_expired' : 'token_invalid',
      kind === 'expired' ? 401 : 403,
      kind === 'expired'
        ? 'Kursøkten er utløpt. Lukk kurset og start det på nytt fra Mine kurs.'
        : 'Lenken til kurset er ugyldig.',
    );
  }
}

/** How long one launch may keep committing: a working day. */
export const TOKEN_LIFETIME_SECONDS = 10 * 60 * 60;

const keys = new Map<string, Buffer>();

function keyOf(secret: string): Buffer {
  // A key of its own, so a token can never be mistaken for a session signature.
  let key = keys.get(secret);
  if (!key) {
    key = createHmac('sha256', secret).update('kursvakt:scorm-launch-token').digest();
    keys.set(secret, key);
  }
  return key;
}

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', keyOf(secret)).update(payload).digest();
}

/** Signs a launch token: base64url(JSON).base64url(HMAC-SHA256). */
export function signLaunchToken(secret: string, token: LaunchToken): string {
  const payload = Buffer.from(JSON.stringify(token)).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

// Tokens already verified (a launch commits many times with one token): skips HMAC and parsing.
const verified = new Map<string, { secret: string; token: LaunchToken }>();
const VERIFIED_MAX = 10_000;

/** Verifies signature and expiry; throws LaunchTokenError (403 tampered, 401 expired). */
export function verifyLaunchToken(secret: string, value: string, now: Date): LaunchToken {
  const known = verified.get(value);
  const token = known && known.secret === secret ? known.token : checkSignature(secret, value);
  if (token.e * 1000 <= now.getTime()) throw new LaunchTokenError('expired');
  if (!known) {
    if (verified.size >= VERIFIED_MAX) verified.clear();
    verified.set(value, { secret, token });
  }
  return token;
}

function checkSignature(secret: string, value: string): LaunchToken {
  const [payload, signature, extra] = value.split('.');
  if (!payload || !signature || extra !== undefined) throw new LaunchTokenError('invalid');
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new LaunchTokenError('invalid');
  let token: LaunchToken;
  try {
    token = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LaunchToken;
  } catch {
    throw new LaunchTokenError('invalid');
  }
  if (
    !Number.isInteger(token.a) ||
    !Number.isInteger(token.u) ||
    !Number.isInteger(token.b) ||
    typeof token.l !== 'string' ||
    (token.m !== 'normal' && token.m !== 'review') ||
    typeof token.e !== 'number'
  )
    throw new LaunchTokenError('invalid');
  return Object.freeze(token);
}
