import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { completions, scormAttempts, scormCommits } from '../../src/db/schema';
import { importScormPackage } from '../../src/modules/courses/courses.service';
import { scorm2004MultiZip } from '../fixtures/scorm/packages';
import type { TestApp } from '../support/app';
import { buildSampleCourse } from '../support/sample-course';
import { launchChromium, logInInBrowser, runAxe, startPlayerApp, type PlayerApp } from '../support/browser';
import {
  createCourseWithRequirement,
  createEmployee,
  createUnit,
  createUser,
  TEST_PASSWORD,
} from '../support/factories';

jest.setTimeout(240_000);

/** Waits until `check` returns a truthy value (the beacon arrives a moment after the tab closes). */
/** A link's accessible name "Action: what" (the visually hidden ": what" is a block, so a space may come first). */
function linkName(action: string, what: string): RegExp {
  return new RegExp(`^${action} ?: ${what}$`);
}

async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the SCORM player in a real Chromium, on two listeners', () => {
  let player: PlayerApp;
  let t: TestApp;
  let dataDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let appUrl: string;
  const courseIds: Record<string, number> = {};
  let employeeId: number;

  beforeAll(async () => {
    player = await startPlayerApp({ prefix: 'kursvakt-scorm-e2e-' });
    ({ t, dataDir, appUrl } = player);

    const built = await buildSampleCourse(dataDir);
    const db = t.database.db;
    for (const [slug, zip] of [
      ['eksempel-12', built.zips.scorm12],
      ['eksempel-2004', built.zips.scorm2004],
    ] as const) {
      const { course } = await createCourseWithRequirement(db, {
        slug,
        title: `Eksempel ${slug}`,
        firstDeadline: '2099-12-31',
      });
      courseIds[slug] = course.id;
      await importScormPackage(db, { dataDir, courseSlug: slug, zipPath: zip });
    }
    // A multi-SCO package: its launch page is the list of parts.
    const { course: multi } = await createCourseWithRequirement(db, {
      slug: 'flere-deler',
      title: 'Kurs i flere deler',
      firstDeadline: '2099-12-31',
    });
    courseIds['flere-deler'] = multi.id;
    await importScormPackage(db, { dataDir, courseSlug: 'flere-deler', buffer: await scorm2004MultiZip() });
    const unit = await createUnit(db);
    const employee = await createEmployee(db, { unitId: unit.id, firstName: 'Kari', lastName: 'Nordmann' });
    employeeId = employee.id;
    await createUser(db, { email: 'kari@test.no', employeeId: employee.id });
    await createUser(db, { email: 'hr@test.no', isAdmin: true });

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 2000 } });
    const login = await context.newPage();
    await logInInBrowser(login, appUrl, 'kari@test.no', TEST_PASSWORD);
    await login.close();
  });
  afterAll(async () => {
    await browser?.close();
    await player?.close();
  });

  /**
   * Opens the course from its action on Mine kurs (checking the action's label) and returns the
   * SCO's frame once the course script has run.
   */
  async function openCourse(
    slug: string,
    action: string,
  ): Promise<{ page: Page; sco: Frame; errors: string[] }> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${appUrl}/mine-kurs`);
    await page.getByRole('link', { name: linkName(action, `Eksempel ${slug}`) }).click();
    await page.waitForURL(`${appUrl}/kurs/${slug}/start`);
    const host = await (await page.waitForSelector('#kv-player')).contentFrame();
    const sco = await (await host!.waitForSelector('#kv-sco')).contentFrame();
    await sco!.waitForFunction(() => document.querySelectorAll('section.side[hidden]').length > 0);
    expect(await sco!.locator('#uten-lms').isVisible()).toBe(false);
    return { page, sco: sco!, errors };
  }

  /** Activates a control the way a keyboard user does (focus, then Enter or Space). */
  async function press(sco: Frame, selector: string, key: 'Enter' | 'Space' = 'Enter') {
    const control = sco.locator(selector);
    await control.focus();
    await control.press(key);
  }

  async function answer(sco: Frame, question: string, option: number) {
    await press(sco, `#svar-${question}-${option}`, 'Space');
    await press(sco, `[data-sjekk="${question}"]`);
  }

  async function attemptOf(slug: string) {
    const rows = await t.database.db.select().from(scormAttempts).orderBy(scormAttempts.id);
    const versions = await t.database.db.query.courseVersions.findMany();
    const versionIds = versions.filter((v) => v.courseId === courseIds[slug]).map((v) => v.id);
    return rows.filter((r) => versionIds.includes(r.courseVersionId)).pop() ?? null;
  }

  async function finalCommits(attemptId: number) {
    const rows = await t.database.db.select().from(scormCommits).where(eq(scormCommits.attemptId, attemptId));
    return rows.filter((r) => (r.body as { final?: boolean }).final === true && r.outcome === 'applied');
  }

  async function suspendAfterFirstAnswer(slug: string, exitKey: (cmi: Record<string, unknown>) => unknown) {
    const first = await openCourse(slug, 'Start kurset');
    for (let i = 0; i < 3; i += 1) await press(first.sco, '#neste');
    await first.sco.waitForSelector('#side-4:not([hidden])');
    await answer(first.sco, 'kontakt', 0);
    expect(await first.sco.locator('#tilbakemelding-kontakt').textContent()).toContain('Riktig.');
    expect(first.errors).toEqual([]);
    // Closing the tab ends the session: the SCO suspends and scorm-again sends the final commit as a beacon.
    await first.page.close({ runBeforeUnload: true });
    const attempt = await eventually(async () => {
      const a = await attemptOf(slug);
      // Read the attempt again after its commits, so it includes the final one.
      return a && (await finalCommits(a.id)).length === 1 ? attemptOf(slug) : null;
    }, 'the suspend beacon');
    expect(exitKey(attempt.cmi as Record<string, unknown>)).toBe('suspend');
    expect(attempt.state).toBe('open');
    expect(attempt.completedAt).toBeNull();
    return attempt;
  }

  async function resumeAndPass(slug: string) {
    const second = await openCourse(slug, 'Fortsett kurset');
    // Resumed where the learner left, with the answer given before.
    await second.sco.waitForSelector('#side-4:not([hidden])');
    expect(await second.sco.locator('#svar-kontakt-0').isChecked()).toBe(true);
    expect(await second.sco.locator('#svar-kontakt-0').isDisabled()).toBe(true);
    await answer(second.sco, 'haster', 0);
    await answer(second.sco, 'veileder', 0);
    expect(await second.sco.locator('#resultat h2').textContent()).toBe('Du har bestått');
    return second;
  }

  test('when a learner answers, suspends by closing the tab, resumes, passes a SCORM 1.2 course and closes the tab, then Mine kurs shows it completed', async () => {
    const suspended = await suspendAfterFirstAnswer(
      'eksempel-12',
      (cmi) => (cmi.core as Record<string, unknown>).exit,
    );
    const second = await resumeAndPass('eksempel-12');
    await second.page.close({ runBeforeUnload: true });

    const attempt = await eventually(async () => {
      const a = await attemptOf('eksempel-12');
      // Read the attempt again after its commits, so it includes the final one.
      return a && (await finalCommits(a.id)).length === 2 ? attemptOf('eksempel-12') : null;
    }, 'the final beacon');
    expect(attempt.id).toBe(suspended.id);
    expect(attempt.completedAt).not.toBeNull();
    expect(attempt.state).toBe('closed');
    expect(attempt.totalTimeSeconds).toBeGreaterThanOrEqual(0);
    const rows = await t.database.db.select().from(completions).where(eq(completions.attemptId, attempt.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ employeeId, source: 'scorm', courseId: courseIds['eksempel-12'] });

    const mine = await context.newPage();
    await mine.goto(`${appUrl}/mine-kurs`);
    const card = mine.locator('li.kv-course', { hasText: 'Eksempel eksempel-12' });
    expect(await card.textContent()).toContain('Sist fullført');
    await mine.close();
  });

  test('when a learner suspends, resumes and passes a SCORM 2004 course and presses Avslutt, then the player returns to Mine kurs with the course completed', async () => {
    await suspendAfterFirstAnswer('eksempel-2004', (cmi) => cmi.exit);
    const second = await resumeAndPass('eksempel-2004');
    await press(second.sco, '#avslutt');
    await second.page.waitForURL(`${appUrl}/mine-kurs`);
    const card = second.page.locator('li.kv-course', { hasText: 'Eksempel eksempel-2004' });
    expect(await card.textContent()).toContain('Sist fullført');

    const attempt = (await attemptOf('eksempel-2004'))!;
    // exit "normal" ends a SCORM 2004 attempt; the final commit was the beacon.
    expect(attempt.state).toBe('closed');
    expect((await finalCommits(attempt.id)).length).toBe(2);
    expect((attempt.cmi as { success_status: string }).success_status).toBe('passed');
    expect(second.errors).toEqual([]);
    await second.page.close();

    // Opened again from Mine kurs while the requirement is done: the completed attempt opens for review only.
    const review = await context.newPage();
    await review.goto(`${appUrl}/mine-kurs`);
    await review.getByRole('link', { name: linkName('Se kurset igjen', 'Eksempel eksempel-2004') }).click();
    await review.waitForURL(`${appUrl}/kurs/eksempel-2004/start`);
    expect(await review.locator('.ds-alert').textContent()).toContain('åpnes for gjennomsyn');
    await review.close();
  });

  test('when Mine kurs, the launch page, the list of parts and the diagnostics pages are checked with axe, then they have no violations', async () => {
    const axeContext = await browser.newContext({
      bypassCSP: true,
      storageState: await context.storageState(),
    });
    const page = await axeContext.newPage();
    await page.goto(`${appUrl}/kurs/eksempel-12/start`);
    await page.waitForSelector('#kv-player');
    expect(await runAxe(page)).toEqual([]);
    // The list of parts of a multi-SCO package, with a part started.
    await page.goto(`${appUrl}/kurs/flere-deler/start`);
    await page.getByRole('link', { name: linkName('Start', 'Del A') }).click();
    await page.waitForSelector('#kv-player');
    await page.goto(`${appUrl}/kurs/flere-deler/start`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Kurs i flere deler');
    expect(await page.getByRole('link', { name: linkName('Fortsett', 'Del A') }).count()).toBe(1);
    expect(await runAxe(page)).toEqual([]);
    // Mine kurs with courses to review and one to continue.
    await page.goto(`${appUrl}/mine-kurs`);
    expect(
      await page.locator('[data-player-entry]').evaluateAll((els) => els.map((e) => e.textContent)),
    ).toEqual(
      expect.arrayContaining([
        'Se kurset igjen: Eksempel eksempel-12',
        'Fortsett kurset: Kurs i flere deler',
      ]),
    );
    expect(await runAxe(page)).toEqual([]);
    await axeContext.close();

    const hrContext = await browser.newContext({ bypassCSP: true });
    const hr = await hrContext.newPage();
    await logInInBrowser(hr, appUrl, 'hr@test.no', TEST_PASSWORD);
    await hr.goto(`${appUrl}/admin/scorm`);
    expect(await runAxe(hr)).toEqual([]);
    await hr.locator('a[href^="/admin/scorm/forsok/"]').first().click();
    await hr.waitForURL(/\/admin\/scorm\/forsok\/\d+$/);
    expect(await hr.getByRole('heading', { level: 1 }).textContent()).toContain('Kursforsøk nr.');
    expect(await runAxe(hr)).toEqual([]);
    await hrContext.close();
  });
});
