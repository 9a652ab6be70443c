import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { isValidLocalDate, todayInOslo } from '../../lib/dates';
import { CliError, type CliCommandSet } from '../../lib/cli';
import type { ReportRow } from './report-row';
import { listReportRows } from './reports.service';

const REPORT_COLUMNS: Array<keyof ReportRow> = [
  'employee',
  'name',
  'unit',
  'course',
  'status',
  'due',
  'completedAt',
  'reason',
];

const USAGE = 'Bruk: kursvakt report [--as-of ÅÅÅÅ-MM-DD] [--unit KODE] [--format json|csv]';

function parseReportArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        'as-of': { type: 'string' },
        unit: { type: 'string' },
        format: { type: 'string', default: 'json' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS')) throw new CliError(`Ugyldige valg. ${USAGE}`);
    throw error;
  }
}

/** `kursvakt report`: every employee × requirement status on a date, as JSON or CSV on stdout. */
export const reportCommands: CliCommandSet = {
  commands: {
    async report(args, { database, io }) {
      const values = parseReportArgs(args);
      const asOf = values['as-of'] ?? todayInOslo();
      if (!isValidLocalDate(asOf))
        throw new CliError(
          `Ugyldig dato «${asOf}» i --as-of. Bruk formatet ÅÅÅÅ-MM-DD, for eksempel 2026-11-23.`,
        );
      const format = values.format;
      if (format !== 'json' && format !== 'csv')
        throw new CliError(`Ukjent format «${format}» i --format. Velg json eller csv.`);
      const unitCode = values.unit?.trim();
      if (values.unit !== undefined && !unitCode) throw new CliError('Oppgi en enhetskode med --unit.');
      const rows = await listReportRows(database.db, asOf, { unitCode });
      if (format === 'json') {
        io.out(JSON.stringify(rows, null, 2));
      } else {
        io.out(
          stringify(rows, {
            header: true,
            columns: REPORT_COLUMNS,
            delimiter: ';',
            record_delimiter: 'unix',
          }).trimEnd(),
        );
      }
    },
  },
  help: [
    '  report [--as-of YYYY-MM-DD] [--unit CODE] [--format json|csv]',
    '                                    status per ansatt og kurs på en dato (standard: i dag), hele',
    '                                    organisasjonen eller én enhet med underenheter',
  ],
};
