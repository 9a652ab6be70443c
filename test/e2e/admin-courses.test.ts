import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { setLogLevel } from '../../src/lib/logger';
import { createTestApp, type TestApp } from '../support/app';
import { launchChromium, listen, runAxe } from '../support/browser';
import { createUser, TEST_PASSWORD } from '../support/factories';
import { patchName, scorm12Zip, scorm2004MultiZip } from '../fixtures/scorm/packages';

jest.setTimeout(120_000);

describe('/admin/kurs in a real Chromium', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let root: string;
  let adminEmail: string;

  beforeAll(async () => {
    setLogLevel('silent');
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'kv-e2e-kurs-'));
    t = await createTestApp({ env: { DATA_DIR: path.join(root, 'data') } });
    adminEmail = (await createUser(t.database.db, { isAdmin: true })).email;
    server = await listen(t.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  test('when HR uploads packages with the form, then the course pages show them, refusals are explained, and axe finds no violations', async () => {
    const good = path.join(root, 'personvern.zip');
    await fs.writeFile(good, await scorm2004MultiZip());
    const hostile = path.join(root, 'ond.zip');
    await fs.writeFile(
      hostile,
      patchName(await scorm12Zip([{ name: 'zz/evil.txt', data: 'x' }]), 'zz/evil.txt', '../evil.txt'),
    );

    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(`${server.url}/logg-inn`);
    await page.getByLabel('E-postadresse').fill(adminEmail);
    await page.getByLabel('Passord').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.waitForURL(`${server.url}/`);

    await page.getByRole('link', { name: 'Kurs', exact: true }).click();
    await page.waitForURL(`${server.url}/admin/kurs`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Kurs');
    expect(await runAxe(page)).toEqual([]);

    await page.getByLabel(/Zip-fil med SCORM/).setInputFiles(good);
    await page.getByRole('button', { name: 'Last opp' }).click();
    await page.waitForURL(/\/admin\/kurs\/\d+\?importert=1$/);
    await expect(page.getByRole('status').textContent()).resolves.toContain(
      'Nytt kurs «Personvern i praksis» (personvern-i-praksis) er opprettet med versjon 1 (SCORM 2004, 3 SCO-er).',
    );
    expect(await runAxe(page)).toEqual([]);

    await page.getByRole('link', { name: 'Last opp en ny versjon' }).click();
    await page.getByLabel('Kurs', { exact: true }).selectOption('personvern-i-praksis');
    await page.getByLabel(/Zip-fil med SCORM/).setInputFiles(hostile);
    await page.getByRole('button', { name: 'Last opp' }).click();
    await page.waitForURL(`${server.url}/admin/kurs/last-opp?**`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Stien «../evil.txt» peker ut av pakken (..).',
    );
    expect(await page.getByLabel('Kurs', { exact: true }).inputValue()).toBe('personvern-i-praksis');
    expect(await runAxe(page)).toEqual([]);

    // The download link for the version is a real zip.
    await page.goto(`${server.url}/admin/kurs`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Last ned Personvern i praksis, versjon 1/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('personvern-i-praksis-v1-scorm2004.zip');
    expect(await fs.readFile((await download.path())!)).toEqual(await fs.readFile(good));
  });
});
