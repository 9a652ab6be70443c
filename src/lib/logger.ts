/** A small structured logger: one JSON line per event on stdout/stderr. */
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

let threshold: Level | 'silent' = 'info';

export function setLogLevel(level: Level | 'silent'): void {
  threshold = level;
}

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (order[level] < order[threshold]) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
  if (level === 'error' || level === 'warn') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
}

export const logger = {
  debug: (m: string, f?: Record<string, unknown>) => write('debug', m, f),
  info: (m: string, f?: Record<string, unknown>) => write('info', m, f),
  warn: (m: string, f?: Record<string, unknown>) => write('warn', m, f),
  error: (m: string, f?: Record<string, unknown>) => write('error', m, f),
};

/**
 * Turns an unknown thrown value into loggable fields. A failed query (drizzle's DrizzleQueryError:
 * `query`, `params` and the driver's error as `cause`) is logged by its SQL and the database's
 * message, never with its parameters: they hold names and addresses, and a bulk write's parameter
 * can be megabytes.
 */
export function errorFields(error: unknown): Record<string, unknown> {
  const query = (error as { query?: unknown } | null)?.query;
  if (error instanceof Error && typeof query === 'string' && error.cause instanceof Error) {
    const cause = error.cause as Error & { code?: unknown };
    return { error: cause.message, code: cause.code, query: query.slice(0, 2000), stack: cause.stack };
  }
  if (error instanceof Error) return { error: error.message, stack: error.stack };
  return { error: String(error) };
}
