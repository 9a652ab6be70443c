import path from 'node:path';
import { z } from 'zod';

/**
 * The only reader of process.env. Parsed once, frozen, and failing fast with a message that
 * names the bad variable.
 */
const optionalUrl = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .pipe(z.url().optional())
  .optional();

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  BASE_URL: optionalUrl,
  DATABASE_URL: optionalUrl,
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'må være et gyldig skjemanavn (små bokstaver, tall og _)')
    .optional(),
  DATA_DIR: z.string().default('./data'),
  SESSION_SECRET: z.string().min(32, 'må være minst 32 tegn').optional(),
  SMTP_URL: optionalUrl,
  MAIL_FROM: z.string().default('Kursvakt <kursvakt@eksempel.kommune.no>'),
  CONTENT_BASE_URL: optionalUrl,
  CONTENT_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  SCHEDULER: z.enum(['on', 'off']).default('on'),
  MAIL_RATE_PER_SECOND: z.coerce.number().positive().default(10),
  KOMMUNE_NAVN: z.string().trim().min(1, 'kan ikke være tom').default('Eksempel kommune'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  port: number;
  host: string;
  baseUrl: string;
  databaseUrl: string | undefined;
  /** PostgreSQL schema to use on a server (tests use a fresh one per run). */
  databaseSchema: string | undefined;
  dataDir: string;
  sessionSecret: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  contentBaseUrl: string;
  contentPort: number;
  logLevel: Env['LOG_LEVEL'];
  schedulerEnabled: boolean;
  mailRatePerSecond: number;
  /** The municipality's name, printed on certificates. */
  municipalityName: string;
  timeZone: 'Europe/Oslo';
}

export class ConfigError extends Error {}

/** Parses an environment object into the typed, frozen configuration (throws ConfigError). */
export function parseConfig(source: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(miljø)'}: ${issue.message}`,
    );
    throw new ConfigError(`Ugyldig konfigurasjon:\n  ${lines.join('\n  ')}`);
  }
  const e = result.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    throw new ConfigError('Ugyldig konfigurasjon:\n  SESSION_SECRET: må settes når NODE_ENV=production');
  }
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  const contentPort = e.CONTENT_PORT ?? (e.PORT === 0 ? 0 : e.PORT + 1);
  const contentBaseUrl = (e.CONTENT_BASE_URL ?? `http://127.0.0.1:${contentPort}`).replace(/\/$/, '');
  if (new URL(contentBaseUrl).origin === new URL(baseUrl).origin) {
    throw new ConfigError(
      'Ugyldig konfigurasjon:\n  CONTENT_BASE_URL: må ha en annen opprinnelse (vert eller port) enn BASE_URL',
    );
  }
  return Object.freeze({
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    baseUrl,
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.DATABASE_SCHEMA,
    dataDir: path.resolve(e.DATA_DIR),
    // Development and tests get a fixed secret; production must set its own (checked above).
    sessionSecret: e.SESSION_SECRET ?? 'kursvakt-utvikling-ikke-for-produksjon-0000',
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    contentBaseUrl,
    contentPort,
    logLevel: e.LOG_LEVEL,
    schedulerEnabled: e.SCHEDULER === 'on',
    mailRatePerSecond: e.MAIL_RATE_PER_SECOND,
    municipalityName: e.KOMMUNE_NAVN,
    timeZone: 'Europe/Oslo',
  });
}

/** Reads process.env once; date logic always runs in Europe/Oslo. */
export function loadConfig(): Config {
  process.env.TZ = 'Europe/Oslo';
  return parseConfig(process.env);
}
