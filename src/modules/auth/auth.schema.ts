import { z } from 'zod';
import { passwordRule } from '../passwords/passwords.schema';

export const loginSchema = z.object({
  email: z.string().trim().min(1, 'Skriv inn e-postadressen din.').max(254),
  password: z.string().min(1, 'Skriv inn passordet ditt.').max(1024),
});

export const firstAdminSchema = z
  .object({
    name: z.string().trim().min(2, 'Skriv inn navnet ditt.').max(200, 'Navnet er for langt.'),
    email: z.email('Skriv inn en gyldig e-postadresse.').trim().max(254),
    password: passwordRule(),
    passwordRepeat: z.string(),
  })
  .refine((v) => v.password === v.passwordRepeat, {
    path: ['passwordRepeat'],
    message: 'Passordene er ikke like.',
  });

export type FirstAdminInput = z.infer<typeof firstAdminSchema>;
