import rateLimit, { type Options, type RateLimitRequestHandler } from 'express-rate-limit';

/** The window of the login and password limits. */
export const QUARTER_HOUR_MS = 15 * 60 * 1000;

/** What a person who has tried too often reads. */
export const TOO_MANY_TRIES = 'For mange mislykkede forsøk. Vent et kvarter og prøv igjen.';

/** express-rate-limit as every limiter here answers: the draft-8 RateLimit headers, no legacy ones. */
export function rateLimiter(options: Partial<Options>): RateLimitRequestHandler {
  return rateLimit({ standardHeaders: 'draft-8', legacyHeaders: false, ...options });
}
