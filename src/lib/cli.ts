import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config';
import type { Database } from '../db/client';

/** An expected failure of a CLI command: its message (bokmål) is printed and the exit code is 1. */
export class CliError extends Error {}

/** node:util parseArgs' English error as a bokmål message naming the option. */
export function parseArgsMessage(error: Error & { code: string }): string {
  const option = /'(--?[\w-]+)/.exec(error.message)?.[1];
  const name = option ? `«${option}»` : 'et valg';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Ukjent valg: ${name}. Se kursvakt help.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /ambiguous/.test(error.message)
        ? `Verdien til ${name} kan ikke begynne med «-». Skriv den som ${option ?? '--valg'}=VERDI.`
        : `Valget ${name} mangler en verdi.`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return 'For mange argumenter. Se kursvakt help.';
    default:
      return 'Ugyldige valg. Se kursvakt help.';
  }
}

/** node:util parseArgs, with its errors as a bokmål CliError. */
export function parseOptions<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
      throw new CliError(parseArgsMessage(error as Error & { code: string }));
    throw error;
  }
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface CliContext {
  config: Config;
  database: Database;
  io: CliIo;
  /** The clock: the real one, unless a test fixes the time of day. */
  now?: () => Date;
}

/** One `kursvakt <name>` command; `args` are the words after the name. */
export type CliCommand = (args: string[], ctx: CliContext) => Promise<void>;

/** A feature's commands with their help lines, registered in src/cli.ts. */
export interface CliCommandSet {
  commands: Record<string, CliCommand>;
  /** Lines for `kursvakt help`, e.g. '  report [--as-of D]   skriv ut status per ansatt'. */
  help: string[];
}
