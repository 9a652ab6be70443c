import { parse } from 'csv-parse/sync';
import type request from 'supertest';
import { createTestApp, loginAs, type TestApp } from '../../support/app';
import { TEST_PASSWORD } from '../../support/factories';
import {
  binaryParser,
  createReportFixture,
  parseEmployeeNumbers,
  parseFigureRows,
  xlsxRows,
  type PageFigureRow,
  type ReportFixture,
} from './report-fixture';

jest.setTimeout(120_000);

type Cell = string | number | null;

/** Unit figure rows of an export (CSV strings or XLSX values), in the page's shape. */
function figureRowsOf(rows: Cell[][]): PageFigureRow[] {
  const [header, ...body] = rows;
  expect(header).toEqual([
    'Enhetskode',
    'Enhet',
    'Nivå',
    'Ansatte',
    'Kurs',
    'Teller',
    'Fullført',
    'Forfaller snart',
    'Forfalt',
    'Ikke fullført',
    'Fritatt',
    'Fullføringsgrad (%)',
  ]);
  return body.map((r) => ({
    unit: r[0] === null ? '' : String(r[0]),
    course: String(r[4]),
    counted: Number(r[5]),
    done: Number(r[6]),
    dueSoon: Number(r[7]),
    overdue: Number(r[8]),
    todo: Number(r[9]),
    exempt: Number(r[10]),
    rate: r[11] === null || r[11] === '' ? null : Number(r[11]),
  }));
}

const parseCsv = (text: string): string[][] => parse(text, { delimiter: ';', bom: true });

describe('CSV and XLSX exports hold exactly the numbers on screen', () => {
  let t: TestApp;
  let f: ReportFixture;
  let leaderA: request.Agent;
  let leaderTwo: request.Agent;
  let hr: request.Agent;

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    f = await createReportFixture(t.database.db);
    leaderA = await loginAs(t.app, f.emails.leaderA, TEST_PASSWORD);
    leaderTwo = await loginAs(t.app, f.emails.leaderTwo, TEST_PASSWORD);
    hr = await loginAs(t.app, f.emails.admin, TEST_PASSWORD);
  });
  afterAll(() => t.close());

  async function xlsx(agent: request.Agent, path: string) {
    const res = await agent.get(path).buffer(true).parse(binaryParser).expect(200);
    return { res, body: res.body as Buffer };
  }

  test.each([
    ['today', ''],
    ['a past date', 'dato=2024-06-01'],
    ['a future date', 'dato=2027-12-15'],
    ['one course and a status', 'dato=2027-12-15&status=overdue&kurs=COURSE'],
  ])(
    'when a leader exports the dashboard for %s, then the CSV and XLSX figures and people equal the page',
    async (_label, rawQuery) => {
      const query = rawQuery.replace('COURSE', String(f.requirements.handlingsplan));
      const qs = query ? `?${query}` : '';
      const page = await leaderA.get(`/leder${qs}`).expect(200);
      const onScreen = parseFigureRows(page.text);
      expect(onScreen.length).toBeGreaterThan(0);

      const csv = await leaderA.get(`/leder/eksport/enheter.csv${qs}`).expect(200);
      expect(csv.text.startsWith('\uFEFFEnhetskode;Enhet;')).toBe(true);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(figureRowsOf(parseCsv(csv.text))).toEqual(onScreen);

      const { body } = await xlsx(leaderA, `/leder/eksport.xlsx${qs}`);
      expect(figureRowsOf(await xlsxRows(body, 'Enheter'))).toEqual(onScreen);

      const people = parseEmployeeNumbers(page.text);
      const csvPeople = parseCsv((await leaderA.get(`/leder/eksport/ansatte.csv${qs}`).expect(200)).text);
      expect(csvPeople[0]).toEqual([
        'Ansattnummer',
        'Navn',
        'Enhetskode',
        'Enhet',
        'Kurs',
        'Status',
        'Frist',
        'Sist fullført',
        'Begrunnelse',
      ]);
      expect(csvPeople.slice(1).map((r) => r[0])).toEqual(people);
      const xlsxPeople = await xlsxRows(body, 'Ansatte');
      expect(xlsxPeople.slice(1).map((r) => r[0])).toEqual(people);
      // Status and due date as on screen.
      for (const row of csvPeople.slice(1)) {
        expect(page.text).toContain(`<td>${row[6]}</td>`);
        expect(['Fullført', 'Ikke fullført', 'Forfaller snart', 'Forfalt', 'Fritatt']).toContain(row[5]);
      }
    },
  );

  test('when files are downloaded, then their names carry the unit code and the date', async () => {
    const one = await leaderA.get('/leder/eksport/enheter.csv').expect(200);
    expect(one.headers['content-disposition']).toBe(
      'attachment; filename=kursvakt-rapport-ALFA-2026-11-22.csv',
    );
    const sub = await leaderA
      .get(`/leder/eksport/ansatte.csv?enhet=${f.units.a1.id}&dato=2025-01-31`)
      .expect(200);
    expect(sub.headers['content-disposition']).toBe(
      'attachment; filename=kursvakt-ansatte-ALFA-SFO-2025-01-31.csv',
    );
    const { res: two } = await xlsx(leaderTwo, '/leder/eksport.xlsx');
    expect(two.headers['content-disposition']).toBe(
      'attachment; filename=kursvakt-rapport-ALFA-SFO_CETA-2026-11-22.xlsx',
    );
    expect(two.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const { res: org } = await xlsx(hr, '/admin/rapport/eksport.xlsx?dato=2026-12-01');
    expect(org.headers['content-disposition']).toBe(
      'attachment; filename=kursvakt-rapport-K-2026-12-01.xlsx',
    );
  });

  test('when a leader of two units exports, then the files hold their two units and nobody else', async () => {
    const csv = parseCsv((await leaderTwo.get('/leder/eksport/enheter.csv').expect(200)).text);
    expect([...new Set(csv.slice(1).map((r) => r[0]))]).toEqual(['ALFA-SFO', 'CETA', '']);
    const people = parseCsv((await leaderTwo.get('/leder/eksport/ansatte.csv?status=alle').expect(200)).text);
    expect([...new Set(people.slice(1).map((r) => r[0]))].sort()).toEqual(['A-200', 'C-100']);
    const { body } = await xlsx(leaderTwo, '/leder/eksport.xlsx?status=alle');
    const sheet = await xlsxRows(body, 'Ansatte');
    expect([...new Set(sheet.slice(1).map((r) => r[0]))].sort()).toEqual(['A-200', 'C-100']);
    // The total line of the export is the sum over their units only.
    const total = figureRowsOf(csv).find((r) => r.unit === '' && r.course === 'Handlingsplanen')!;
    expect(total).toMatchObject({ counted: 2, todo: 1, exempt: 1, rate: 0 });
  });

  test('when HR exports the organisation report, then the figures equal the page, in the page order, with the flagged lists', async () => {
    for (const qs of ['', '?sorter=forfalt&retning=synkende&dato=2027-12-15', `?enhet=${f.units.a.id}`]) {
      const page = await hr.get(`/admin/rapport${qs}`).expect(200);
      const onScreen = parseFigureRows(page.text);
      const csv = await hr.get(`/admin/rapport/eksport.csv${qs}`).expect(200);
      expect([qs, figureRowsOf(parseCsv(csv.text))]).toEqual([qs, onScreen]);
      const { body } = await xlsx(hr, `/admin/rapport/eksport.xlsx${qs}`);
      expect([qs, figureRowsOf(await xlsxRows(body, 'Enheter'))]).toEqual([qs, onScreen]);
      const withoutEmail = await xlsxRows(body, 'Uten e-post');
      expect(withoutEmail.slice(1).map((r) => r[0])).toEqual(['B-200']);
      const withoutUnit = await xlsxRows(body, 'Uten enhet');
      expect(withoutUnit.slice(1).map((r) => r[0])).toEqual(['X-100']);
    }
  });
});
