import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD, loadDemo } from '../../src/modules/demo/demo.service';
import { createTestApp, type TestApp } from '../support/app';
import { launchChromium, listen, runAxe } from '../support/browser';

jest.setTimeout(120_000);

describe('pages in a real Chromium, checked with axe-core', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let firstRun: TestApp;
  let firstRunServer: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    t = await createTestApp();
    await loadDemo(t.database.db, '2026-11-22');
    server = await listen(t.app);
    firstRun = await createTestApp();
    firstRunServer = await listen(firstRun.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await firstRunServer?.close();
    await t?.close();
    await firstRun?.close();
  });

  async function loggedInPage(email: string) {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/logg-inn`);
    await page.getByLabel('E-postadresse').fill(email);
    await page.getByLabel('Passord').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.waitForURL(`${server.url}/`);
    return page;
  }

  test('when the first-run and login pages are opened, then axe finds no violations', async () => {
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(`${firstRunServer.url}/`);
    expect(page.url()).toBe(`${firstRunServer.url}/forste-oppstart`);
    expect(await runAxe(page)).toEqual([]);
    await page.goto(`${server.url}/logg-inn`);
    expect(await runAxe(page)).toEqual([]);
    await page.goto(`${server.url}/finnes-ikke`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Fant ikke siden');
    expect(await runAxe(page)).toEqual([]);
    await page.close();
  });

  test('when HR, a leader and an employee log in through the form, then their pages have no violations', async () => {
    const hr = await loggedInPage('hr@eksempel.kommune.no');
    for (const path of ['/', '/admin', '/mine-kurs']) {
      await hr.goto(`${server.url}${path}`);
      expect([path, await runAxe(hr)]).toEqual([path, []]);
    }
    await hr.goto(`${server.url}/admin`);
    const employeeLink = hr.locator('a[href^="/admin/ansatt/"]').first();
    await employeeLink.click();
    expect([hr.url(), await runAxe(hr)]).toEqual([hr.url(), []]);

    const leader = await loggedInPage('ingrid.solheim@eksempel.kommune.no');
    await leader.goto(`${server.url}/leder`);
    expect(await leader.getByRole('heading', { level: 1 }).textContent()).toContain('Mine enheter');
    expect(await runAxe(leader)).toEqual([]);

    const employee = await loggedInPage('ola.hansen@eksempel.kommune.no');
    await employee.goto(`${server.url}/mine-kurs`);
    expect(await employee.getByText('Forfaller snart').count()).toBeGreaterThan(0);
    expect(await runAxe(employee)).toEqual([]);
  });
});
