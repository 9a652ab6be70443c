import type { z } from 'zod';
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
