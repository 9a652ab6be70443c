import type request from 'supertest';
import { createTestApp, loginAs, type TestApp } from '../../support/app';
import { TEST_PASSWORD } from '../../support/factories';
import { createReportFixture, parseFigureRows, type ReportFixture } from './report-fixture';

jest.setTimeout(120_000);

const unitOrder = (html: string) => [
  ...new Set(
    parseFigureRows(html)
      .map((r) => r.unit)
      .filter(Boolean),
  ),
];

describe('the HR report (/admin/rapport)', () => {
  let t: TestApp;
  let f: ReportFixture;
  let hr: request.Agent;

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    f = await createReportFixture(t.database.db);
    hr = await loginAs(t.app, f.emails.admin, TEST_PASSWORD);
  });
  afterAll(() => t.close());

  test('when HR opens the report, then the whole tree is there with figures per unit including sub-units, and a total with people without a unit', async () => {
    const res = await hr.get('/admin/rapport').expect(200);
    expect(unitOrder(res.text)).toEqual(['K', 'ALFA', 'ALFA-SFO', 'BETA', 'CETA']);
    const rows = parseFigureRows(res.text);
    const hp = (unit: string) => rows.find((r) => r.unit === unit && r.course === 'Handlingsplanen')!;
    // Kommunen = Alfa skole (2) + Beta (2) + Ceta (1); Nils without a unit is only in the total.
    expect(hp('K')).toMatchObject({ counted: 5, done: 1, overdue: 2, todo: 1, exempt: 1, rate: 25 });
    expect(hp('')).toMatchObject({ counted: 6, done: 1, overdue: 3, todo: 1, exempt: 1, rate: 20 });
    expect(res.text).toContain('Totalt (også ansatte uten enhet)');
    expect(res.text).toMatch(
      /<span aria-hidden="true">– – <\/span><a class="ds-link" href="[^"]*">Alfa SFO<\/a>/,
    );
  });

  test('when HR opens the report, then employees without e-mail or unit are counted and listed', async () => {
    const res = await hr.get('/admin/rapport').expect(200);
    expect(res.text).toContain('Uten e-postadresse: 1');
    expect(res.text).toContain('Uten enhet: 1');
    expect(res.text).toContain('Ansatte uten e-postadresse (1)');
    expect(res.text).toMatch(/id="tabell-uten-epost"[\s\S]*data-employee="B-200"/);
    expect(res.text).toMatch(/id="tabell-uten-enhet"[\s\S]*data-employee="X-100"/);
    // The employee who ended in 2025 is not flagged or counted today.
    expect(res.text).not.toContain('Alfatidligere');
  });

  test('when HR sorts by a column, then siblings are ordered by it, each unit above its sub-units, and the header says so', async () => {
    const overdueDesc = await hr.get('/admin/rapport?sorter=forfalt&retning=synkende').expect(200);
    expect(unitOrder(overdueDesc.text)).toEqual(['K', 'BETA', 'ALFA', 'ALFA-SFO', 'CETA']);
    expect(overdueDesc.text).toMatch(
      /<th scope="col" aria-sort="descending"><a class="ds-link" href="[^"]*sorter=forfalt"[^>]*>Forfalt/,
    );
    expect(overdueDesc.text).toContain('Tilbake til organisasjonsrekkefølge');

    const byName = await hr.get('/admin/rapport?sorter=navn&retning=synkende').expect(200);
    expect(unitOrder(byName.text)).toEqual(['K', 'CETA', 'BETA', 'ALFA', 'ALFA-SFO']);

    // Units where nobody counts have no rate and go last whichever the direction.
    const rateAsc = await hr.get(
      `/admin/rapport?sorter=fullforingsgrad&kurs=${f.requirements.handlingsplan}`,
    );
    expect(unitOrder(rateAsc.text)).toEqual(['K', 'BETA', 'ALFA', 'ALFA-SFO', 'CETA']);
    const rateDesc = await hr.get(
      `/admin/rapport?sorter=fullforingsgrad&retning=synkende&kurs=${f.requirements.handlingsplan}`,
    );
    expect(unitOrder(rateDesc.text)).toEqual(['K', 'ALFA', 'ALFA-SFO', 'BETA', 'CETA']);
  });

  test('when HR picks an "as of" date, then the figures are those of that day', async () => {
    const past = await hr.get('/admin/rapport?dato=2024-06-01').expect(200);
    const beta = parseFigureRows(past.text).find((r) => r.unit === 'BETA' && r.course === 'Handlingsplanen')!;
    expect(beta).toMatchObject({ counted: 2, done: 1, overdue: 1, rate: 50 });
    expect(past.text).toContain('Tallene viser status per <strong>01.06.2024</strong>');
    const bad = await hr.get('/admin/rapport?dato=31.12.2026').expect(400);
    expect(bad.text).toContain('Datoen må være en gyldig dato (åååå-mm-dd).');
  });

  test('when HR opens the admin page, then the report is linked from it and from the header', async () => {
    const admin = await hr.get('/admin').expect(200);
    expect(admin.text).toContain(
      '<a class="ds-link" href="/admin/rapport">Rapport for hele organisasjonen</a>',
    );
    const report = await hr.get('/admin/rapport').expect(200);
    expect(report.text).toContain('<a class="ds-link" href="/admin/rapport" aria-current=page>Rapport</a>');
    const leader = await loginAs(t.app, f.emails.leaderA, TEST_PASSWORD);
    expect((await leader.get('/leder').expect(200)).text).not.toContain('href="/admin/rapport"');
  });
});
