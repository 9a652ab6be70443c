import { z } from 'zod';
import { dateInput, dbId } from '../../lib/validation';

const reason = z
  .string({ error: 'Skriv en begrunnelse.' })
  .trim()
  .min(3, 'Skriv en begrunnelse (minst 3 tegn).')
  .max(500, 'Begrunnelsen kan ha høyst 500 tegn.');

/** The record a new one replaces (voids): empty or absent for none. */
const replacesId = z.preprocess(
  (v) => (v === '' ? undefined : v),
  dbId('Oppføringen som skal erstattes, finnes ikke.')
    .optional()
    .transform((v) => v ?? null),
);

export const manualCompletionSchema = z.object({
  courseId: dbId('Velg et kurs.'),
  completedOn: dateInput('Skriv datoen som dd.mm.åååå eller åååå-mm-dd.'),
  reason,
  replacesId,
});

export const exemptionSchema = z
  .object({
    requirementId: dbId('Velg et kurskrav.'),
    validFrom: dateInput('Skriv fra-datoen som dd.mm.åååå eller åååå-mm-dd.'),
    validUntil: dateInput('Skriv sluttdatoen som dd.mm.åååå eller åååå-mm-dd.'),
    reason,
    replacesId,
  })
  .refine((v) => v.validUntil >= v.validFrom, {
    path: ['validUntil'],
    message: 'Sluttdatoen kan ikke være før fra-datoen.',
  });

export const voidSchema = z.object({ reason });

export type ManualCompletionInput = z.infer<typeof manualCompletionSchema>;
export type ExemptionInput = z.infer<typeof exemptionSchema>;
