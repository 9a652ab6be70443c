import { z } from 'zod';
import { dateInputProblem, parseDateInput } from './dates';
import { ValidationError } from './errors';

/**
 * The message of a zod issue whose schema gave none, in bokmål: every schema that reads user input
 * names its own messages, and this keeps zod's English (or its machine-like Norwegian locale) from
 * reaching a user when one is missed. Set once for the process when this module loads.
 */
export function bokmalIssueMessage(issue: {
  code?: string;
  expected?: unknown;
  input?: unknown;
  origin?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  inclusive?: unknown;
  format?: unknown;
}): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null || issue.input === '')
        return 'Feltet må fylles ut.';
      if (issue.expected === 'number' || issue.expected === 'int') return 'Skriv et tall.';
      if (issue.expected === 'date') return 'Skriv en gyldig dato.';
      return 'Verdien er ugyldig.';
    case 'too_small':
      if (issue.origin === 'string') return `Skriv minst ${String(issue.minimum)} tegn.`;
      if (issue.origin === 'array' || issue.origin === 'set') return `Velg minst ${String(issue.minimum)}.`;
      return issue.inclusive === false
        ? `Tallet må være større enn ${String(issue.minimum)}.`
        : `Tallet må være minst ${String(issue.minimum)}.`;
    case 'too_big':
      if (issue.origin === 'string') return `Skriv høyst ${String(issue.maximum)} tegn.`;
      if (issue.origin === 'array' || issue.origin === 'set') return `Velg høyst ${String(issue.maximum)}.`;
      return issue.inclusive === false
        ? `Tallet må være mindre enn ${String(issue.maximum)}.`
        : `Tallet kan være høyst ${String(issue.maximum)}.`;
    case 'invalid_format':
      return issue.format === 'email' ? 'Skriv en gyldig e-postadresse.' : 'Verdien har feil format.';
    case 'invalid_value':
      return 'Velg en av verdiene som tilbys.';
    case 'unrecognized_keys':
      return 'Skjemaet har felt som ikke hører til.';
    default:
      return 'Verdien er ugyldig.';
  }
}

z.config({ customError: (issue) => bokmalIssueMessage(issue as Parameters<typeof bokmalIssueMessage>[0]) });

/**
 * A date typed in a form, as 'dd.mm.åååå' or 'åååå-mm-dd', to a LocalDate. `formatMessage` is the
 * field's message for text that is not a date; a date that is not in the calendar or outside
 * 1900–2199 says so instead of repeating the format.
 */
export function dateInput(formatMessage: string) {
  return z
    .string({ error: formatMessage })
    .trim()
    .transform((value, ctx) => {
      const parsed = parseDateInput(value);
      if (parsed) return parsed;
      const problem = dateInputProblem(value);
      const message =
        problem === 'calendar'
          ? `${value} finnes ikke i kalenderen.`
          : problem === 'range'
            ? 'Året må være mellom 1900 og 2199.'
            : formatMessage;
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    });
}

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
