import { parseArgs } from 'node:util';
import { CliError, type CliCommandSet } from '../../lib/cli';
import { formatNorwegianDate, isValidLocalDate, todayInOslo } from '../../lib/dates';
import { countDays, MAIL_KIND_LABELS } from '../mail/templates';
import { listSchedules } from './reminders.repo';
import { dryRunSchedule, runScheduleNow, type RunResult } from './reminders.service';

const STATE_LABELS = {
  enqueued: 'lagt i kø',
  already: 'sendt før',
  would_enqueue: 'ville blitt lagt i kø',
} as const;

function printText(results: RunResult[], out: (line: string) => void): void {
  for (const r of results) {
    out(
      `Plan ${r.scheduleId} «${r.scheduleName}» per ${formatNorwegianDate(r.asOf)}${r.dryRun ? ' (prøvekjøring)' : ''}:`,
    );
    if (r.skippedReason) {
      out(`  Kjører ikke: ${r.skippedReason}`);
      continue;
    }
    const shown = r.items.filter((i) => i.state !== 'already');
    if (shown.length === 0) out('  Ingen nye påminnelser.');
    for (const i of shown) {
      out(
        [
          `  ${STATE_LABELS[i.state]}`,
          i.recipient,
          MAIL_KIND_LABELS[i.kind as keyof typeof MAIL_KIND_LABELS] ?? i.kind,
          i.employeeName ?? '–',
          i.courseTitle ?? '–',
          i.dueDate ? formatNorwegianDate(i.dueDate) : '–',
          i.key,
        ].join(' | '),
      );
    }
    const verb = r.dryRun ? 'ville blitt lagt i kø' : 'lagt i kø';
    out(
      `  ${r.dryRun ? r.items.filter((i) => i.state === 'would_enqueue').length : r.enqueued} ${verb}, ${r.already} sendt før.`,
    );
    const { interval, maxReached, intervalDays, maxCount } = r.heldBack;
    if (interval + maxReached > 0)
      out(
        `  Ikke påminnet nå: ${interval} forfalte kurs (påminnet for mindre enn ${countDays(intervalDays)} siden), ${maxReached} (har fått alle ${maxCount}).`,
      );
  }
}

/** `kursvakt reminders run`. */
export const remindersCommands: CliCommandSet = {
  commands: {
    async reminders(args, { database, io, config, now: clock }) {
      const [sub, ...rest] = args;
      if (sub !== 'run')
        throw new CliError('Bruk: kursvakt reminders run [--as-of ÅÅÅÅ-MM-DD] [--dry-run] [--format json]');
      const { values } = parseArgs({
        args: rest,
        options: {
          'as-of': { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
          format: { type: 'string', default: 'text' },
        },
        strict: true,
      });
      const now = clock?.() ?? new Date();
      const asOf = values['as-of'] ?? todayInOslo(now);
      if (!isValidLocalDate(asOf))
        throw new CliError(`«${asOf}» er ikke en gyldig dato. Bruk formen ÅÅÅÅ-MM-DD.`);
      if (values.format !== 'text' && values.format !== 'json')
        throw new CliError('--format må være «text» eller «json».');
      const schedules = await listSchedules(database.db, { activeOnly: true });
      const env = { baseUrl: config.baseUrl, now };
      const results: RunResult[] = [];
      for (const schedule of schedules) {
        results.push(
          values['dry-run']
            ? await dryRunSchedule(database.db, schedule, asOf, env)
            : await runScheduleNow(database.db, schedule, asOf, env),
        );
      }
      if (values.format === 'json') {
        io.out(JSON.stringify({ asOf, dryRun: values['dry-run'], schedules: results }, null, 2));
        return;
      }
      if (schedules.length === 0) io.out('Det finnes ingen aktive påminnelsesplaner.');
      printText(results, io.out);
    },
  },
  help: [
    '  reminders run [--as-of D] [--dry-run] [--format json]',
    '                                    kjør alle aktive påminnelsesplaner én gang som om de gikk denne dagen',
  ],
};
