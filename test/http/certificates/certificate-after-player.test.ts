import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { completions, courses, courseVersions } from '../../../src/db/schema';
import { formatNorwegianDate, todayInOslo } from '../../../src/lib/dates';
import { importScormPackage } from '../../../src/modules/courses/courses.service';
import type { TestApp } from '../../support/app';
import { launchChromium, logInInBrowser, startPlayerApp, type PlayerApp } from '../../support/browser';
import {
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../../support/factories';
import { buildSampleCourse } from '../../support/sample-course';

/*
 * The whole way from a course to a certificate in a real Chromium: the employee takes a built
 * course in Kursvakt's own SCORM player, passes, downloads the certificate from Mine kurs, and a
 * stranger checks it through the link printed on it.
 */

jest.setTimeout(240_000);

describe('from a passed course in the player to a verified certificate', () => {
  let player: PlayerApp;
  let t: TestApp;
  let dataDir: string;
  let browser: Browser;
  let appUrl: string;
  let courseId: number;

  beforeAll(async () => {
    player = await startPlayerApp({
      prefix: 'kursvakt-certificate-e2e-',
      env: { KOMMUNE_NAVN: 'Bø kommune' },
    });
    ({ t, dataDir, appUrl } = player);

    const built = await buildSampleCourse(dataDir);
    const db = t.database.db;
    const { course } = await createCourseWithRequirement(db, {
      slug: 'eksempel',
      title: 'Eksempelkurs om å si fra',
      firstDeadline: '2099-12-31',
    });
    courseId = course.id;
    await importScormPackage(db, { dataDir, courseSlug: 'eksempel', zipPath: built.zips.scorm2004 });
    const unit = await createUnit(db);
    const employee = await createEmployee(db, {
      unitId: unit.id,
      firstName: 'Øystein',
      lastName: 'Ærlig-Åsen',
    });
    await createUser(db, { email: 'oystein@test.no', employeeId: employee.id });
    await createUser(db, { email: 'hr@test.no', isAdmin: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await player?.close();
  });

  test('when the employee passes the course in the player, then Mine kurs offers the certificate, it names the version, and its link says it is genuine', async () => {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 2000 },
    });
    const page = await context.newPage();
    await logInInBrowser(page, appUrl, 'oystein@test.no', TEST_PASSWORD);

    // Before any completion there is no certificate to download.
    await page.goto(`${appUrl}/mine-kurs`);
    expect(await page.getByRole('link', { name: /Last ned kursbevis/ }).count()).toBe(0);

    await page.goto(`${appUrl}/kurs/eksempel/start`);
    const host = await (await page.waitForSelector('#kv-player')).contentFrame();
    const sco = (await (await host!.waitForSelector('#kv-sco')).contentFrame())!;
    await sco.waitForFunction(() => document.querySelectorAll('section.side[hidden]').length > 0);
    const data = JSON.parse((await sco.locator('#kursdata').textContent())!) as {
      pageCount: number;
      questions: Array<{ id: string; correct: number }>;
    };
    for (let i = 1; i < data.pageCount; i += 1) {
      await sco.locator('#neste').focus();
      await sco.locator('#neste').press('Enter');
    }
    for (const q of data.questions) {
      await sco.locator(`#svar-${q.id}-${q.correct}`).focus();
      await sco.locator(`#svar-${q.id}-${q.correct}`).press('Space');
      await sco.locator(`[data-sjekk="${q.id}"]`).focus();
      await sco.locator(`[data-sjekk="${q.id}"]`).press('Enter');
    }
    expect(await sco.locator('#resultat h2').textContent()).toBe('Du har bestått');
    await sco.locator('#avslutt').focus();
    await sco.locator('#avslutt').press('Enter');
    await page.waitForURL(`${appUrl}/mine-kurs`);

    const [completion] = await t.database.db
      .select()
      .from(completions)
      .where(eq(completions.courseId, courseId));
    expect(completion).toMatchObject({ source: 'scorm' });
    const [course] = await t.database.db.select().from(courses).where(eq(courses.id, courseId));
    const [version] = await t.database.db
      .select()
      .from(courseVersions)
      .where(eq(courseVersions.id, completion!.courseVersionId!));

    await page.reload();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /^Last ned kursbevis \(PDF\)/ }).click(),
    ]);
    const today = todayInOslo();
    expect(download.suggestedFilename()).toBe(`kursbevis-eksempel-${today}.pdf`);
    const file = path.join(dataDir, 'lastet-ned.pdf');
    await download.saveAs(file);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(
      /\s+/g,
      ' ',
    );
    for (const expected of [
      'BØ KOMMUNE',
      'Øystein Ærlig-Åsen',
      course!.title,
      `Kursversjon ${version!.version}`,
      `Fullført ${formatNorwegianDate(today)}`,
      // Cycle from 31.12.2099 every 24 months: a completion now satisfies the first deadline, so the next one counts.
      'Gyldig til og med 31.12.2101',
    ])
      expect([expected, text.includes(expected)]).toEqual([expected, true]);
    const link = /(http:\/\/localhost:\d+\/bevis\/\s*[A-Za-z0-9_-]{22})/.exec(text)![1]!.replace(/\s+/g, '');

    const stranger = await (await browser.newContext()).newPage();
    await stranger.goto(link);
    expect(await stranger.getByRole('heading', { level: 1 }).textContent()).toBe('Beviset er ekte');
    expect(await stranger.locator('main').textContent()).toContain('Øystein Ærlig-Åsen');
    await stranger.context().close();
    await context.close();
  });
});
