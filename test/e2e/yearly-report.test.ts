import type { Page } from 'playwright-core';
import { runAxe, useDemoInChromium } from '../support/browser';

jest.setTimeout(240_000);

/** The yearly report and the review pages in a real Chromium, with the app's CSP in force. */
describe('yearly report and yearly reviews in Chromium', () => {
  const demo = useDemoInChromium();

  /**
   * With `enforceCsp` the app's CSP is in force, so a blocked inline script or style shows up as a
   * console error; axe-core itself is injected inline, so axe runs in a context that bypasses the CSP.
   */
  async function loggedInPage(
    email: string,
    enforceCsp = false,
  ): Promise<{ page: Page; problems: string[] }> {
    const problems: string[] = [];
    const page = await demo.loggedInPage(email, {
      bypassCSP: !enforceCsp,
      onPage: (tab) => {
        tab.on('console', (m) => {
          if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
            problems.push(m.text());
        });
        tab.on('response', (r) => {
          if (r.status() >= 400 && !r.url().endsWith('/favicon.ico'))
            problems.push(`${r.status()} ${r.url()}`);
        });
        tab.on('pageerror', (e) => problems.push(e.message));
      },
    });
    return { page, problems };
  }

  test('when HR opens last year’s report with the CSP in force, then the chart is drawn without console errors', async () => {
    const { page, problems } = await loggedInPage('hr@eksempel.kommune.no', true);
    await page.goto(`${demo.server.url}/admin/arsrapport?ar=2025`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Årsrapport 2025');
    await page.waitForFunction(() => {
      const chart = (window as unknown as { Chart?: { getChart(el: unknown): unknown } }).Chart;
      return !!chart && !!chart.getChart(document.getElementById('trend-chart'));
    });
    expect(await page.getByRole('button', { name: 'Skriv ut' }).isVisible()).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.kv-header').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Skriv ut' }).isVisible()).toBe(false);
    expect(problems).toEqual([]);
  });

  test('when HR opens the report and the review pages, then axe finds no violations', async () => {
    const { page } = await loggedInPage('hr@eksempel.kommune.no');
    for (const path of [
      '/admin/arsrapport?ar=2025',
      '/admin/arsrapport?ar=2026',
      '/admin/gjennomganger',
      '/admin/gjennomganger/temaer',
    ]) {
      await page.goto(`${demo.server.url}${path}`);
      expect([path, await runAxe(page)]).toEqual([path, []]);
    }
  });

  test('when a leader records a review through the form, then it is listed and the pages have no violations', async () => {
    const { page, problems } = await loggedInPage('ingrid.solheim@eksempel.kommune.no');
    await page.goto(`${demo.server.url}/leder/gjennomganger`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Årlige gjennomganger');
    expect(await runAxe(page)).toEqual([]);
    await page.getByLabel('Enhet', { exact: true }).selectOption({ label: 'Solbakken skolefritidsordning' });
    await page
      .getByLabel('Tema', { exact: true })
      .selectOption({ label: 'Meldeplikt og opplysningsplikt gjennomgått' });
    await page.getByLabel('Dato for gjennomgangen').fill('2026-11-20');
    await page.getByLabel('Antall deltakere').fill('11');
    await page.getByLabel('Kort notat (valgfritt)').fill('Gjennomgang med eksempler fra SFO');
    await page.getByRole('button', { name: 'Registrer gjennomgang' }).click();
    await page.waitForURL(/lagret=1/);
    expect(await page.getByRole('status').textContent()).toContain('Gjennomgangen er registrert.');
    expect(await page.getByText('Gjennomgang med eksempler fra SFO').count()).toBe(1);
    expect(await runAxe(page)).toEqual([]);
    await page.goto(`${demo.server.url}/leder/arsrapport?ar=2025`);
    expect(await runAxe(page)).toEqual([]);
    await page.goto(`${demo.server.url}/leder`);
    expect(await page.getByRole('heading', { name: /Enheter uten årets gjennomgang/ }).count()).toBe(1);
    expect(problems).toEqual([]);
  });
});
