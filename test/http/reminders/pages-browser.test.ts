import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { mailOutbox } from '../../../src/db/schema';
import { createTestApp, type TestApp } from '../../support/app';
import { launchChromium, listen, runAxe } from '../../support/browser';
import { TEST_PASSWORD } from '../../support/factories';
import { seedReminderWorld } from '../../integration/reminders/fixture';

jest.setTimeout(180_000);

describe('reminder and mail pages in a real Chromium, checked with axe-core', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kursvakt-reminders-browser-'));
    t = await createTestApp({ now: new Date('2026-11-23T09:00:00+01:00'), env: { DATA_DIR: dataDir } });
    await seedReminderWorld(t.database.db);
    server = await listen(t.app);
    browser = await launchChromium();
    page = await (await browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(`${server.url}/logg-inn`);
    await page.getByLabel('E-postadresse').fill('hr@test.kommune.no');
    await page.getByLabel('Passord').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.waitForURL(`${server.url}/`);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('when HR creates a schedule with a recipient preview, runs it and reads a mail, then every page has no axe violations', async () => {
    await page.goto(`${server.url}/admin/paminnelser`);
    expect(await runAxe(page)).toEqual([]);
    await page.getByRole('link', { name: 'Ny plan' }).click();
    expect(await runAxe(page)).toEqual([]);
    await page.getByLabel('Navn på planen').fill('Mandager');
    await page.getByLabel('Leder: oversikt over det som må følges opp').check();
    await page.getByRole('button', { name: 'Vis mottakere' }).click();
    await page.getByRole('heading', { name: /Mottakere hvis planen kjører i dag/ }).waitFor();
    expect(await page.getByText('Berit Bakke').count()).toBeGreaterThan(0);
    expect(await runAxe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Lagre planen' }).click();
    await page.getByText('Planen er lagret.').waitFor();
    await page.getByRole('button', { name: /^Kjør nå/ }).click();
    await page.getByText(/e-post(er)? er lagt i kø/).waitFor();
    expect(await runAxe(page)).toEqual([]);

    await page.goto(`${server.url}/admin/e-post`);
    expect(await runAxe(page)).toEqual([]);
    const [mail] = (await t.database.db.select().from(mailOutbox)).filter((m) => m.kind === 'leader_digest');
    await page.goto(`${server.url}/admin/e-post/${mail!.id}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(mail!.subject);
    expect(await runAxe(page)).toEqual([]);

    await page.goto(`${server.url}/admin/e-post/maler`);
    expect(await runAxe(page)).toEqual([]);
    await page.goto(`${server.url}/admin/e-post/maler/leader_digest`);
    await page.getByRole('button', { name: 'Forhåndsvis' }).click();
    await page.getByRole('heading', { name: 'Forhåndsvisning med eksempeldata' }).waitFor();
    expect(await runAxe(page)).toEqual([]);
  });
});
