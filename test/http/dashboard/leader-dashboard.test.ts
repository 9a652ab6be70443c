import request from 'supertest';
import { createTestApp, loginAs, type TestApp } from '../../support/app';
import { TEST_PASSWORD } from '../../support/factories';
import {
  createReportFixture,
  parseEmployeeNumbers,
  parseFigureRows,
  type ReportFixture,
} from '../reports/report-fixture';

jest.setTimeout(120_000);

describe('the leader dashboard (/leder)', () => {
  let t: TestApp;
  let f: ReportFixture;
  let leaderA: request.Agent;
  let leaderB: request.Agent;
  let leaderTwo: request.Agent;

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    f = await createReportFixture(t.database.db);
    leaderA = await loginAs(t.app, f.emails.leaderA, TEST_PASSWORD);
    leaderB = await loginAs(t.app, f.emails.leaderB, TEST_PASSWORD);
    leaderTwo = await loginAs(t.app, f.emails.leaderTwo, TEST_PASSWORD);
  });
  afterAll(() => t.close());

  const figure = (rows: ReturnType<typeof parseFigureRows>, unit: string, course: string) => {
    const row = rows.find((r) => r.unit === unit && r.course === course);
    if (!row) throw new Error(`no row ${unit} / ${course}`);
    const { counted, done, dueSoon, overdue, todo, exempt, rate } = row;
    return { counted, done, dueSoon, overdue, todo, exempt, rate };
  };

  test('when a leader opens the dashboard, then no browser or proxy may keep the page, and static files stay cacheable', async () => {
    const page = await leaderA.get('/leder').expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers.etag).toBeUndefined();
    const css = await request(t.app).get('/static/css/app.css').expect(200);
    expect(css.headers['cache-control']).not.toBe('no-store');
    expect(css.headers.etag).toBeDefined();
  });

  test('when a leader opens the dashboard, then each led unit and sub-unit has counts per status and course and the DOMAIN completion rate', async () => {
    const res = await leaderA.get('/leder').expect(200);
    const rows = parseFigureRows(res.text);
    expect(figure(rows, 'ALFA', 'Handlingsplanen')).toEqual({
      counted: 2,
      done: 1,
      dueSoon: 0,
      overdue: 0,
      todo: 1,
      exempt: 0,
      rate: 50,
    });
    expect(figure(rows, 'ALFA-SFO', 'Meldeplikt')).toEqual({
      counted: 1,
      done: 0,
      dueSoon: 0,
      overdue: 0,
      todo: 1,
      exempt: 0,
      rate: 0,
    });
    expect(figure(rows, 'ALFA', 'Alle kurs')).toMatchObject({ counted: 4, done: 2, todo: 2, rate: 50 });
    expect([...new Set(rows.map((r) => r.unit))]).toEqual(['ALFA', 'ALFA-SFO', '']);
    // The drill-down link to the sub-unit keeps the date.
    expect(res.text).toContain(`href="/leder?dato=2026-11-22&amp;enhet=${f.units.a1.id}"`);
    expect(res.text).toContain('Må følges opp (0)');
    expect(res.text).toContain('Ingen har forfalte kurs eller kurs som forfaller snart.');
  });

  test('when a unit has overdue people, then they are listed with due date, reason and a link to their record', async () => {
    const res = await leaderB.get('/leder').expect(200);
    expect(parseEmployeeNumbers(res.text)).toEqual(['B-200', 'B-100']);
    expect(res.text).toContain('Må følges opp (2)');
    expect(res.text).toContain('Forfalt 31.12.2023: kravets første frist');
    expect(res.text).toContain('Forfalt 31.12.2025: fullført 01.12.2023');
    expect(res.text).toContain(`href="/leder/ansatt/${f.employees.inB.id}?dato=2026-11-22"`);
    // Exempt people do not count in the rate: Ceta has one counted, exempt, so no rate.
    const two = parseFigureRows((await leaderTwo.get('/leder').expect(200)).text);
    expect(figure(two, 'CETA', 'Handlingsplanen')).toMatchObject({ counted: 1, exempt: 1, rate: null });
  });

  test('when a past or future "as of" date is chosen, then the figures and lists are those of that day', async () => {
    const past = await leaderB.get('/leder?dato=2024-06-01&status=alle').expect(200);
    expect(figure(parseFigureRows(past.text), 'BETA', 'Handlingsplanen')).toMatchObject({
      counted: 2,
      done: 1,
      overdue: 1,
      rate: 50,
    });
    expect(past.text).toContain('Status per dato');
    expect(past.text).toContain('value="2024-06-01"');
    const future = await leaderA.get('/leder?dato=2027-12-15').expect(200);
    expect(figure(parseFigureRows(future.text), 'ALFA', 'Handlingsplanen')).toMatchObject({
      counted: 2,
      dueSoon: 1,
      overdue: 1,
      rate: 50,
    });
    expect(parseEmployeeNumbers(future.text)).toEqual(['A-200', 'A-200', 'A-100', 'A-100']);
    expect(future.text).toContain('Forfaller 31.12.2027');
  });

  test('when filtered by course, status and unit, then only the matching figures and people are shown', async () => {
    const byCourse = await leaderA.get(`/leder?kurs=${f.requirements.meldeplikt}&status=alle`).expect(200);
    const rows = parseFigureRows(byCourse.text);
    expect([...new Set(rows.map((r) => r.course))]).toEqual(['Meldeplikt']);
    expect(byCourse.text).toContain(
      `<option value="${f.requirements.meldeplikt}" selected>Meldeplikt</option>`,
    );

    const done = await leaderA.get('/leder?status=done').expect(200);
    expect(parseEmployeeNumbers(done.text)).toEqual(['A-100', 'A-100']);
    expect(done.text).toContain('Fullført (2)');

    const sub = await leaderA.get(`/leder?enhet=${f.units.a1.id}&status=alle`).expect(200);
    expect(sub.text).toContain('<h1 class="ds-heading" data-size="lg">Mine enheter: Alfa SFO</h1>');
    expect([...new Set(parseFigureRows(sub.text).map((r) => r.unit))]).toEqual(['ALFA-SFO', '']);
    expect(parseEmployeeNumbers(sub.text)).toEqual(['A-200', 'A-200']);
    expect(sub.text).not.toContain('Alfaperson');
  });

  test('when the page has a chart, then its data is a JSON block with the table rates and the scripts are served', async () => {
    const res = await leaderTwo.get('/leder').expect(200);
    const json = /<script type="application\/json" id="kv-report-chart-data">([\s\S]*?)<\/script>/.exec(
      res.text,
    );
    const chart = JSON.parse(json![1]!) as {
      labels: string[];
      datasets: Array<{ label: string; data: unknown[] }>;
    };
    expect(chart.labels).toEqual(['Alfa SFO', 'Ceta sykehjem']);
    const rows = parseFigureRows(res.text);
    for (const set of chart.datasets) {
      expect(set.data).toEqual(
        chart.labels.map(
          (_, i) => rows.find((r) => r.unit === ['ALFA-SFO', 'CETA'][i] && r.course === set.label)!.rate,
        ),
      );
    }
    expect(res.text).not.toMatch(/<script>(?!<)/);
    await leaderTwo
      .get('/vendor/chartjs/chart.umd.min.js')
      .expect(200)
      .expect('content-type', /javascript/);
    const script = await leaderTwo.get('/static/js/report-chart.js').expect(200);
    expect(script.text).toContain('kv-report-chart-data');
  });

  test('when a leader opens an employee record, then completions (voided marked), SCORM attempts, exemptions and reminders are there', async () => {
    const res = await leaderA.get(`/leder/ansatt/${f.employees.inA.id}`).expect(200);
    expect(res.text).toContain('Astrid Alfaperson');
    expect(res.text).toMatch(
      /Registrert av HR<\/td><td>Feilregistrert<\/td>\s*<td><span class="ds-tag" data-color="danger">Annullert<\/span>/,
    );
    expect(res.text).toContain('Annullerer en tidligere fullføring');
    expect(res.text).toContain(
      '<td>Handlingsplanen (versjon 1)</td><td>1</td><td>Avsluttet</td><td>01.03.2025 kl. 10:31</td><td>01.03.2025 kl. 10:30</td>',
    );
    expect(res.text).toMatch(
      /Påminnelse: forfaller snart<\/td><td>Kurset ditt forfaller snart<\/td><td>Sendt<\/td><td>[^<]+<\/td><td>20\.11\.2025 kl\. 08:00<\/td>/,
    );

    const exempt = await leaderTwo.get(`/leder/ansatt/${f.employees.inC.id}`).expect(200);
    expect(exempt.text).toContain('Langtidspermisjon');
    expect(exempt.text).toContain('01.01.2027');
    expect(exempt.text).toContain('Ingen påminnelser er sendt');
    expect(exempt.text).toContain('Ingen kursforsøk');
  });

  test('when people in the units have no e-mail address, then their leader and HR see who, and no other leader sees them', async () => {
    const notice = (html: string) =>
      /<section class="ds-alert"[^>]*data-testid="uten-epost">[\s\S]*?<\/section>/.exec(html)?.[0];
    const bjorn = f.employees.inBNoEmail;

    const ownB = notice((await leaderB.get('/leder').expect(200)).text);
    expect(ownB).toContain('1 ansatt mangler e-postadresse');
    expect(ownB).toContain('be HR registrere den der');
    expect(ownB).toContain('Den ansatte får ikke påminnelser og kan ikke logge inn.');
    expect(ownB).toContain(
      `href="/leder/ansatt/${bjorn.id}?dato=2026-11-22">${bjorn.name}</a> (Beta barnehage)`,
    );

    // Leaders of other units get no notice, and so does Beta's leader on a day before Bjørn was hired.
    expect(notice((await leaderA.get('/leder').expect(200)).text)).toBeUndefined();
    expect(notice((await leaderTwo.get('/leder').expect(200)).text)).toBeUndefined();
    expect(notice((await leaderB.get('/leder?dato=2015-01-01').expect(200)).text)).toBeUndefined();

    const hr = await loginAs(t.app, f.emails.admin, TEST_PASSWORD);
    const all = notice((await hr.get('/admin').expect(200)).text);
    expect(all).toContain(`href="/admin/ansatt/${bjorn.id}?dato=2026-11-22">${bjorn.name}</a>`);
    expect(all).toContain('blir med ved neste import');
    // Below one unit, only that unit's people count.
    expect(notice((await hr.get(`/admin?enhet=${f.units.a.id}`).expect(200)).text)).toBeUndefined();
    expect(notice((await hr.get(`/admin?enhet=${f.units.b.id}`).expect(200)).text)).toContain(bjorn.name);
  });
});
