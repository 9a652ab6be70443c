import { runAxe, useDemoInChromium } from '../support/browser';

jest.setTimeout(180_000);

describe('report pages in a real Chromium, checked with axe-core', () => {
  const demo = useDemoInChromium();

  /** Logs in through the form. With `bypassCSP` axe can be injected; without it the page runs under the real CSP. */
  const loggedInPage = (email: string, bypassCSP: boolean) => demo.loggedInPage(email, { bypassCSP });

  test('when a leader uses the dashboard with filters and opens a record, then axe finds no violations', async () => {
    const page = await loggedInPage('ingrid.solheim@eksempel.kommune.no', true);
    await page.goto(`${demo.server.url}/leder`);
    expect(await runAxe(page)).toEqual([]);

    // Filter through the form, as a user would, without JavaScript-only controls.
    // The second course (index 0 is "Alle kurs").
    await page.getByLabel('Kurs', { exact: true }).selectOption({ index: 2 });
    await page.getByLabel('Ansatte som vises', { exact: true }).selectOption('alle');
    await page.getByLabel('Status per dato', { exact: true }).fill('2027-06-30');
    await page.getByRole('button', { name: 'Vis' }).click();
    await page.waitForURL(/status=alle/);
    expect(page.url()).toContain('dato=2027-06-30');
    expect(await page.getByRole('heading', { level: 2, name: /Alle ansatte og kurs/ }).count()).toBe(1);
    expect(await runAxe(page)).toEqual([]);

    await page.getByRole('link', { name: 'Solbakken skolefritidsordning' }).first().click();
    await page.waitForURL(/enhet=/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(
      'Solbakken skolefritidsordning',
    );
    expect(await runAxe(page)).toEqual([]);

    await page.locator('a[href^="/leder/ansatt/"]').first().click();
    await page.waitForURL(/\/leder\/ansatt\//);
    expect(await page.getByRole('heading', { level: 2, name: 'Påminnelser sendt' }).count()).toBe(1);
    expect(await runAxe(page)).toEqual([]);
  });

  test('when HR opens the dashboard, the organisation report sorted and unsorted, and an employee record, then axe finds no violations', async () => {
    const page = await loggedInPage('hr@eksempel.kommune.no', true);
    await page.goto(`${demo.server.url}/admin`);
    // The demo has an employee without an e-mail address: axe checks the notice too.
    expect(
      await page.getByRole('heading', { level: 2, name: /mangler e-postadresse/ }).allTextContents(),
    ).toEqual(['1 ansatt mangler e-postadresse']);
    expect(await runAxe(page)).toEqual([]);
    await page.getByRole('link', { name: 'Rapport for hele organisasjonen' }).click();
    await page.waitForURL(`${demo.server.url}/admin/rapport`);
    expect(await runAxe(page)).toEqual([]);

    await page.getByRole('link', { name: /^Fullføringsgrad/ }).click();
    await page.waitForURL(/sorter=fullforingsgrad/);
    expect(await page.locator('th[aria-sort="ascending"]').count()).toBe(1);
    expect(await runAxe(page)).toEqual([]);

    // The full employee list of the demo is longer than a page: both page navigations pass axe.
    await page.goto(`${demo.server.url}/admin?status=alle`);
    expect(await page.getByRole('navigation', { name: /^Sider i listen/ }).count()).toBe(2);
    await page.getByRole('link', { name: 'Neste side' }).first().click();
    await page.waitForURL(/side=2/);
    expect(await page.getByText(/side 2 av \d+\./).count()).toBe(2);
    expect(await runAxe(page)).toEqual([]);

    await page.goto(`${demo.server.url}/admin/rapport?dato=2024-06-01`);
    expect(await runAxe(page)).toEqual([]);
    await page.goto(`${demo.server.url}/admin/rapport`);
    await page.locator('#tabell-uten-epost a[href^="/admin/ansatt/"]').first().click();
    await page.waitForURL(/\/admin\/ansatt\//);
    expect(await runAxe(page)).toEqual([]);
  });

  test('when a report page runs under the real CSP, then the chart is drawn from the JSON block without a CSP error', async () => {
    const page = await loggedInPage('hr@eksempel.kommune.no', false);
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    for (const path of ['/admin/rapport', '/admin']) {
      await page.goto(`${demo.server.url}${path}`);
      await page.waitForFunction(() => document.getElementById('kv-report-chart')?.dataset.ready === 'true');
      const drawn = await page.evaluate(() => {
        const canvas = document.getElementById('kv-report-chart') as HTMLCanvasElement;
        return canvas.width > 0 && canvas.height > 0;
      });
      expect([path, drawn]).toEqual([path, true]);
    }
    expect(problems).toEqual([]);
  });
});
