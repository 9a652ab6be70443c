import { z } from 'zod';
import { isValidLocalDate, parseDateInput } from '../../lib/dates';

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
  unitId: z.coerce.number({ error: 'Velg en enhet.' }).int().positive('Velg en enhet.'),
  topicId: z.coerce.number({ error: 'Velg et tema.' }).int().positive('Velg et tema.'),
  reviewedOn: z
    .string({ error: 'Skriv datoen for gjennomgangen.' })
    .trim()
    .transform((v) => parseDateInput(v) ?? '')
    .refine((v) => isValidLocalDate(v), 'Datoen må være en gyldig dato (dd.mm.åååå).'),
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
  .min(2000, 'Året må være 2000 eller senere.')
  .max(2100, 'Året må være 2100 eller tidligere.');
