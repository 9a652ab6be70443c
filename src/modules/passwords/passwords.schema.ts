import { z } from 'zod';

/**
 * True for a password that only repeats a shorter part («passordpassord», «aaaaaaaaaaaa»,
 * «123412341234»): long enough to pass the length rule, but as easy to guess as the part.
 */
function isRepetition(password: string): boolean {
  return /^(.+?)\1+$/su.test(password);
}

/**
 * A password someone chooses (the first administrator, a link, a change): 12 to 1,024 characters
 * and no repetition of a shorter part. `missing` is the message when the field is not sent at all.
 */
export function passwordRule(missing?: string) {
  return z
    .string(missing ? { error: missing } : undefined)
    .min(12, 'Passordet må ha minst 12 tegn.')
    .max(1024, 'Passordet er for langt.')
    .refine(
      (v) => !isRepetition(v),
      'Passordet kan ikke bare gjenta det samme. Bruk gjerne flere ulike ord.',
    );
}

const newPassword = passwordRule('Skriv inn et nytt passord.');

export const forgotPasswordSchema = z.object({
  email: z
    .string({ error: 'Skriv inn e-postadressen din.' })
    .trim()
    .min(1, 'Skriv inn e-postadressen din.')
    .max(254, 'E-postadressen er for lang.'),
});

export const newPasswordSchema = z
  .object({
    password: newPassword,
    passwordRepeat: z.string({ error: 'Gjenta passordet.' }),
  })
  .refine((v) => v.password === v.passwordRepeat, {
    path: ['passwordRepeat'],
    message: 'Passordene er ikke like.',
  });

export const changePasswordSchema = z
  .object({
    currentPassword: z
      .string({ error: 'Skriv inn passordet du har nå.' })
      .min(1, 'Skriv inn passordet du har nå.')
      .max(1024, 'Passordet er for langt.'),
    password: newPassword,
    passwordRepeat: z.string({ error: 'Gjenta passordet.' }),
  })
  .refine((v) => v.password === v.passwordRepeat, {
    path: ['passwordRepeat'],
    message: 'Passordene er ikke like.',
  })
  .refine((v) => v.password !== v.currentPassword, {
    path: ['password'],
    message: 'Det nye passordet må være et annet enn det du har nå.',
  });

/** A token from a link: base64url of 32 bytes (43 characters); anything else is unknown without a lookup. */
export const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export type NewPasswordInput = z.infer<typeof newPasswordSchema>;
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;
