import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchChromium, listen, runAxe } from '../support/browser';
import { buildSampleCourse } from '../support/sample-course';
import { unzip } from '../support/zip';

jest.setTimeout(120_000);

/**
 * A stand-in LMS page: it offers a recording SCORM API (2004 or 1.2, with optional saved data) and
 * shows the SCO in an iframe, the way an LMS player does.
 */
function lmsPage(version: '2004' | '1.2', initial: Record<string, string>): string {
  const methods =
    version === '2004'
      ? {
          init: 'Initialize',
          finish: 'Terminate',
          get: 'GetValue',
          set: 'SetValue',
          commit: 'Commit',
          error: 'GetLastError',
        }
      : {
          init: 'LMSInitialize',
          finish: 'LMSFinish',
          get: 'LMSGetValue',
          set: 'LMSSetValue',
          commit: 'LMSCommit',
          error: 'LMSGetLastError',
        };
  const globalName = version === '2004' ? 'API_1484_11' : 'API';
  return `<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>LMS</title></head><body>
<main><iframe title="Kurs" src="/pakke-${version === '2004' ? '2004' : '12'}/index.html" style="width:100%;height:90vh"></iframe></main>
<script>
  window.calls = [];
  window.store = ${JSON.stringify(initial)};
  function record(name, args) { window.calls.push([name].concat(Array.prototype.slice.call(args))); }
  window.${globalName} = {
    ${methods.init}: function () { record('${methods.init}', arguments); return 'true'; },
    ${methods.finish}: function () { record('${methods.finish}', arguments); return 'true'; },
    ${methods.get}: function (key) { record('${methods.get}', arguments); return key in window.store ? window.store[key] : ''; },
    ${methods.set}: function (key, value) { record('${methods.set}', arguments); window.store[key] = value; return 'true'; },
    ${methods.commit}: function () { record('${methods.commit}', arguments); return 'true'; },
    ${methods.error}: function () { return '0'; }
  };
</script></body></html>`;
}

type Call = string[];

describe('the built course in a real Chromium', () => {
  let workDir: string;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  const lmsPages: Record<string, string> = {};

  beforeAll(async () => {
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kursvakt-course-runtime-'));
    const built = await buildSampleCourse(workDir);
    await unzip(built.zips.scorm2004, path.join(workDir, 'pakke-2004'));
    await unzip(built.zips.scorm12, path.join(workDir, 'pakke-12'));
    const app = express();
    app.get('/lms/:name', (req, res) => {
      const page = lmsPages[req.params.name];
      if (page === undefined) res.status(404).end();
      else res.type('html').send(page);
    });
    app.use(express.static(workDir));
    server = await listen(app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (workDir) await fs.rm(workDir, { recursive: true, force: true });
  });

  async function openInLms(name: string, version: '2004' | '1.2', initial: Record<string, string> = {}) {
    lmsPages[name] = lmsPage(version, initial);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/lms/${name}`);
    const frameElement = await page.waitForSelector('iframe');
    const frame = (await frameElement.contentFrame())!;
    // The player hides all pages but one when its script has run.
    await frame.waitForFunction(() => document.querySelectorAll('section.side[hidden]').length > 0);
    return { page, frame, errors };
  }

  async function calls(page: Page): Promise<Call[]> {
    return page.evaluate(() => (window as unknown as { calls: string[][] }).calls);
  }

  function setValues(recorded: Call[], setter: string): Array<[string, string]> {
    return recorded.filter((c) => c[0] === setter).map((c) => [c[1]!, c[2]!]);
  }

  function lastValue(recorded: Call[], setter: string, key: string): string | undefined {
    return setValues(recorded, setter)
      .filter(([k]) => k === key)
      .map(([, v]) => v)
      .pop();
  }

  async function focusedText(frame: Frame): Promise<string> {
    return frame.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
  }

  /** Tabs until the element matching `selector` has focus; fails after 40 presses. */
  async function tabTo(page: Page, frame: Frame, selector: string): Promise<void> {
    for (let i = 0; i < 40; i += 1) {
      if (await frame.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Could not reach ${selector} with the Tab key.`);
  }

  async function answerWithKeyboard(page: Page, frame: Frame, questionId: string, option: number) {
    await tabTo(page, frame, `input[name="svar-${questionId}"]`);
    // Arrow keys move the choice within a radio group; Space picks the focused one.
    for (let i = 0; i < option; i += 1) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await tabTo(page, frame, `button[data-sjekk="${questionId}"]`);
    await page.keyboard.press('Enter');
  }

  test('when a learner goes through the SCORM 2004 package by keyboard and answers correctly, then the LMS records a pass', async () => {
    const { page, frame, errors } = await openInLms('riktig-2004', '2004');
    expect(await frame.locator('#fremdrift-tekst').textContent()).toBe('Side 1 av 4');
    expect(await frame.locator('#uten-lms').isVisible()).toBe(false);

    for (const expected of ['Hvem kontakter du?', 'Oppsummering', 'Test deg selv']) {
      await tabTo(page, frame, '#neste');
      await page.keyboard.press('Enter');
      // Focus moves to the new page's heading, so a screen reader starts reading there.
      expect(await focusedText(frame)).toBe(expected);
    }
    expect(await frame.locator('#fremdrift-tekst').textContent()).toBe('Side 4 av 4');
    expect(await frame.locator('#fremdrift').getAttribute('value')).toBe('4');

    await answerWithKeyboard(page, frame, 'kontakt', 0);
    expect(await frame.locator('#tilbakemelding-kontakt').textContent()).toContain('Riktig.');
    await answerWithKeyboard(page, frame, 'haster', 0);
    await answerWithKeyboard(page, frame, 'veileder', 0);
    expect(await frame.locator('#resultat h2').textContent()).toBe('Du har bestått');

    const recorded = await calls(page);
    expect(recorded[0]).toEqual(['Initialize', '']);
    const set = (key: string) => lastValue(recorded, 'SetValue', key);
    expect(set('cmi.completion_status')).toBe('completed');
    expect(set('cmi.success_status')).toBe('passed');
    expect(set('cmi.score.scaled')).toBe('1');
    expect(set('cmi.score.raw')).toBe('100');
    expect(set('cmi.score.min')).toBe('0');
    expect(set('cmi.score.max')).toBe('100');
    expect(set('cmi.progress_measure')).toBe('1');
    expect(set('cmi.exit')).toBe('normal');
    expect(set('cmi.location')).toBe('4');
    // A commit follows every page change and every answer.
    expect(recorded.filter((c) => c[0] === 'Commit').length).toBeGreaterThanOrEqual(7);

    await tabTo(page, frame, '#avslutt');
    await page.keyboard.press('Enter');
    expect(await focusedText(frame)).toBe('Kurset er avsluttet');
    const afterFinish = await calls(page);
    expect(afterFinish[afterFinish.length - 1]).toEqual(['Terminate', '']);
    expect(lastValue(afterFinish, 'SetValue', 'cmi.session_time')).toMatch(/^PT\d+H\d+M\d+S$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('when a learner fails the SCORM 1.2 quiz and leaves, then it is saved as failed and suspended, and a relaunch resumes it', async () => {
    const first = await openInLms('feil-12', '1.2');
    // A direct link to a page (as in index.html#side-4) works inside the running course too.
    await first.frame.evaluate(() => {
      location.hash = '#side-4';
    });
    await first.frame.waitForSelector('#side-4:not([hidden])');
    await answerWithKeyboard(first.page, first.frame, 'kontakt', 1);
    expect(await first.frame.locator('#tilbakemelding-kontakt').textContent()).toContain('Ikke riktig.');
    await answerWithKeyboard(first.page, first.frame, 'haster', 0);
    await answerWithKeyboard(first.page, first.frame, 'veileder', 0);
    expect(await first.frame.locator('#resultat h2').textContent()).toBe('Du har ikke bestått ennå');

    await tabTo(first.page, first.frame, '#avslutt');
    await first.page.keyboard.press('Enter');
    const recorded = await calls(first.page);
    const set = (key: string) => lastValue(recorded, 'LMSSetValue', key);
    expect(set('cmi.core.lesson_status')).toBe('failed');
    expect(set('cmi.core.score.raw')).toBe('66.6667');
    expect(set('cmi.core.score.max')).toBe('100');
    expect(set('cmi.core.exit')).toBe('suspend');
    expect(set('cmi.core.lesson_location')).toBe('4');
    expect(set('cmi.core.session_time')).toMatch(/^\d{2,}:\d{2}:\d{2}$/);
    expect(recorded[recorded.length - 1]).toEqual(['LMSFinish', '']);
    const saved = await first.page.evaluate(
      () => (window as unknown as { store: Record<string, string> }).store,
    );
    await first.page.close();

    // The LMS launches the SCO again with what it stored, as SCORM 1.2 does for a suspended attempt.
    const second = await openInLms('feil-12-igjen', '1.2', { ...saved, 'cmi.core.entry': 'resume' });
    await second.frame.waitForSelector('#side-4:not([hidden])');
    expect(await second.frame.locator('#fremdrift-tekst').textContent()).toBe('Side 4 av 4');
    expect(await second.frame.locator('#svar-kontakt-1').isChecked()).toBe(true);
    expect(await second.frame.locator('#svar-kontakt-1').isDisabled()).toBe(true);

    await tabTo(second.page, second.frame, '#ta-pa-nytt');
    await second.page.keyboard.press('Enter');
    expect(await focusedText(second.frame)).toBe('Spørsmål 1 av 3');
    await answerWithKeyboard(second.page, second.frame, 'kontakt', 0);
    await answerWithKeyboard(second.page, second.frame, 'haster', 0);
    await answerWithKeyboard(second.page, second.frame, 'veileder', 0);
    const retaken = await calls(second.page);
    expect(lastValue(retaken, 'LMSSetValue', 'cmi.core.lesson_status')).toBe('passed');
    expect(lastValue(retaken, 'LMSSetValue', 'cmi.core.score.raw')).toBe('100');
    expect(lastValue(retaken, 'LMSSetValue', 'cmi.core.exit')).toBe('');
    expect([...first.errors, ...second.errors]).toEqual([]);
    await second.page.close();
  });

  test('when the LMS sets a lower pass mark, then the course shows it and 2 of 3 correct passes', async () => {
    const { page, frame, errors } = await openInLms('grense-2004', '2004', {
      'cmi.scaled_passing_score': '0.6',
    });
    await frame.evaluate(() => {
      location.hash = '#side-4';
    });
    await frame.waitForSelector('#side-4:not([hidden])');
    expect(await frame.locator('#krav').textContent()).toContain('minst 60\u00a0% riktige');
    await answerWithKeyboard(page, frame, 'kontakt', 1);
    await answerWithKeyboard(page, frame, 'haster', 0);
    await answerWithKeyboard(page, frame, 'veileder', 0);
    const recorded = await calls(page);
    expect(lastValue(recorded, 'SetValue', 'cmi.success_status')).toBe('passed');
    expect(lastValue(recorded, 'SetValue', 'cmi.score.scaled')).toBe('0.6667');
    expect(lastValue(recorded, 'SetValue', 'cmi.completion_status')).toBe('completed');
    expect(errors).toEqual([]);
    await page.close();
  });

  test('when the course runs without an LMS, then every page can be opened directly and axe finds no violations', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    for (let number = 1; number <= 4; number += 1) {
      await page.goto(`${server.url}/pakke-2004/index.html#side-${number}`);
      await page.waitForSelector(`#side-${number}:not([hidden])`);
      expect(await page.locator('section.side:not([hidden])').count()).toBe(1);
      expect(await page.locator('#uten-lms').isVisible()).toBe(true);
      expect([number, await runAxe(page)]).toEqual([number, []]);
    }

    // The quiz with feedback and a result showing must pass too.
    await page.locator('#svar-kontakt-1').check();
    await page.locator('[data-sjekk="kontakt"]').click();
    await page.locator('[data-sjekk="haster"]').click();
    expect(await page.locator('#tilbakemelding-haster').textContent()).toContain('Velg et svar');
    await page.locator('#svar-haster-0').check();
    await page.locator('[data-sjekk="haster"]').click();
    await page.locator('#svar-veileder-0').check();
    await page.locator('[data-sjekk="veileder"]').click();
    expect(await page.locator('#resultat').isVisible()).toBe(true);
    expect(await runAxe(page)).toEqual([]);

    await page.locator('#avslutt').click();
    expect(await runAxe(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('when the course is shown on a 320 px wide phone, then no page scrolls sideways', async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
    for (let number = 1; number <= 4; number += 1) {
      await page.goto(`${server.url}/pakke-12/index.html#side-${number}`);
      await page.waitForSelector(`#side-${number}:not([hidden])`);
      const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expect([number, widths[0]! <= widths[1]!]).toEqual([number, true]);
    }
    await page.close();
  });
});
