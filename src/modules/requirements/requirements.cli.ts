import os from 'node:os';
import { CliError, parseOptions, type CliCommandSet } from '../../lib/cli';
import { formatNorwegianDate, todayInOslo } from '../../lib/dates';
import { ValidationError } from '../../lib/errors';
import { parseInput } from '../../lib/validation';
import { findUnitsByCodes, listCourses } from './requirements.repo';
import { requirementInputSchema, type RequirementInput } from './requirements.schema';
import { inputOf, listAllRequirements, previewRequirement, saveRequirement } from './requirements.service';

const SET_USAGE =
  'Bruk: kursvakt requirements set KURS [--first-deadline D] [--renewal cycle|rolling] [--months N] [--new-hire-months N] [--due-soon-days N] [--units KODE,KODE|alle] [--roles rolle,rolle|ingen] [--name NAVN] [--dry-run]';

const RENEWAL_LABEL = { cycle: 'syklus', rolling: 'løpende' } as const;

/** `kursvakt requirements list|set`: the requirement editor on the command line. */
export const requirementCommands: CliCommandSet = {
  commands: {
    async requirements(args, { database, io }) {
      const [sub, ...rest] = args;
      const db = database.db;
      if (sub === 'list') {
        if (rest.length > 0) throw new CliError('Bruk: kursvakt requirements list');
        const list = await listAllRequirements(db);
        if (list.length === 0) {
          io.out('Ingen kurskrav er registrert.');
          return;
        }
        for (const r of list) {
          const audience = r.audienceAll ? 'alle ansatte' : `enheter ${r.audienceUnitIds.length}`;
          const roles = r.audienceRoleTags.length ? `, roller ${r.audienceRoleTags.join('|')}` : '';
          io.out(
            `${r.courseSlug}: ${r.name} – ${audience}${roles}; første frist ${formatNorwegianDate(r.firstDeadline)}, ` +
              `fornyes ${RENEWAL_LABEL[r.renewalMode]} hver ${r.renewalMonths}. måned, nyansatte ${r.newHireMonths} mnd, ` +
              `forfaller snart ${r.dueSoonDays} dager${r.active ? '' : ' (ikke aktivt)'}`,
          );
        }
        return;
      }
      if (sub !== 'set') throw new CliError(`Bruk: kursvakt requirements list | ${SET_USAGE.slice(6)}`);
      const { values, positionals } = parseOptions({
        args: rest,
        options: {
          'first-deadline': { type: 'string' },
          renewal: { type: 'string' },
          months: { type: 'string' },
          'new-hire-months': { type: 'string' },
          'due-soon-days': { type: 'string' },
          units: { type: 'string' },
          roles: { type: 'string' },
          name: { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
        },
        allowPositionals: true,
        strict: true,
      });
      const [slug, ...extra] = positionals;
      if (!slug || extra.length > 0) throw new CliError(SET_USAGE);
      const course = (await listCourses(db)).find((c) => c.slug === slug.toLowerCase());
      if (!course) throw new CliError(`Kurset «${slug}» finnes ikke.`);
      const existing = (await listAllRequirements(db)).find((r) => r.courseId === course.id) ?? null;
      if (!existing && !values['first-deadline'])
        throw new CliError(`Kurset «${slug}» har ikke noe kurskrav ennå. Oppgi minst --first-deadline.`);
      const base: Partial<RequirementInput> = existing
        ? inputOf(existing)
        : {
            courseId: course.id,
            name: `Alle ansatte: ${course.title}`,
            audience: 'all',
            unitIds: [],
            roleTags: [],
            active: true,
          };
      const raw: Record<string, unknown> = {
        ...base,
        renewalMode: values.renewal ?? base.renewalMode ?? 'cycle',
        renewalMonths: values.months ?? base.renewalMonths ?? 24,
        newHireMonths: values['new-hire-months'] ?? base.newHireMonths ?? 12,
        dueSoonDays: values['due-soon-days'] ?? base.dueSoonDays ?? 30,
        firstDeadline: values['first-deadline'] ?? base.firstDeadline,
        name: values.name ?? base.name,
        active: base.active ?? true,
      };
      if (values.units !== undefined) {
        if (['alle', 'all', ''].includes(values.units.trim().toLowerCase())) {
          raw.audience = 'all';
          raw.unitIds = [];
        } else {
          const codes = values.units
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean);
          const units = await findUnitsByCodes(db, codes);
          const missing = codes.filter((c) => !units.some((u) => u.code === c));
          if (missing.length) throw new CliError(`Enheten finnes ikke: ${missing.join(', ')}.`);
          raw.audience = 'units';
          raw.unitIds = units.map((u) => u.id);
        }
      }
      if (values.roles !== undefined)
        raw.roleTags = ['ingen', 'none', ''].includes(values.roles.trim().toLowerCase())
          ? []
          : values.roles.split(',');
      // A new requirement without --name is named after the course and whom it is for.
      if (!existing && values.name === undefined) {
        const everyone = raw.audience === 'all' && (raw.roleTags as string[]).length === 0;
        raw.name = everyone ? `Alle ansatte: ${course.title}` : course.title;
      }
      let input: RequirementInput;
      try {
        input = parseInput(requirementInputSchema, raw);
      } catch (error) {
        if (error instanceof ValidationError)
          throw new CliError(Object.values(error.fieldErrors).join('\n') || error.message);
        throw error;
      }
      const today = todayInOslo();
      const preview = values['dry-run']
        ? await previewRequirement(db, existing?.id ?? null, input, today)
        : (
            await saveRequirement(
              db,
              existing?.id ?? null,
              input,
              { userId: null, label: os.userInfo().username },
              today,
            )
          ).preview;
      io.out(
        `${preview.changed} ansatte får ny status eller frist per ${formatNorwegianDate(today)} ` +
          `(${preview.statusChanged} ny status, ${preview.dueChanged} ny frist, ${preview.entered} kommer inn, ${preview.left} faller ut).`,
      );
      for (const row of preview.rows.slice(0, 20))
        io.out(`  ${row.employeeNumber} ${row.name}: ${describe(row.before)} → ${describe(row.after)}`);
      if (preview.rows.length > 20) io.out(`  … og ${preview.rows.length - 20} til.`);
      io.out(
        values['dry-run']
          ? 'Prøvekjøring (--dry-run): kravet er ikke lagret.'
          : `Kurskravet for «${course.slug}» er ${existing ? 'oppdatert' : 'opprettet'}.`,
      );
    },
  },
  help: [
    '  requirements list                 vis kurskravene',
    '  requirements set KURS [--first-deadline D] [--renewal cycle|rolling] [--months N]',
    '               [--new-hire-months N] [--due-soon-days N] [--units KODE,KODE|alle] [--roles rolle,rolle|ingen] [--name NAVN] [--dry-run]',
    '                                    opprett eller endre kurskravet for et kurs; viser hvem som får ny frist',
  ],
};

const STATUS_WORD: Record<string, string> = {
  done: 'fullført',
  todo: 'ikke fullført',
  due_soon: 'forfaller snart',
  overdue: 'forfalt',
  exempt: 'fritatt',
};

function describe(s: { status: string; dueDate: string | null } | null): string {
  if (!s) return 'ikke omfattet';
  return `${STATUS_WORD[s.status] ?? s.status}${s.dueDate ? ` (frist ${formatNorwegianDate(s.dueDate)})` : ''}`;
}
