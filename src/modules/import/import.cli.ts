import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError, parseOptions, type CliCommandSet } from '../../lib/cli';
import { todayInOslo } from '../../lib/dates';
import { formatIssue, IMPORT_KINDS, type ImportKind } from './import.parse';
import { runImport, type ImportResult } from './import.service';

const USAGE = 'Bruk: kursvakt import units|employees|completions FIL [--dry-run] [--full]';

/** The summary lines of an import, the same for the CLI and the tests. */
export function describeImport(result: ImportResult, dryRun: boolean): string[] {
  const c = result.counts;
  const lines = [`${c.new} nye, ${c.changed} endret, ${c.ended} avsluttet, ${c.unchanged} uendret.`];
  if (result.accounts.created || result.accounts.linked)
    lines.push(
      dryRun
        ? `Brukerkontoer: ${result.accounts.created} opprettes, ${result.accounts.linked} kobles til ansatt.`
        : `Brukerkontoer: ${result.accounts.created} opprettet, ${result.accounts.linked} koblet til ansatt.`,
    );
  if (dryRun) lines.push('Prøvekjøring (--dry-run): ingenting er lagret.');
  else lines.push(`Importen er lagret: ${result.rowsWritten} rader skrevet.`);
  return lines;
}

/** `kursvakt import …`: the same validation and messages as the upload page. */
export const importCommands: CliCommandSet = {
  commands: {
    async import(args, { database, io }) {
      const { values, positionals } = parseOptions({
        args,
        options: {
          'dry-run': { type: 'boolean', default: false },
          full: { type: 'boolean', default: false },
        },
        allowPositionals: true,
        strict: true,
      });
      const [kind, file, ...extra] = positionals;
      if (!kind || !IMPORT_KINDS.includes(kind as ImportKind) || !file || extra.length > 0)
        throw new CliError(USAGE);
      let content: Buffer;
      try {
        content = fs.readFileSync(file);
      } catch {
        throw new CliError(`Fant ikke filen «${file}».`);
      }
      const result = await runImport(database.db, {
        kind: kind as ImportKind,
        content,
        full: values.full ?? false,
        dryRun: values['dry-run'] ?? false,
        actorUserId: null,
        today: todayInOslo(),
        fileName: path.basename(file),
        via: 'cli',
        actorLabel: os.userInfo().username,
      });
      if (result.issues.length > 0) {
        for (const issue of result.issues) io.err(formatIssue(issue));
        throw new CliError(`Filen har ${result.issues.length} feil. Ingenting er lagret.`);
      }
      for (const line of describeImport(result, values['dry-run'] ?? false)) io.out(line);
    },
  },
  help: [
    '  import units|employees|completions FIL [--dry-run] [--full]',
    '                                    importer enheter, ansatte eller fullføringer fra HR (CSV)',
  ],
};
