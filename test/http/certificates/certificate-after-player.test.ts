import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { completions, courses, courseVersions } from '../../../src/db/schema';
import { formatNorwegianDate, todayInOslo } from '../../../src/lib/dates';
import { buildCourse } from '../../../src/modules/course-build/build';
import { importScormPackage } from '../../../src/modules/courses/courses.service';
import { createContentApp } from '../../../src/modules/scorm/content-app';
import { createTestApp, type TestApp } from '../../support/app';
import { launchChromium } from '../../support/browser';
import {
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../../support/factories';

/*
 * The whole way from a course to a certificate in a real Chromium: the employee takes a built
 * course in Kursvakt's own SCORM player, passes, downloads the certificate from Mine kurs, and a
 * stranger checks it through the link printed on it.
 */

jest.setTimeout(240_000);

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'courses');

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function serve(handler: http.RequestListener, port: number) {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

describe('from a passed course in the player to a verified certificate', () => {
  let t: TestApp;
  let dataDir: string;
  let browser: Browser;
  let appUrl: string;
  const closers: Array<() => Promise<void>> = [];
  let courseId: number;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kursvakt-certificate-e2e-'));
    const [appPort, contentPort] = [await freePort(), await freePort()];
    appUrl = `http://localhost:${appPort}`;
    t = await createTestApp({
      now: new Date(),
      env: {
        DATA_DIR: dataDir,
        PORT: String(appPort),
        CONTENT_PORT: String(contentPort),
        BASE_URL: appUrl,
        CONTENT_BASE_URL: `http://127.0.0.1:${contentPort}`,
        KOMMUNE_NAVN: 'Bø kommune',
      },
    });
    closers.push(await serve(t.app, appPort));
    closers.push(await serve(createContentApp(t.context), contentPort));

    const built = await buildCourse(
      path.join(FIXTURES, 'sample'),
      path.join(FIXTURES, 'kommune.yaml'),
      dataDir,
    );
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
    for (const close of closers) await close();
    await t?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  test('when the employee passes the course in the player, then Mine kurs offers the certificate, it names the version, and its link says it is genuine', async () => {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 2000 },
    });
    const page = await context.newPage();
    await page.goto(`${appUrl}/logg-inn`);
    await page.getByLabel('E-postadresse').fill('oystein@test.no');
    await page.getByLabel('Passord').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.waitForURL(`${appUrl}/`);

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
