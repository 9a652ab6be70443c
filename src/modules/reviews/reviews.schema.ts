import { z } from 'zod';
import { dbId } from '../../lib/validation';
import { compareDates, isValidLocalDate, parseDateInput } from '../../lib/dates';

/**
 * The first year with reviews. The year filter and the review date share it, so that a saved review
 * always lies in a year the pages can show.
 */
export const FIRST_REVIEW_YEAR = 2000;
const FIRST_REVIEW_DATE = `${FIRST_REVIEW_YEAR}-01-01`;

/** HR's form for a review topic. */
export const topicInputSchema = z.object({
  title: z
    .string({ error: 'Skriv et tema.' })
    .trim()
    .min(3, 'Temaet må ha minst 3 tegn.')
    .max(200, 'Temaet kan ha høyst 200 tegn.'),
  timesPerYear: z.coerce
    .number({ error: 'Skriv hvor mange ganger i året.' })
    .int('Antall ganger i året må være et helt tall.')
    .min(1, 'Antall ganger i året må være minst 1.')
    .max(12, 'Antall ganger i året kan være høyst 12.'),
  active: z
    .union([z.literal('on'), z.literal('true'), z.literal('1'), z.boolean()])
    .optional()
    .transform((v) => v !== undefined && v !== false),
});
export type TopicInput = z.infer<typeof topicInputSchema>;

/** A leader's record of one yearly review in one unit. */
export const unitReviewInputSchema = z.object({
  unitId: dbId('Velg en enhet.'),
  topicId: dbId('Velg et tema.'),
  reviewedOn: z
    .string({ error: 'Skriv datoen for gjennomgangen.' })
    .trim()
    .transform((v) => parseDateInput(v) ?? '')
    .refine((v) => isValidLocalDate(v), 'Datoen må være en gyldig dato (dd.mm.åååå).')
    .refine(
      (v) => !isValidLocalDate(v) || compareDates(v, FIRST_REVIEW_DATE) >= 0,
      `Datoen kan ikke være før 01.01.${FIRST_REVIEW_YEAR}.`,
    ),
  participants: z.coerce
    .number({ error: 'Skriv antall deltakere.' })
    .int('Antall deltakere må være et helt tall.')
    .min(1, 'Antall deltakere må være minst 1.')
    .max(5000, 'Antall deltakere kan være høyst 5000.'),
  note: z.string().trim().max(1000, 'Notatet kan ha høyst 1000 tegn.').default(''),
});
export type UnitReviewInput = z.infer<typeof unitReviewInputSchema>;

export const yearSchema = z.coerce
  .number({ error: 'Året må være et årstall.' })
  .int('Året må være et årstall.')
  .min(FIRST_REVIEW_YEAR, `Året må være ${FIRST_REVIEW_YEAR} eller senere.`)
  .max(2100, 'Året må være 2100 eller tidligere.');
