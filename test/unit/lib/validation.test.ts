import { z } from 'zod';
import { ValidationError } from '../../../src/lib/errors';
import { dateInput, dbId, MAX_DB_INT, parseInput } from '../../../src/lib/validation';
import { scheduleFormSchema, scheduleOptionsSchema } from '../../../src/modules/reminders/reminders.schema';

/** The field messages parseInput throws for the input. */
function fieldErrorsOf(schema: z.ZodType, input: unknown): Record<string, string> {
  try {
    parseInput(schema, input);
  } catch (error) {
    if (error instanceof ValidationError) return error.fieldErrors ?? {};
    throw error;
  }
  throw new Error('the input was accepted');
}

describe('validation messages in bokmål', () => {
  test('when a schema names no message, then a user still reads bokmål, never zod’s English', () => {
    const schema = z.object({
      count: z.coerce.number().int(),
      title: z.string().min(3).max(5),
      many: z.array(z.string()).min(1),
      email: z.email(),
      choice: z.enum(['a', 'b']),
      missing: z.string(),
      big: z.number().max(10),
    });
    const errors = fieldErrorsOf(schema, {
      count: 'abc',
      title: 'x',
      many: [],
      email: 'ikke-en-adresse',
      choice: 'c',
      big: 11,
    });
    expect(errors).toEqual({
      count: 'Skriv et tall.',
      title: 'Skriv minst 3 tegn.',
      many: 'Velg minst 1.',
      email: 'Skriv en gyldig e-postadresse.',
      choice: 'Velg en av verdiene som tilbys.',
      missing: 'Feltet må fylles ut.',
      big: 'Tallet kan være høyst 10.',
    });
    expect(fieldErrorsOf(schema.pick({ title: true }), { title: 'for lang' })).toEqual({
      title: 'Skriv høyst 5 tegn.',
    });
  });

  test('when a number must be above or below a bound it may not equal, then the message says so', () => {
    expect(fieldErrorsOf(z.object({ rate: z.number().positive() }), { rate: 0 })).toEqual({
      rate: 'Tallet må være større enn 0.',
    });
    expect(fieldErrorsOf(z.object({ share: z.number().lt(1) }), { share: 1 })).toEqual({
      share: 'Tallet må være mindre enn 1.',
    });
  });

  test('when a schema names its message, then that message wins over the fallback', () => {
    expect(
      fieldErrorsOf(z.object({ n: z.coerce.number({ error: 'Skriv antall dager.' }) }), { n: 'x' }),
    ).toEqual({
      n: 'Skriv antall dager.',
    });
  });

  test('when a reminder plan’s day fields hold letters, then each says what to write', () => {
    const result = scheduleOptionsSchema.safeParse({
      escalationDays: 'abc',
      overdueIntervalDays: 'x',
      overdueMaxCount: 'y',
    });
    expect(result.success).toBe(false);
    const messages = Object.fromEntries(result.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(messages).toEqual({
      escalationDays: 'Skriv et helt antall dager.',
      overdueIntervalDays: 'Skriv et helt antall dager.',
      overdueMaxCount: 'Skriv et helt tall.',
    });
    // The form schema itself takes the fields as text; they are checked as options afterwards.
    expect(scheduleFormSchema.shape.escalationDays.safeParse('abc').success).toBe(true);
  });

  test('when an id is larger than a PostgreSQL integer, letters, zero or a fraction, then dbId refuses it with the message given', () => {
    const id = dbId('Ugyldig enhet.');
    expect(id.parse(String(MAX_DB_INT))).toBe(MAX_DB_INT);
    for (const bad of [String(MAX_DB_INT + 1), '99999999999', 'abc', '0', '-1', '1.5', ''])
      expect([bad, id.safeParse(bad).error?.issues[0]?.message]).toEqual([bad, 'Ugyldig enhet.']);
  });
});

describe('dates typed in forms', () => {
  const field = z.object({ on: dateInput('Skriv datoen som dd.mm.åååå eller åååå-mm-dd.') });
  test.each([
    ['31.02.2025', '31.02.2025 finnes ikke i kalenderen.'],
    ['2025-13-01', '2025-13-01 finnes ikke i kalenderen.'],
    ['29.02.2025', '29.02.2025 finnes ikke i kalenderen.'],
    ['01.01.1899', 'Året må være mellom 1900 og 2199.'],
    ['i går', 'Skriv datoen som dd.mm.åååå eller åååå-mm-dd.'],
    ['', 'Skriv datoen som dd.mm.åååå eller åååå-mm-dd.'],
  ])('when «%s» is typed, then the message is «%s»', (typed, message) => {
    expect(fieldErrorsOf(field, { on: typed })).toEqual({ on: message });
  });
  test('when a real date is typed either way, then it is read as that day', () => {
    expect(parseInput(field, { on: ' 29.02.2024 ' })).toEqual({ on: '2024-02-29' });
    expect(parseInput(field, { on: '2024-02-29' })).toEqual({ on: '2024-02-29' });
  });
});
