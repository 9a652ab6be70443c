import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { asc } from 'drizzle-orm';
import { createApp } from '../../../src/app';
import { runCli } from '../../../src/cli';
import { parseConfig } from '../../../src/config';
import { openDatabase, type Database } from '../../../src/db/client';
import { orgUnits } from '../../../src/db/schema';
import { DEMO_COURSES } from '../../../src/modules/demo/demo-data';
import { DEMO_PASSWORD, loadDemo } from '../../../src/modules/demo/demo.service';
import type { ReportRow } from '../../../src/modules/reports/report-row';
import { loginAs } from '../../support/app';
import { parseFigureRows, type PageFigureRow } from './report-fixture';

jest.setTimeout(240_000);

/**
 * `kursvakt report` through runCli against a database of its own (a PGlite folder, or a fresh
 * schema on the PostgreSQL server), loaded with the demo. The pages and exports are read from an
 * app on the same database first; PGlite allows one opener, so the app's database is closed before
 * the CLI opens it.
 */

const TODAY = '2026-11-22';
const DATES = ['2024-06-01', '2027-06-30'] as const;
const COURSE_TITLES = new Map<string, string>(DEMO_COURSES.map((c) => [c.slug, c.title]));

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function cli(args: string[]): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Figures per unit (with sub-units) and course from CLI rows, by the DOMAIN.md rules. */
function figuresFromRows(
  rows: ReportRow[],
  units: Array<{ code: string; path: string }>,
): Map<string, Omit<PageFigureRow, 'unit' | 'course'>> {
  const pathOf = new Map(units.map((u) => [u.code, u.path]));
  const out = new Map<string, Omit<PageFigureRow, 'unit' | 'course'> & { valid: number }>();
  for (const unit of units) {
    for (const row of rows) {
      if (!row.unit || !pathOf.get(row.unit)!.startsWith(unit.path)) continue;
      const key = `${unit.code}|${COURSE_TITLES.get(row.course)}`;
      const f = out.get(key) ?? {
        counted: 0,
        done: 0,
        dueSoon: 0,
        overdue: 0,
        todo: 0,
        exempt: 0,
        rate: null,
        valid: 0,
      };
      f.counted++;
      if (row.status === 'done') f.done++;
      if (row.status === 'due_soon') f.dueSoon++;
      if (row.status === 'overdue') f.overdue++;
      if (row.status === 'todo') f.todo++;
      if (row.status === 'exempt') f.exempt++;
      if ((row.status === 'done' || row.status === 'due_soon') && row.completedAt) f.valid++;
      out.set(key, f);
    }
  }
  const result = new Map<string, Omit<PageFigureRow, 'unit' | 'course'>>();
  for (const [key, f] of out) {
    const { valid, ...rest } = f;
    const denominator = f.counted - f.exempt;
    result.set(key, { ...rest, rate: denominator > 0 ? Math.round((valid / denominator) * 100) : null });
  }
  return result;
}

describe('kursvakt report', () => {
  const savedEnv = { ...process.env };
  let dataDir: string | undefined;
  let schema: string | undefined;
  let units: Array<{ code: string; path: string }>;
  const pages = new Map<string, PageFigureRow[]>();
  const csvFigures = new Map<string, string[][]>();
  const leaderRows = new Map<string, string[][]>();

  function databaseEnv(): Record<string, string> {
    const url = process.env.TEST_DATABASE_URL;
    if (url) {
      schema = `t_cli_${randomBytes(5).toString('hex')}`;
      return { DATABASE_URL: url, DATABASE_SCHEMA: schema };
    }
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kursvakt-cli-'));
    return { DATA_DIR: dataDir };
  }

  async function openConfigured(env: Record<string, string>): Promise<Database> {
    return openDatabase({
      databaseUrl: env.DATABASE_URL,
      schema: env.DATABASE_SCHEMA,
      dataDir: env.DATA_DIR ?? '',
    });
  }

  beforeAll(async () => {
    const env = databaseEnv();
    const database = await openConfigured(env);
    try {
      await loadDemo(database.db, TODAY);
      units = await database.db
        .select({ code: orgUnits.code, path: orgUnits.path })
        .from(orgUnits)
        .orderBy(asc(orgUnits.path));
      const config = parseConfig({
        NODE_ENV: 'test',
        PORT: '3999',
        DATA_DIR: dataDir ?? '/tmp/kursvakt-test',
      });
      const { app, context } = createApp({
        config,
        database,
        now: () => new Date(`${TODAY}T10:00:00+01:00`),
      });
      try {
        const hr = await loginAs(app, 'hr@eksempel.kommune.no', DEMO_PASSWORD);
        const leader = await loginAs(app, 'ingrid.solheim@eksempel.kommune.no', DEMO_PASSWORD);
        for (const date of DATES) {
          pages.set(date, parseFigureRows((await hr.get(`/admin/rapport?dato=${date}`).expect(200)).text));
          const csv = await hr.get(`/admin/rapport/eksport.csv?dato=${date}`).expect(200);
          csvFigures.set(date, parse(csv.text, { delimiter: ';', bom: true }));
          const people = await leader.get(`/leder/eksport/ansatte.csv?dato=${date}&status=alle`).expect(200);
          leaderRows.set(date, parse(people.text, { delimiter: ';', bom: true }));
        }
      } finally {
        context.sessionStore.stopPruning();
      }
    } finally {
      await database.close();
    }
    Object.assign(process.env, env, { LOG_LEVEL: 'silent' });
  });

  afterAll(async () => {
    process.env = savedEnv;
    if (schema) {
      const database = await openDatabase({ dataDir: '', databaseUrl: savedEnv.TEST_DATABASE_URL, schema });
      await database.db.execute(`drop schema if exists "${schema}" cascade` as never);
      await database.close();
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test.each(DATES)(
    'when run for %s, then the JSON rows agree with the HR report page and its CSV export figure by figure',
    async (date) => {
      const result = await cli(['report', '--as-of', date]);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      const rows = JSON.parse(result.out) as ReportRow[];
      expect(rows.length).toBeGreaterThan(300);
      for (const row of rows) {
        expect(Object.keys(row)).toEqual([
          'employee',
          'name',
          'unit',
          'course',
          'status',
          'due',
          'completedAt',
          'reason',
        ]);
        expect(['done', 'todo', 'due_soon', 'overdue', 'exempt']).toContain(row.status);
        expect(row.due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        if (row.completedAt !== null) expect(row.completedAt <= date).toBe(true);
        expect(['handlingsplan', 'meldeplikt', 'taushetsplikt']).toContain(row.course);
      }
      const fromCli = figuresFromRows(rows, units);
      const page = pages.get(date)!.filter((r) => r.unit !== '' && r.course !== 'Alle kurs');
      expect(page.length).toBe(units.length * 3);
      for (const { unit, course, ...figures } of page) {
        const cliFigures = fromCli.get(`${unit}|${course}`) ?? {
          counted: 0,
          done: 0,
          dueSoon: 0,
          overdue: 0,
          todo: 0,
          exempt: 0,
          rate: null,
        };
        expect([unit, course, figures]).toEqual([unit, course, cliFigures]);
      }
      // The export's lines are the page's lines (unit code, course, counts, rate).
      const csv = csvFigures.get(date)!.slice(1);
      const csvLines = csv.map((r) => [r[0], r[4], ...r.slice(5).map((v) => (v === '' ? null : Number(v)))]);
      const pageLines = pages
        .get(date)!
        .map((r) => [r.unit, r.course, r.counted, r.done, r.dueSoon, r.overdue, r.todo, r.exempt, r.rate]);
      expect(csvLines).toEqual(pageLines);
      // Every status occurs on demo data on both sides of today.
      expect(new Set(rows.map((r) => r.status)).size).toBeGreaterThanOrEqual(4);
    },
  );

  test.each(DATES)(
    'when run for one unit on %s, then the rows are exactly what its leader exports from the dashboard',
    async (date) => {
      const result = await cli(['report', '--as-of', date, '--unit', 'OPP-SOL']);
      expect(result.code).toBe(0);
      const rows = JSON.parse(result.out) as ReportRow[];
      expect(new Set(rows.map((r) => r.unit))).toEqual(new Set(['OPP-SOL', 'OPP-SOL-SFO']));
      const statusLabels: Record<string, string> = {
        done: 'Fullført',
        todo: 'Ikke fullført',
        due_soon: 'Forfaller snart',
        overdue: 'Forfalt',
        exempt: 'Fritatt',
      };
      const key = (employee: string, course: string, status: string) => `${employee}|${course}|${status}`;
      const fromCli = rows
        .map((r) => key(r.employee, COURSE_TITLES.get(r.course)!, statusLabels[r.status]!))
        .sort();
      const fromLeader = leaderRows
        .get(date)!
        .slice(1)
        .map((r) => key(r[0]!, r[4]!, r[5]!))
        .sort();
      expect(fromCli).toEqual(fromLeader);
    },
  );

  test('when asked for CSV, then the same rows come as semicolon-separated lines with a header', async () => {
    const json = JSON.parse(
      (await cli(['report', '--as-of', DATES[0], '--unit', 'OPP-SOS'])).out,
    ) as ReportRow[];
    const result = await cli(['report', '--as-of', DATES[0], '--unit', 'OPP-SOS', '--format', 'csv']);
    expect(result.code).toBe(0);
    const lines = parse(result.out, { delimiter: ';', columns: true }) as Array<Record<string, string>>;
    expect(result.out.split('\n')[0]).toBe('employee;name;unit;course;status;due;completedAt;reason');
    expect(lines.map((l) => [l.employee, l.course, l.status, l.due, l.completedAt || null])).toEqual(
      json.map((r) => [r.employee, r.course, r.status, r.due, r.completedAt]),
    );
  });

  test('when the date, unit or format is wrong, then a bokmål message is printed and the exit code is not 0', async () => {
    const cases: Array<[string[], string]> = [
      [['report', '--as-of', '2026-02-30'], 'Ugyldig dato «2026-02-30» i --as-of. Bruk formatet ÅÅÅÅ-MM-DD'],
      [['report', '--as-of', '23.11.2026'], 'Ugyldig dato «23.11.2026»'],
      [['report', '--unit', 'FINNES-IKKE', '--as-of', TODAY], 'Fant ingen enhet med koden «FINNES-IKKE».'],
      [
        ['report', '--format', 'xml', '--as-of', TODAY],
        'Ukjent format «xml» i --format. Velg json eller csv.',
      ],
      [['report', '--enhet', 'OPP'], 'Ugyldige valg'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect([args.join(' '), result.code]).toEqual([args.join(' '), 1]);
      expect(result.err).toContain(message);
      expect(result.out).toBe('');
    }
  });
});
