import request from 'supertest';
import { createTestApp, loginAs, type TestApp } from '../../support/app';
import { TEST_PASSWORD } from '../../support/factories';
import { binaryParser, createReportFixture, xlsxText, type ReportFixture } from './report-fixture';

/**
 * Every report route for every role: anonymous, employee, leader A (Alfa skole with SFO),
 * leader B (Beta barnehage), a leader of two units (Alfa SFO and Ceta sykehjem) and HR
 * (an admin who leads nothing). Tampered ?enhet=, ?kurs=, employee ids of other units and
 * exports included. Every 200 answer is also searched for people and units the viewer must not see.
 */

jest.setTimeout(120_000);

type Role = 'anonymous' | 'employee' | 'leaderA' | 'leaderB' | 'leaderTwo' | 'admin';
const ROLES: Role[] = ['anonymous', 'employee', 'leaderA', 'leaderB', 'leaderTwo', 'admin'];

interface RouteCase {
  path: string;
  /** The status each logged-in role must get (anonymous is always sent to the login page). */
  expect: Record<Exclude<Role, 'anonymous'>, number>;
  kind: 'html' | 'csv' | 'xlsx';
}

describe('access to every report route for every role', () => {
  let t: TestApp;
  let f: ReportFixture;
  const agents = new Map<Role, request.Agent | ReturnType<typeof request>>();

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    f = await createReportFixture(t.database.db);
    agents.set('anonymous', request(t.app));
    agents.set('employee', await loginAs(t.app, f.emails.employee, TEST_PASSWORD));
    agents.set('leaderA', await loginAs(t.app, f.emails.leaderA, TEST_PASSWORD));
    agents.set('leaderB', await loginAs(t.app, f.emails.leaderB, TEST_PASSWORD));
    agents.set('leaderTwo', await loginAs(t.app, f.emails.leaderTwo, TEST_PASSWORD));
    agents.set('admin', await loginAs(t.app, f.emails.admin, TEST_PASSWORD));
  });
  afterAll(() => t.close());

  /** Which units each role leads (with sub-units); admin leads none. */
  function leaderSees(role: Role, unit: 'k' | 'a' | 'a1' | 'b' | 'c' | null): boolean {
    if (unit === null) return false;
    const led: Record<Role, string[]> = {
      anonymous: [],
      employee: [],
      leaderA: ['a', 'a1'],
      leaderB: ['b'],
      leaderTwo: ['a1', 'c'],
      admin: [],
    };
    return led[role].includes(unit);
  }

  function leaderRoute(
    path: string,
    unit: 'k' | 'a' | 'a1' | 'b' | 'c' | null | 'own',
    kind: RouteCase['kind'] = 'html',
  ): RouteCase {
    const status = (role: Role) => (unit === 'own' ? 200 : leaderSees(role, unit) ? 200 : 403);
    return {
      path,
      kind,
      expect: {
        employee: 403,
        leaderA: status('leaderA'),
        leaderB: status('leaderB'),
        leaderTwo: status('leaderTwo'),
        // An admin reaches /leder, but leads nothing: their own (empty) units only.
        admin: unit === 'own' ? 200 : 403,
      },
    };
  }

  function adminRoute(path: string, kind: RouteCase['kind'] = 'html'): RouteCase {
    return { path, kind, expect: { employee: 403, leaderA: 403, leaderB: 403, leaderTwo: 403, admin: 200 } };
  }

  function cases(): RouteCase[] {
    const u = f.units;
    const e = f.employees;
    const r = f.requirements;
    const leaderPaths = (base: string) => [
      leaderRoute(`${base}`, 'own'),
      leaderRoute(`${base}?status=alle`, 'own'),
      leaderRoute(`${base}?status=alle&dato=2024-06-01`, 'own'),
      leaderRoute(`${base}?status=alle&kurs=${r.meldeplikt}`, 'own'),
      leaderRoute(`${base}?enhet=${u.k.id}&status=alle`, 'k'),
      leaderRoute(`${base}?enhet=${u.a.id}&status=alle`, 'a'),
      leaderRoute(`${base}?enhet=${u.a1.id}&status=alle`, 'a1'),
      leaderRoute(`${base}?enhet=${u.b.id}&status=alle`, 'b'),
      leaderRoute(`${base}?enhet=${u.c.id}&status=alle&kurs=${r.handlingsplan}`, 'c'),
      leaderRoute(`${base}/ansatt/${e.inA.id}`, 'a'),
      leaderRoute(`${base}/ansatt/${e.inA1.id}`, 'a1'),
      leaderRoute(`${base}/ansatt/${e.inB.id}`, 'b'),
      leaderRoute(`${base}/ansatt/${e.inC.id}?dato=2024-06-01`, 'c'),
      leaderRoute(`${base}/ansatt/${e.noUnit.id}`, null),
      leaderRoute(`${base}/eksport/enheter.csv`, 'own', 'csv'),
      leaderRoute(`${base}/eksport/ansatte.csv?status=alle`, 'own', 'csv'),
      leaderRoute(`${base}/eksport.xlsx?status=alle`, 'own', 'xlsx'),
      leaderRoute(`${base}/eksport/enheter.csv?enhet=${u.b.id}`, 'b', 'csv'),
      leaderRoute(`${base}/eksport/ansatte.csv?enhet=${u.c.id}&status=alle`, 'c', 'csv'),
      leaderRoute(`${base}/eksport.xlsx?enhet=${u.a.id}&status=alle`, 'a', 'xlsx'),
      leaderRoute(`${base}/eksport.xlsx?enhet=${u.k.id}&status=alle`, 'k', 'xlsx'),
    ];
    return [
      ...leaderPaths('/leder'),
      adminRoute('/admin'),
      adminRoute(`/admin?enhet=${u.b.id}&status=alle`),
      adminRoute(`/admin/ansatt/${e.inB.id}`),
      adminRoute(`/admin/ansatt/${e.noUnit.id}`),
      adminRoute('/admin/eksport/enheter.csv', 'csv'),
      adminRoute('/admin/eksport/ansatte.csv?status=alle', 'csv'),
      adminRoute(`/admin/eksport.xlsx?enhet=${u.c.id}`, 'xlsx'),
      adminRoute('/admin/rapport'),
      adminRoute(`/admin/rapport?enhet=${u.b.id}&sorter=forfalt&retning=synkende`),
      adminRoute('/admin/rapport/eksport.csv', 'csv'),
      adminRoute('/admin/rapport/eksport.xlsx', 'xlsx'),
    ];
  }

  async function fetch(role: Role, c: RouteCase) {
    const agent = agents.get(role)!;
    const req = agent.get(c.path);
    if (c.kind === 'xlsx') req.buffer(true).parse(binaryParser);
    const res = await req;
    let text = res.text ?? '';
    if (c.kind === 'xlsx')
      text = res.status === 200 ? await xlsxText(res.body as Buffer) : (res.body as Buffer).toString('utf8');
    return { status: res.status, text, headers: res.headers };
  }

  test('when nobody is logged in, then every report route sends them to the login page', async () => {
    for (const c of cases()) {
      const res = await fetch('anonymous', c);
      expect([c.path, res.status, res.headers.location]).toEqual([
        c.path,
        302,
        `/logg-inn?neste=${encodeURIComponent(c.path)}`,
      ]);
    }
  });

  test.each(ROLES.filter((r) => r !== 'anonymous') as Array<Exclude<Role, 'anonymous'>>)(
    'when %s opens every report route, then each answers as the role allows and leaks nobody outside their units',
    async (role) => {
      const foreign: string[] =
        role === 'leaderA' || role === 'leaderB' || role === 'leaderTwo' ? f.foreignMarkers[role] : [];
      for (const c of cases()) {
        const res = await fetch(role, c);
        expect([c.path, res.status]).toEqual([c.path, c.expect[role]]);
        if (res.status === 403) expect(res.text).toContain('Du har ikke tilgang');
        if (res.status !== 200) continue;
        // HR reaches /leder but leads nothing, so the leader pages show nobody to HR either.
        const mustNotSee =
          role === 'admin' && c.path.startsWith('/leder')
            ? Object.values(f.employees).flatMap((x) => [x.name, x.employeeNumber])
            : foreign;
        for (const marker of mustNotSee) {
          if (res.text.includes(marker)) throw new Error(`${role} saw «${marker}» on ${c.path}`);
        }
        if (c.kind === 'csv')
          expect(res.headers['content-disposition']).toMatch(/^attachment; filename=kursvakt-/);
      }
    },
  );

  test('when a leader lists everyone in their units, then exactly their own people are on the page and in the files', async () => {
    const expected: Record<'leaderA' | 'leaderB' | 'leaderTwo', string[]> = {
      leaderA: [f.employees.inA.employeeNumber, f.employees.inA1.employeeNumber],
      leaderB: [f.employees.inB.employeeNumber, f.employees.inBNoEmail.employeeNumber],
      leaderTwo: [f.employees.inA1.employeeNumber, f.employees.inC.employeeNumber],
    };
    for (const role of ['leaderA', 'leaderB', 'leaderTwo'] as const) {
      const agent = agents.get(role)!;
      const page = await agent.get('/leder?status=alle').expect(200);
      const onPage = [
        ...new Set([...page.text.matchAll(/data-employee="([^"]+)"/g)].map((m) => m[1])),
      ].sort();
      expect([role, onPage]).toEqual([role, [...expected[role]].sort()]);
      const csv = await agent.get('/leder/eksport/ansatte.csv?status=alle').expect(200);
      const inCsv = [
        ...new Set(
          csv.text
            .replace(/^\uFEFF/, '')
            .split('\r\n')
            .slice(1)
            .filter(Boolean)
            .map((line) => line.split(';')[0]),
        ),
      ].sort();
      expect([role, inCsv]).toEqual([role, [...expected[role]].sort()]);
    }
  });

  test('when filters are tampered with, then the answer is a bokmål 400 or 403 and shows no data', async () => {
    const agent = agents.get('leaderA')!;
    const bad: Array<[string, number, string]> = [
      ['/leder?enhet=abc', 400, 'Enheten i filteret er ugyldig.'],
      ['/leder?enhet=-4', 400, 'Enheten i filteret er ugyldig.'],
      [`/leder?enhet=${f.units.a.id}&enhet=${f.units.b.id}`, 400, 'Enheten i filteret er ugyldig.'],
      // Unknown ids are refused like other leaders' ones, so a leader cannot probe which ids exist.
      ['/leder?enhet=999999', 403, 'Du har ikke tilgang til denne enheten.'],
      ['/leder?kurs=999999', 400, 'Kurset i filteret finnes ikke.'],
      ['/leder?kurs=1%20or%201=1', 400, 'Kurset i filteret er ugyldig.'],
      ['/leder?status=alt', 400, 'Statusen i filteret er ugyldig.'],
      ['/leder?dato=2026-02-30', 400, 'Datoen må være en gyldig dato'],
      ['/leder/eksport/ansatte.csv?dato=i-dag', 400, 'Datoen må være en gyldig dato'],
      ['/leder/eksport/enheter.csv?enhet=999999', 403, 'Du har ikke tilgang til denne enheten.'],
      ['/leder/ansatt/abc', 400, 'Ugyldig ansatt.'],
      ['/leder/ansatt/999999', 403, 'Du har ikke tilgang til denne enheten.'],
    ];
    for (const [path, status, message] of bad) {
      const res = await agent.get(path);
      expect([path, res.status]).toEqual([path, status]);
      expect(res.text).toContain(message);
      expect(res.text).not.toContain('Alfaperson');
    }
    const hr = agents.get('admin')!;
    // HR sees everything, so for HR an unknown id is simply not found.
    for (const path of ['/admin?enhet=999999', '/admin/ansatt/999999']) {
      expect([path, (await hr.get(path)).status]).toEqual([path, 404]);
    }
    const sort = await hr.get('/admin/rapport?sorter=lonn');
    expect(sort.status).toBe(400);
    expect(sort.text).toContain('Ugyldig sortering.');
  });
});
