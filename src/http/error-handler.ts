import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isConnectionError, sqlStateOf } from '../db/client';
import { AppError, ServiceUnavailableError } from '../lib/errors';
import { errorFields, logger } from '../lib/logger';

/** Unknown route: the bokmål 404 page (or JSON). */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404);
  res.locals.user ??= null;
  res.locals.currentPath ??= req.path;
  if (wantsJson(req)) {
    res.json({ error: 'not_found', message: 'Fant ikke ressursen.' });
    return;
  }
  res.render('errors/404', { title: 'Fant ikke siden' });
};

function wantsJson(req: Parameters<RequestHandler>[0]): boolean {
  return req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json';
}

/**
 * The one error handler: typed errors keep their status and message; the database lost → 503;
 * anything else → 500 without details. `isDatabaseUp` tells a lost database from a bug.
 */
export function createErrorHandler(isDatabaseUp: () => Promise<boolean>): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (error instanceof AppError || isConnectionError(error)) return renderError(error, req, res, next);
    isDatabaseUp()
      .then((up) => renderError(up ? error : new ServiceUnavailableError(DATABASE_DOWN), req, res, next))
      .catch(() => renderError(error, req, res, next));
  };
}

/** A URL for the log: a password link's token is a credential and never written there. */
export function loggedUrl(url: string): string {
  return url.replace(/(\/sett-passord\/)[^/?#]+/, '$1…');
}

/** SQLSTATE numeric_value_out_of_range. */
const NUMBER_OUT_OF_RANGE = '22003';

const DATABASE_DOWN = 'Databasen er ikke tilgjengelig akkurat nå. Prøv igjen om litt.';

const renderError: ErrorRequestHandler = (error, req, res, _next) => {
  let status = 500;
  let code = 'internal';
  let message = 'Noe gikk galt hos oss. Feilen er logget. Prøv igjen senere.';
  const err = error as {
    status?: number;
    statusCode?: number;
    code?: string;
    type?: string;
    message?: string;
  };
  if (error instanceof AppError) {
    status = error.status;
    code = error.code;
    message = error.message;
  } else if (err.code === 'EBADCSRFTOKEN') {
    status = 403;
    code = 'csrf';
    message = 'Skjemaet er utløpt eller ugyldig. Last siden på nytt og prøv igjen.';
  } else if (err.type === 'entity.too.large' || err.code === 'LIMIT_FILE_SIZE') {
    status = 413;
    code = 'too_large';
    message = 'Forespørselen er for stor.';
  } else if (err.type === 'entity.parse.failed') {
    status = 400;
    code = 'bad_body';
    message = 'Forespørselen kunne ikke leses.';
  } else if (sqlStateOf(error) === NUMBER_OUT_OF_RANGE) {
    // A number from the request that no column can hold; the routes' schemas refuse the ones they
    // know of, and this keeps any other from becoming a 500.
    status = 400;
    code = 'out_of_range';
    message = 'Et tall i forespørselen er for stort.';
    logger.warn('number out of range in a query', {
      method: req.method,
      url: loggedUrl(req.originalUrl),
      ...errorFields(error),
    });
  } else if (isConnectionError(error)) {
    status = 503;
    code = 'database_unavailable';
    message = DATABASE_DOWN;
  }
  if (status >= 500)
    logger.error('request failed', {
      method: req.method,
      url: loggedUrl(req.originalUrl),
      status,
      ...errorFields(error),
    });
  if (res.headersSent) return;
  res.status(status);
  if (status === 503) res.setHeader('Retry-After', '30');
  if (wantsJson(req)) {
    res.json({ error: code, message });
    return;
  }
  // The request may have failed before the locals middleware ran (e.g. the session store was down).
  res.locals.user ??= null;
  res.locals.currentPath ??= req.path;
  const view =
    status === 404
      ? 'errors/404'
      : status === 403
        ? 'errors/403'
        : status >= 500
          ? 'errors/500'
          : 'errors/error';
  res.render(
    view,
    { title: status === 404 ? 'Fant ikke siden' : 'Feil', message, status },
    (renderError, html) => {
      if (renderError) {
        res.type('text/plain').send(message);
        return;
      }
      res.send(html);
    },
  );
};
