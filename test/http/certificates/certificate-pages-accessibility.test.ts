import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { certificates } from '../../../src/db/schema';
import { createTestApp, type TestApp } from '../../support/app';
import { launchChromium, listen, runAxe } from '../../support/browser';
import {
  createCompletion,
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../../support/factories';

jest.setTimeout(120_000);

/** The certificate pages in a real Chromium: the download link on Mine kurs and every state of the public page. */
describe('certificate pages in Chromium, checked with axe-core', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp({ now: new Date('2026-11-22T10:00:00+01:00') });
    const db = t.database.db;
    const unit = await createUnit(db, { name: 'Solsiden barnehage' });
    const { course } = await createCourseWithRequirement(db, {
      slug: 'meldeplikt',
      title: 'Opplysningsplikt til barnevernet og avvergeplikt',
    });
    const employee = await createEmployee(db, { unitId: unit.id, firstName: 'Åse', lastName: 'Ødegård' });
    const current = await createCompletion(db, {
      employeeId: employee.id,
      courseId: course.id,
      completedOn: '2026-10-01',
      source: 'scorm',
    });
    const old = await createCompletion(db, {
      employeeId: employee.id,
      courseId: course.id,
      completedOn: '2021-05-01',
      source: 'import',
    });
    const voided = await createCompletion(db, {
      employeeId: employee.id,
      courseId: course.id,
      completedOn: '2025-05-01',
      source: 'manual',
      reason: 'Feilregistrert',
    });
    Object.assign(ids, {
      current: current.id,
      old: old.id,
      voided: voided.id,
      employee: employee.id,
      course: course.id,
    });
    await createUser(db, { email: 'ase@test.no', employeeId: employee.id });
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
    server = await listen(t.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  test('when the employee opens Mine kurs and the verification links of her certificates, then every page has no violations', async () => {
    const context = await browser.newContext({ acceptDownloads: true, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/logg-inn`);
    await page.getByLabel('E-postadresse').fill('ase@test.no');
    await page.getByLabel('Passord').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.waitForURL(`${server.url}/`);

    await page.goto(`${server.url}/mine-kurs`);
    expect(await runAxe(page)).toEqual([]);
    // The link downloads the PDF of the latest completion.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Last ned kursbevis/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('kursbevis-meldeplikt-2026-10-01.pdf');

    // Issue codes for the old and the voided completion too, then void the latter.
    const codes: Record<string, string> = {};
    for (const key of ['current', 'old', 'voided']) {
      const res = await page.request.get(`${server.url}/kursbevis/${ids[key]}`);
      expect(res.status()).toBe(200);
      const [row] = await t.database.db
        .select()
        .from(certificates)
        .where(eq(certificates.completionId, ids[key]!));
      codes[key] = row!.code;
    }
    await createCompletion(t.database.db, {
      employeeId: ids.employee!,
      courseId: ids.course!,
      completedOn: '2025-05-01',
      source: 'void',
      voidsCompletionId: ids.voided!,
    });

    const anonymous = await (await browser.newContext({ bypassCSP: true })).newPage();
    const expectations: Array<[string, string, number]> = [
      [codes.current!, 'Beviset er ekte', 200],
      [codes.old!, 'Beviset er ekte', 200],
      [codes.voided!, 'Beviset er trukket tilbake', 200],
      ['AAAAAAAAAAAAAAAAAAAAAA', 'Fant ikke beviset', 404],
    ];
    for (const [code, heading, status] of expectations) {
      const response = await anonymous.goto(`${server.url}/bevis/${code}`);
      expect(response!.status()).toBe(status);
      expect(await anonymous.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      expect([heading, await runAxe(anonymous)]).toEqual([heading, []]);
    }
    await anonymous.context().close();
    await context.close();
  });
});
