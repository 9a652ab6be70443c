import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';

/**
 * Synchronizer-token CSRF protection: the token lives in the session and every unsafe request
 * must echo it in the `_csrf` form field, the `x-csrf-token` header or, for multipart uploads
 * parsed later by multer, the `_csrf` query parameter.
 */
export const csrf = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
    const fromHeader = req.headers['x-csrf-token'];
    const fromQuery = typeof req.query._csrf === 'string' ? req.query._csrf : undefined;
    return fromBody ?? (typeof fromHeader === 'string' ? fromHeader : undefined) ?? fromQuery;
  },
  errorConfig: {
    statusCode: 403,
    message: 'Skjemaet er utløpt eller ugyldig. Last siden på nytt og prøv igjen.',
    code: 'EBADCSRFTOKEN',
  },
});
