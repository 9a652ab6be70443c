import { listOutboxMails } from '../../src/modules/mail/mail.repo';
import { createTestApp, type TestApp } from '../support/app';
import { listen, runAxe, useDemoInChromium } from '../support/browser';

jest.setTimeout(120_000);

describe('pages in a real Chromium, checked with axe-core', () => {
  const demo = useDemoInChromium();
  let firstRun: TestApp;
  let firstRunServer: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    firstRun = await createTestApp();
    firstRunServer = await listen(firstRun.app);
  });
  afterAll(async () => {
    await firstRunServer?.close();
    await firstRun?.close();
  });

  const loggedInPage = (email: string) => demo.loggedInPage(email);

  test('when the first-run and login pages are opened, then axe finds no violations', async () => {
    const page = await (await demo.browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(`${firstRunServer.url}/`);
    expect(page.url()).toBe(`${firstRunServer.url}/forste-oppstart`);
    expect(await runAxe(page)).toEqual([]);
    await page.goto(`${demo.server.url}/logg-inn`);
    expect(await runAxe(page)).toEqual([]);
    await page.goto(`${demo.server.url}/finnes-ikke`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Fant ikke siden');
    expect(await runAxe(page)).toEqual([]);
    await page.close();
  });

  test('when HR, a leader and an employee log in through the form, then their pages have no violations', async () => {
    const hr = await loggedInPage('hr@eksempel.kommune.no');
    const hrPages = [
      '/',
      '/admin',
      '/mine-kurs',
      '/admin/import',
      '/admin/kurs',
      '/admin/kurskrav',
      '/admin/gjennomganger/temaer',
      '/admin/scorm?ansatt=finnes-ikke',
      '/admin/e-post',
    ];
    for (const path of hrPages) {
      await hr.goto(`${demo.server.url}${path}`);
      expect([path, await runAxe(hr)]).toEqual([path, []]);
    }
    await hr.goto(`${demo.server.url}/admin`);
    const employeeLink = hr.locator('a[href^="/admin/ansatt/"]').first();
    await employeeLink.click();
    expect([hr.url(), await runAxe(hr)]).toEqual([hr.url(), []]);

    const leader = await loggedInPage('ingrid.solheim@eksempel.kommune.no');
    await leader.goto(`${demo.server.url}/leder`);
    expect(await leader.getByRole('heading', { level: 1 }).textContent()).toContain('Mine enheter');
    expect(await runAxe(leader)).toEqual([]);

    const employee = await loggedInPage('ola.hansen@eksempel.kommune.no');
    await employee.goto(`${demo.server.url}/mine-kurs`);
    expect(await employee.getByText('Forfaller snart').count()).toBeGreaterThan(0);
    expect(await runAxe(employee)).toEqual([]);
  });

  test('when the password pages are opened (ask for a link, the link, its errors, a used-up link, change when logged in), then axe finds no violations', async () => {
    const page = await (await demo.browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(`${demo.server.url}/logg-inn`);
    await page.getByRole('link', { name: /Glemt passord/ }).click();
    expect(page.url()).toBe(`${demo.server.url}/glemt-passord`);
    expect(await runAxe(page)).toEqual([]);
    await page.getByLabel('E-postadresse').fill('ola.hansen@eksempel.kommune.no');
    await page.getByRole('button', { name: 'Send lenke' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sjekk e-posten din');
    expect(await runAxe(page)).toEqual([]);

    const mails = await listOutboxMails(demo.t.database.db, { limit: 10, offset: 0 });
    const link = mails
      .find((m) => m.kind === 'password_link')!
      .bodyText.match(/\/sett-passord\/[A-Za-z0-9_-]{43}/)![0];
    await page.goto(`${demo.server.url}${link}`);
    expect(await runAxe(page)).toEqual([]);
    await page.getByLabel('Nytt passord (minst 12 tegn)').fill('kort');
    await page.getByLabel('Gjenta det nye passordet').fill('annet');
    await page.getByRole('button', { name: 'Lagre passordet' }).click();
    expect(await page.getByText('Passordet må ha minst 12 tegn.').count()).toBe(1);
    expect(await runAxe(page)).toEqual([]);
    await page.goto(`${demo.server.url}/sett-passord/${'x'.repeat(43)}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Lenken kan ikke brukes');
    expect(await runAxe(page)).toEqual([]);
    await page.close();

    const employee = await loggedInPage('ola.hansen@eksempel.kommune.no');
    await employee.goto(`${demo.server.url}/min-konto/passord`);
    await employee.getByRole('button', { name: 'Bytt passord' }).click();
    expect(await employee.getByText('Skriv inn passordet du har nå.').count()).toBe(1);
    expect(await runAxe(employee)).toEqual([]);
  });
});
