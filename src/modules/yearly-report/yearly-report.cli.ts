import { parseArgs } from 'node:util';
import { isValidLocalDate, todayInOslo } from '../../lib/dates';
import { CliError, type CliCommandSet } from '../../lib/cli';
import { findUnitByCode } from '../org/org.repo';
import type { UnitScope } from '../org/unit-scope';
import { yearSchema } from '../reviews/reviews.schema';
import { ensureBuiltinTopics } from '../reviews/reviews.service';
import { reportToCsv, reportToJson } from './yearly-report.export';
import { buildYearlyReport } from './yearly-report.service';
import { previousMonthEnd, takeMonthlySnapshot } from './snapshots.service';

/** `kursvakt yearly-report` and `kursvakt snapshots take`. */
export const yearlyReportCommands: CliCommandSet = {
  commands: {
    async 'yearly-report'(args, { database, io }) {
      const { values } = parseArgs({
        args,
        options: {
          year: { type: 'string' },
          unit: { type: 'string' },
          format: { type: 'string', default: 'json' },
          today: { type: 'string' },
        },
        strict: true,
      });
      const year = yearSchema.safeParse(values.year);
      if (!values.year || !year.success)
        throw new CliError('Oppgi året med --year ÅÅÅÅ, f.eks. --year 2025.');
      if (values.format !== 'json' && values.format !== 'csv')
        throw new CliError('Formatet må være json eller csv (--format json|csv).');
      const today = values.today ?? todayInOslo();
      if (!isValidLocalDate(today)) throw new CliError('--today må være en dato på formen ÅÅÅÅ-MM-DD.');
      let scope: UnitScope = { kind: 'all' };
      if (values.unit) {
        const unit = await findUnitByCode(database.db, values.unit);
        if (!unit) throw new CliError(`Fant ingen enhet med koden «${values.unit}».`);
        scope = { kind: 'units', rootUnitIds: [unit.id], paths: [unit.path] };
      }
      await ensureBuiltinTopics(database.db);
      const report = await buildYearlyReport(database.db, scope, year.data, today);
      if (values.format === 'csv') io.out(reportToCsv(report).trimEnd());
      else io.out(JSON.stringify(reportToJson(report), null, 2));
    },

    async snapshots(args, { database, io }) {
      const [sub, ...rest] = args;
      if (sub !== 'take') throw new CliError('Bruk: kursvakt snapshots take [--as-of ÅÅÅÅ-MM-DD]');
      const { values } = parseArgs({ args: rest, options: { 'as-of': { type: 'string' } }, strict: true });
      const asOf = values['as-of'] ?? previousMonthEnd(todayInOslo());
      if (!isValidLocalDate(asOf)) throw new CliError('--as-of må være en dato på formen ÅÅÅÅ-MM-DD.');
      const result = await takeMonthlySnapshot(database.db, asOf);
      io.out(`Øyeblikksbilde per ${asOf} er lagret (${result.rows} rader per enhet og kurskrav).`);
    },
  },
  help: [
    '  yearly-report --year ÅÅÅÅ [--unit KODE] [--format json|csv] [--today D]',
    '                                    årsrapporten: tall per sektor, enhet og kurs (status per 31.12,',
    '                                    eller per i dag for inneværende år)',
    '  snapshots take [--as-of D]        lagre øyeblikksbildet per dato D (standard: forrige månedsslutt)',
  ],
};
