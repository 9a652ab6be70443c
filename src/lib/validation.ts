import { z } from 'zod';
import { ValidationError } from './errors';

/** Parses input with a zod schema, or throws a ValidationError whose messages are the schema's bokmål messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join('.') || '_';
    if (!fieldErrors[key]) fieldErrors[key] = issue.message;
  }
  throw new ValidationError('Skjemaet har feil. Rett opp og prøv igjen.', fieldErrors);
}

/** The largest value of a PostgreSQL integer column: every id in the database. */
export const MAX_DB_INT = 2_147_483_647;

/**
 * A database id from a URL, query or form: a positive whole number that fits an integer column, so
 * that a tampered or mistyped number is refused here with the message instead of failing in SQL.
 */
export function dbId(message = 'Ugyldig id.') {
  return z.coerce.number({ error: message }).int(message).positive(message).max(MAX_DB_INT, message);
}
