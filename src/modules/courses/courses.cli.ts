import path from 'node:path';
import { parseArgs } from 'node:util';
import { CliError, type CliCommandSet } from '../../lib/cli';
import {
  importScormPackage,
  listCourses,
  type BuiltinInstallResult,
  type ImportScormPackageResult,
} from './courses.service';

const USAGE = [
  'Bruk:',
  '  kursvakt courses import FIL.zip [--course SLUG]',
  '  kursvakt courses list [--format json]',
].join('\n');

function scoCount(n: number): string {
  return n === 1 ? '1 SCO' : `${n} SCO-er`;
}

/** The one bokmål sentence that tells the admin what an import did; also used by the upload page. */
export function describeImport(result: ImportScormPackageResult): string {
  const what = `«${result.courseTitle}» (${result.courseSlug})`;
  if (!result.created)
    return `Pakken er lik den nyeste versjonen (versjon ${result.version}) av ${what}. Ingen ny versjon er laget.`;
  const details = `SCORM ${result.manifest.scormVersion}, ${scoCount(result.manifest.scos.length)}`;
  if (result.newCourse) return `Nytt kurs ${what} er opprettet med versjon 1 (${details}).`;
  return `${what} har fått versjon ${result.version} (${details}).`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `kursvakt courses import|list`. */
export const coursesCommands: CliCommandSet = {
  commands: {
    async courses(args, { database, io, config }) {
      const [sub, ...rest] = args;
      if (sub === 'import') {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { course: { type: 'string' } },
          allowPositionals: true,
          strict: true,
        });
        if (positionals.length !== 1) throw new CliError(`Oppgi én zip-fil.\n${USAGE}`);
        const result = await importScormPackage(database.db, {
          dataDir: config.dataDir,
          zipPath: path.resolve(positionals[0]!),
          ...(values.course !== undefined ? { courseSlug: values.course } : {}),
        });
        io.out(describeImport(result));
        return;
      }
      if (sub === 'list') {
        const { values } = parseArgs({
          args: rest,
          options: { format: { type: 'string', default: 'table' } },
          strict: true,
        });
        if (values.format !== 'table' && values.format !== 'json')
          throw new CliError('--format kan være «table» eller «json».');
        const list = await listCourses(database.db);
        if (values.format === 'json') {
          io.out(
            JSON.stringify(
              list.map((c) => ({
                slug: c.slug,
                title: c.title,
                versions: c.versions,
                latestVersion: c.latestVersion,
                scormVersion: c.scormVersion,
                scoCount: c.scoCount,
                builtin: c.builtin,
              })),
              null,
              2,
            ),
          );
          return;
        }
        if (list.length === 0) {
          io.out('Ingen kurs ennå. Importer en SCORM-pakke med «kursvakt courses import FIL.zip».');
          return;
        }
        const header = ['kurs', 'tittel', 'versjoner', 'SCORM', 'SCO-er', 'innebygd'];
        const rows = list.map((c) => [
          c.slug,
          c.title,
          String(c.versions),
          c.scormVersion ?? '–',
          String(c.scoCount),
          c.builtin ? 'ja' : 'nei',
        ]);
        io.out(table([header, ...rows]));
        return;
      }
      throw new CliError(USAGE);
    },
  },
  help: [
    '  courses import FIL.zip [--course SLUG]  importer en SCORM-pakke (nytt kurs eller ny versjon)',
    '  courses list [--format json]      vis kursene med versjoner, SCORM-versjon og antall SCO-er',
  ],
};

/** One bokmål line per built-in course, for `kursvakt demo` and the server log. */
export function describeBuiltinInstall(results: BuiltinInstallResult[]): string[] {
  return results.map((r) => {
    if (r.outcome === 'installed') return `Innebygd kurs ${r.slug}: versjon ${r.version} er installert.`;
    if (r.outcome === 'unchanged') return `Innebygd kurs ${r.slug}: uendret (versjon ${r.version}).`;
    return `Innebygd kurs ${r.slug}: ikke bygget ennå (kjør «npm run build:courses»).`;
  });
}
