import { z } from 'zod';
import { dateInput, dbId } from '../../lib/validation';

const count = (message: string, min: number, max: number) =>
  z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);

const item = z.union([z.string(), z.number()]);
const list = z
  .union([item, z.array(item)], { error: 'Ugyldig liste.' })
  .optional()
  .transform((v) =>
    (Array.isArray(v) ? v : v !== undefined ? String(v).split(/[,|\s]+/) : [])
      .map((s) => String(s).trim())
      .filter((s) => s !== ''),
  );

/** A requirement as HR edits it (form or CLI), validated at the edge. */
export const requirementInputSchema = z
  .object({
    courseId: dbId('Velg et kurs.'),
    name: z
      .string()
      .trim()
      .min(1, 'Skriv et navn på kravet.')
      .min(2, 'Navnet må ha minst 2 tegn.')
      .max(200, 'Navnet er for langt.'),
    audience: z.enum(['all', 'units'], { error: 'Velg hvem kravet gjelder for.' }),
    unitIds: list.transform((v) => [...new Set(v.map(Number).filter((n) => Number.isInteger(n) && n > 0))]),
    roleTags: list.transform((v) => [...new Set(v.map((t) => t.toLowerCase()))].sort()),
    firstDeadline: dateInput('Skriv første frist som dd.mm.åååå eller åååå-mm-dd.'),
    renewalMode: z.enum(['cycle', 'rolling'], { error: 'Velg hvordan fristen fornyes.' }),
    renewalMonths: count('Fornyelse må være et helt antall måneder fra 1 til 120.', 1, 120),
    newHireMonths: count('Frist for nyansatte må være et helt antall måneder fra 0 til 60.', 0, 60),
    dueSoonDays: count('«Forfaller snart» må være et helt antall dager fra 0 til 365.', 0, 365),
    active: z
      .union([z.boolean(), z.string()])
      .optional()
      .transform((v) => v === true || v === 'on' || v === 'true' || v === '1'),
  })
  .superRefine((v, ctx) => {
    if (v.audience === 'units' && v.unitIds.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['unitIds'],
        message: 'Velg minst én enhet, eller «alle ansatte».',
      });
    for (const tag of v.roleTags)
      if (!/^[a-z0-9æøå][a-z0-9æøå_-]*$/.test(tag))
        ctx.addIssue({
          code: 'custom',
          path: ['roleTags'],
          message: `«${tag}» er ikke en gyldig rolle. Bruk små bokstaver, tall, - og _.`,
        });
  });

export type RequirementInput = z.infer<typeof requirementInputSchema>;
