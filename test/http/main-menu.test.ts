import request from 'supertest';
import { createTestApp, loginAs, type TestApp } from '../support/app';
import { createUnit, createUser, TEST_PASSWORD } from '../support/factories';

jest.setTimeout(120_000);

describe('the main menu on real pages', () => {
  let t: TestApp;
  let email: string;

  beforeAll(async () => {
    t = await createTestApp();
    const unit = await createUnit(t.database.db, { code: 'SK', name: 'Bakken skole' });
    email = (await createUser(t.database.db, { isAdmin: true, leads: [unit.id] })).email;
  });
  afterAll(() => t.close());

  /** The labels of the menu links marked as the current page. */
  function currentItems(html: string): string[] {
    const nav = /<nav aria-label="Hovedmeny">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
    return [...nav.matchAll(/<a [^>]*aria-current=page>([^<]+)<\/a>/g)].map((m) => m[1]!);
  }

  test('when HR who also leads a unit opens each section, then exactly one menu item is current', async () => {
    const agent = await loginAs(t.app, email, TEST_PASSWORD);
    const expected: [string, string][] = [
      ['/mine-kurs', 'Mine kurs'],
      ['/leder', 'Mine enheter'],
      ['/leder/gjennomganger', 'Årlige gjennomganger'],
      ['/admin', 'Administrasjon'],
      ['/admin/gjennomganger/temaer', 'Administrasjon'],
      ['/admin/import', 'Import fra HR'],
      ['/admin/kurs', 'Kurs'],
      ['/admin/kurskrav', 'Kurskrav'],
      ['/admin/kurskrav/ny', 'Kurskrav'],
      ['/admin/scorm', 'Kursforsøk'],
      ['/admin/rapport', 'Rapport'],
      ['/admin/arsrapport', 'Årsrapport'],
      ['/admin/paminnelser', 'Påminnelser'],
      ['/admin/paminnelser/ny', 'Påminnelser'],
      ['/admin/e-post', 'Påminnelser'],
      ['/admin/e-post/maler', 'Påminnelser'],
    ];
    for (const [path, label] of expected) {
      const page = await agent.get(path).expect(200);
      expect([path, currentItems(page.text)]).toEqual([path, [label]]);
    }
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('<a class="ds-link" href="/admin/import" >Import fra HR</a>');
    expect(home.text).toContain('<a class="ds-link" href="/admin/kurskrav" >Kurskrav</a>');
  });
});

describe('the site icon', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  test('when a page is loaded, then it names an SVG icon that is served, and /favicon.ico leads to it instead of a 404', async () => {
    // No administrator yet: every page leads to the first-run page, which has the icon too.
    const login = await request(t.app).get('/forste-oppstart').expect(200);
    expect(login.text).toContain('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">');
    const icon = await request(t.app).get('/static/favicon.svg').expect(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const old = await request(t.app).get('/favicon.ico').expect(301);
    expect(old.headers.location).toBe('/static/favicon.svg');
  });
});
