import { z } from 'zod';

/** The same rules as the first administrator's password (auth.schema.ts). */
const newPassword = z
  .string({ error: 'Skriv inn et nytt passord.' })
  .min(12, 'Passordet må ha minst 12 tegn.')
  .max(1024, 'Passordet er for langt.');

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
  });

/** A token from a link: base64url of 32 bytes (43 characters); anything else is unknown without a lookup. */
export const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export type NewPasswordInput = z.infer<typeof newPasswordSchema>;
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;
