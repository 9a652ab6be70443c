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
