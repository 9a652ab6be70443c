import type { Config } from '../config';
import type { Database } from '../db/client';

/** An expected failure of a CLI command: its message (bokmål) is printed and the exit code is 1. */
export class CliError extends Error {}

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
