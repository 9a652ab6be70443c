import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Response } from 'superagent';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { mailOutbox, employees, orgUnits } from '../../../src/db/schema';
import type { CliIo } from '../../../src/lib/cli';
import type { ReportRow } from '../../../src/modules/reports/report-row';
import { reportCommands } from '../../../src/modules/reports/reports.cli';
import { DEMO_PASSWORD, loadDemo } from '../../../src/modules/demo/demo.service';
import { yearlyReportCommands } from '../../../src/modules/yearly-report/yearly-report.cli';
import { formatChange, formatPercent } from '../../../src/modules/yearly-report/yearly-report.export';
import { createTestApp, loginAs, type TestApp } from '../../support/app';

jest.setTimeout(120_000);

/** The text of a PDF as pdftotext (poppler-utils) reads it, whitespace collapsed. */
function textOfPdf(body: Buffer): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kursvakt-pdf-'));
  try {
    const file = path.join(dir, 'rapport.pdf');
    writeFileSync(file, body);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface JsonFigure {
  level: 'total' | 'sector' | 'unit';
  code: string | null;
  name: string;
  course: string;
  counted: number;
  done: number;
  todo: number;
  dueSoon: number;
  overdue: number;
  exempt: number;
  withValidCompletion: number;
  completionRate: number | null;
  previousRate: number | null;
  change: number | null;
  newHires: number;
  newHiresMet: number;
  newHiresPending: number;
}

/** The yearly report on the demo (two years of history), checked against `kursvakt report --as-of` rows. */
describe('the yearly report on the demo data', () => {
  let t: TestApp;
  const today = '2026-11-22';
  /** Unit code → the code of its sector (the unit just below the municipality; the municipality for itself). */
  let sectorOf: Map<string, string>;
  let hireDates: Map<string, string>;

  beforeAll(async () => {
    t = await createTestApp({ now: new Date(`${today}T10:00:00+01:00`) });
    await loadDemo(t.database.db, today);
    const units = await t.database.db
      .select({ id: orgUnits.id, code: orgUnits.code, path: orgUnits.path })
      .from(orgUnits);
    const codeById = new Map(units.map((u) => [u.id, u.code]));
    sectorOf = new Map(
      units.map((u) => {
        const ids = u.path.split('/').filter(Boolean).map(Number);
        return [u.code, codeById.get(ids[1] ?? ids[0]!)!];
      }),
    );
    const people = await t.database.db
      .select({ number: employees.employeeNumber, hireDate: employees.hireDate })
      .from(employees);
    hireDates = new Map(people.map((p) => [p.number, p.hireDate]));
  });
  afterAll(() => t.close());

  async function runCommand(set: typeof reportCommands, name: string, args: string[]): Promise<string> {
    const out: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => out.push(l) };
    await set.commands[name]!(args, { config: t.config, database: t.database, io });
    return out.join('\n');
  }

  async function reportRows(asOf: string): Promise<ReportRow[]> {
    return JSON.parse(await runCommand(reportCommands, 'report', ['--as-of', asOf, '--format', 'json']));
  }

  async function yearly(year: number, extra: string[] = []) {
    return JSON.parse(
      await runCommand(yearlyReportCommands, 'yearly-report', [
        '--year',
        String(year),
        '--format',
        'json',
        '--today',
        today,
        ...extra,
      ]),
    ) as {
      asOf: string;
      previousAsOf: string;
      previousSource: string;
      figures: JsonFigure[];
      mailsSent: number;
    };
  }

  function rowsOfFigure(rows: ReportRow[], f: Pick<JsonFigure, 'level' | 'code' | 'course'>): ReportRow[] {
    return rows.filter((r) => {
      if (r.course !== f.course) return false;
      if (f.level === 'total') return true;
      if (f.code === null) return r.unit === null;
      if (f.level === 'unit') return r.unit === f.code;
      return r.unit !== null && sectorOf.get(r.unit) === f.code;
    });
  }

  function rateFrom(rows: ReportRow[]): number | null {
    const valid = rows.filter(
      (r) => (r.status === 'done' || r.status === 'due_soon') && r.completedAt,
    ).length;
    const denominator = rows.length - rows.filter((r) => r.status === 'exempt').length;
    return denominator > 0 ? Math.round((valid / denominator) * 1000) / 10 : null;
  }

  for (const year of [2025, 2026]) {
    test(`when HR takes the ${year} report, then every figure is a count over the report rows as of its date`, async () => {
      const report = await yearly(year);
      expect(report.asOf).toBe(year === 2025 ? '2025-12-31' : today);
      const rows = await reportRows(report.asOf);
      const previousRows = await reportRows(report.previousAsOf);
      expect(report.previousSource).toBe('snapshot');
      expect(report.figures.length).toBeGreaterThan(40);
      for (const f of report.figures) {
        const own = rowsOfFigure(rows, f);
        const count = (status: string) => own.filter((r) => r.status === status).length;
        const expected = {
          counted: own.length,
          done: count('done'),
          todo: count('todo'),
          dueSoon: count('due_soon'),
          overdue: count('overdue'),
          exempt: count('exempt'),
          completionRate: rateFrom(own),
          previousRate: rateFrom(rowsOfFigure(previousRows, f)),
          newHires: own.filter((r) => hireDates.get(r.employee)!.startsWith(`${year}-`)).length,
        };
        expect([f.level, f.code, f.course, pick(f, Object.keys(expected))]).toEqual([
          f.level,
          f.code,
          f.course,
          expected,
        ]);
        expect(f.newHiresMet + f.newHiresPending).toBeLessThanOrEqual(f.newHires);
      }
      // Unit rows count direct members only, so they add up to the total without double counting.
      for (const course of ['handlingsplan', 'meldeplikt', 'taushetsplikt']) {
        const total = report.figures.find((f) => f.level === 'total' && f.course === course)!;
        const units = report.figures.filter((f) => f.level === 'unit' && f.course === course);
        expect(units.reduce((n, f) => n + f.counted, 0)).toBe(total.counted);
        expect(total.counted).toBe(rows.filter((r) => r.course === course).length);
      }
    });
  }

  test('when last year is reported, then employees who have left since still count for that year', async () => {
    const report = await yearly(2025);
    const lastYearRows = await reportRows('2025-12-31');
    const stillHere = new Set((await reportRows(today)).map((r) => r.employee));
    const leftSince = lastYearRows.filter((r) => r.course === 'handlingsplan' && !stillHere.has(r.employee));
    expect(leftSince.length).toBeGreaterThan(0);
    const total = report.figures.find((f) => f.level === 'total' && f.course === 'handlingsplan')!;
    expect(total.counted).toBe(lastYearRows.filter((r) => r.course === 'handlingsplan').length);
  });

  test('when a leader opens the report, then only their units appear, on the page and in the XLSX', async () => {
    const leader = await loginAs(t.app, 'ingrid.solheim@eksempel.kommune.no', DEMO_PASSWORD);
    const page = await leader.get('/leder/arsrapport?ar=2025').expect(200);
    expect(page.text).toContain('Solbakken skole');
    expect(page.text).toContain('Solbakken skolefritidsordning');
    for (const other of ['Nordby skole', 'NAV Eksempel', 'Eikhaugen', 'Tussilago', 'Helse og omsorg'])
      expect([other, page.text.includes(other)]).toEqual([other, false]);
    const keys = [...page.text.matchAll(/data-key="(?:total|sector|unit):([^:]+):/g)].map((m) => m[1]);
    expect(new Set(keys)).toEqual(new Set(['-', 'OPP-SOL', 'OPP-SOL-SFO']));

    const xlsx = await leader.get('/leder/arsrapport/xlsx?ar=2025').buffer(true).parse(binary).expect(200);
    const workbook = await loadWorkbook(xlsx.body);
    const people = workbook.worksheets[1]!;
    const unitsInSheet = new Set<string>();
    people.eachRow((row, n) => {
      if (n > 1) unitsInSheet.add(String(row.getCell(3).value));
    });
    expect(unitsInSheet).toEqual(new Set(['OPP-SOL', 'OPP-SOL-SFO']));
    const pdf = await leader.get('/leder/arsrapport/pdf?ar=2025').buffer(true).parse(binary).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');

    await leader.get('/admin/arsrapport?ar=2025').expect(403);
    await leader.get('/admin/arsrapport/xlsx?ar=2025').expect(403);
  });

  test('when HR downloads the XLSX, then its figures equal the numbers on the page', async () => {
    const hr = await loginAs(t.app, 'hr@eksempel.kommune.no', DEMO_PASSWORD);
    const page = await hr.get('/admin/arsrapport?ar=2025').expect(200);
    expect(page.text).toContain('Status per <strong>31.12.2025</strong> (årets slutt)');
    const pageRows = new Map<string, string[]>();
    for (const m of page.text.matchAll(/<tr data-key="((?:total|sector|unit):[^"]+)">([\s\S]*?)<\/tr>/g)) {
      const cells = [...m[2]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]!.trim());
      pageRows.set(m[1]!, cells);
    }
    const res = await hr.get('/admin/arsrapport/xlsx?ar=2025').buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toContain('arsrapport-2025.xlsx');
    const workbook = await loadWorkbook(res.body);
    const sheet = workbook.getWorksheet('Tall')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    const col = (name: string) => header.indexOf(name) + 1;
    let compared = 0;
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const level = { totalt: 'total', sektor: 'sector', enhet: 'unit' }[
        String(row.getCell(col('nivå')).value)
      ];
      const code = row.getCell(col('enhetskode')).value ?? '-';
      const key = `${level}:${code}:${row.getCell(col('kurs')).value}`;
      const cells = pageRows.get(key);
      expect([key, cells !== undefined]).toEqual([key, true]);
      const num = (name: string) => row.getCell(col(name)).value as number | null;
      const pct = (name: string) => {
        const v = num(name);
        return v === null ? null : v / 100;
      };
      expect([key, cells!.slice(-9)]).toEqual([
        key,
        [
          String(num('ansatte_som_teller')),
          String(num('fritatt')),
          formatPercent(pct('fullføringsgrad_prosent')),
          formatPercent(pct('fjorårets_grad_prosent')),
          formatChange(num('endring_prosentpoeng')),
          String(num('forfalt')),
          String(num('nyansatte_i_året')),
          String(num('nyansatte_innen_frist')),
          String(num('nyansatte_frist_ikke_passert')),
        ],
      ]);
      compared++;
    });
    expect(compared).toBe(pageRows.size);
    const people = workbook.worksheets[1]!;
    expect(people.name).toBe('Ansatte per 31.12.2025');
    expect(people.rowCount - 1).toBe((await reportRows('2025-12-31')).length);

    const pdf = await hr.get('/admin/arsrapport/pdf?ar=2025').buffer(true).parse(binary).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    // The text as a PDF reader extracts it: the formula's minus is a minus (the standard fonts have
    // no U+2212, which came out as a quotation mark), and the review count agrees in number.
    const pdfText = textOfPdf(pdf.body as Buffer);
    expect(pdfText).toContain('÷ (ansatte som teller - fritatte)');
    expect(pdfText).not.toContain('"');
    const withReview = Number(/(\d+) enhete?r? har alle årets gjennomganger/.exec(pdfText)?.[1]);
    expect(pdfText).toContain(
      `${withReview} ${withReview === 1 ? 'enhet' : 'enheter'} har alle årets gjennomganger`,
    );
  });

  test('when mails were sent in a year, then the report counts them for that year and only in scope', async () => {
    const [solEmployee] = await t.database.db
      .select({ id: employees.id })
      .from(employees)
      .innerJoin(orgUnits, eq(orgUnits.id, employees.unitId))
      .where(eq(orgUnits.code, 'OPP-SOL'))
      .limit(1);
    await t.database.db.insert(mailOutbox).values([
      {
        idempotencyKey: 'y1',
        kind: 'employee_overdue',
        toAddress: 'a@x.no',
        subject: 's',
        bodyText: 'b',
        status: 'sent',
        sentAt: new Date('2025-06-01T10:00:00Z'),
        employeeId: solEmployee!.id,
      },
      {
        idempotencyKey: 'y2',
        kind: 'employee_overdue',
        toAddress: 'a@x.no',
        subject: 's',
        bodyText: 'b',
        status: 'sent',
        sentAt: new Date('2024-12-31T23:30:00Z'),
        employeeId: solEmployee!.id,
      },
      {
        idempotencyKey: 'y3',
        kind: 'employee_overdue',
        toAddress: 'a@x.no',
        subject: 's',
        bodyText: 'b',
        status: 'failed',
        employeeId: solEmployee!.id,
      },
    ]);
    expect((await yearly(2025)).mailsSent).toBe(2);
    expect((await yearly(2024)).mailsSent).toBe(0);
    expect((await yearly(2025, ['--unit', 'NAV'])).mailsSent).toBe(0);
    expect((await yearly(2025, ['--unit', 'OPP-SOL'])).mailsSent).toBe(2);
  });
});

function pick(o: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]]));
}

/** A supertest parser that keeps the body as a Buffer (XLSX, PDF). */
function binary(res: Response, callback: (err: Error | null, body: unknown) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}

async function loadWorkbook(body: unknown): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as ArrayBuffer);
  return workbook;
}
