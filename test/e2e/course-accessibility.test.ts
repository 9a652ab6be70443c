import { existsSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import type { Browser, BrowserContextOptions, Frame, Page } from 'playwright-core';
import { buildAllCourses, type CourseBuildResult } from '../../src/modules/course-build/build';
import { launchChromium, listen, runAxe, type AxeViolation } from '../support/browser';
import { buildSampleCourse, SAMPLE_COURSE_SLUG } from '../support/sample-course';
import { unzip } from '../support/zip';

/*
 * Accessibility of every built course, played the way an LMS plays it: the SCORM 2004 package
 * unpacked and shown in an iframe of a page that offers a small SCORM API. (That stand-in tests
 * the SCO itself; playing in Kursvakt's own player is tested with the player.) Every course in
 * courses/ that exists when the test runs is checked, plus the test fixture.
 */

jest.setTimeout(600_000);

const ROOT = path.join(__dirname, '..', '..');
const COURSES_DIR = path.join(ROOT, 'courses');

/** Course folders in courses/ (those with a course.yaml), read when the test file loads so each gets its own tests. */
function courseSlugsOnDisk(): string[] {
  if (!existsSync(COURSES_DIR)) return [];
  return readdirSync(COURSES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(COURSES_DIR, entry.name, 'course.yaml')))
    .map((entry) => entry.name)
    .sort();
}

const SLUGS = [...courseSlugsOnDisk(), SAMPLE_COURSE_SLUG];
// The keyboard walk-through uses a real course when there is one.
const KEYBOARD_SLUG = SLUGS[0]!;

/** A stand-in LMS page with a recording SCORM 2004 API and the SCO in a full-width iframe. */
function lmsPage(slug: string): string {
  return `<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>LMS</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>html,body{margin:0;padding:0}iframe{display:block;width:100%;height:100vh;border:0}</style></head><body>
<main><iframe title="Kurs" src="/pakke/${slug}/index.html"></iframe></main>
<script>
  window.store = {};
  window.API_1484_11 = {
    Initialize: function () { return 'true'; },
    Terminate: function () { return 'true'; },
    GetValue: function (key) { return key in window.store ? window.store[key] : ''; },
    SetValue: function (key, value) { window.store[key] = String(value); return 'true'; },
    Commit: function () { return 'true'; },
    GetLastError: function () { return '0'; },
    GetErrorString: function () { return ''; },
    GetDiagnostic: function () { return ''; }
  };
</script></body></html>`;
}

interface CourseData {
  pageCount: number;
  questions: Array<{ id: string; correct: number; options: string[] }>;
}

/** How far the course document is wider than its window (0 = no sideways scrolling). */
async function sidewaysOverflow(frame: Frame): Promise<number> {
  return frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

type Check = (frame: Frame, where: string) => Promise<void>;

describe('accessibility of the built courses in Chromium', () => {
  let workDir: string;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  const built = new Map<string, CourseBuildResult>();

  beforeAll(async () => {
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kursvakt-course-a11y-'));
    const results = await buildAllCourses(COURSES_DIR, path.join(workDir, 'zips'));
    results.push(await buildSampleCourse(path.join(workDir, 'zips')));
    for (const result of results) {
      built.set(result.slug, result);
      await unzip(result.zips.scorm2004, path.join(workDir, 'pakke', result.slug));
    }
    const app = express();
    app.get('/lms/:slug', (req, res) => {
      if (!built.has(req.params.slug)) res.status(404).end();
      else res.type('html').send(lmsPage(req.params.slug));
    });
    app.use('/pakke', express.static(path.join(workDir, 'pakke')));
    server = await listen(app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (workDir) await fs.rm(workDir, { recursive: true, force: true });
  });

  test('when the courses are built, then every course folder and the fixture are among them', () => {
    expect([...built.keys()].sort()).toEqual([...SLUGS].sort());
  });

  async function openCourse(slug: string, options: BrowserContextOptions = {}) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/lms/${slug}`);
    const frame = (await (await page.waitForSelector('iframe')).contentFrame())!;
    await frame.waitForFunction(() => document.querySelectorAll('section.side[hidden]').length > 0);
    const data = JSON.parse((await frame.locator('#kursdata').textContent())!) as CourseData;
    return { context, page, frame, errors, data };
  }

  async function store(page: Page): Promise<Record<string, string>> {
    return page.evaluate(() => (window as unknown as { store: Record<string, string> }).store);
  }

  /**
   * Goes through the whole course with the mouse, calling `check` in every state a learner can
   * see: each page, a question left unanswered, wrong and right feedback, the failed result, a
   * retake, the passed result, and the closing page.
   */
  async function walkThrough(slug: string, check: Check, options: BrowserContextOptions = {}) {
    const { context, page, frame, errors, data } = await openCourse(slug, options);
    try {
      for (let number = 1; number <= data.pageCount; number += 1) {
        await frame.waitForSelector(`#side-${number}:not([hidden])`);
        await check(frame, `side ${number}`);
        if (number < data.pageCount) await frame.locator('#neste').click();
      }
      const [first, ...rest] = data.questions;
      // "Sjekk svaret" without a choice, then a wrong answer (shows the right one and the explanation).
      await frame.locator(`[data-sjekk="${first!.id}"]`).click();
      await check(frame, 'spørsmål uten svar');
      await frame.locator(`#svar-${first!.id}-${(first!.correct + 1) % first!.options.length}`).check();
      await frame.locator(`[data-sjekk="${first!.id}"]`).click();
      await check(frame, 'feil svar');
      // Everything else wrong too, so the result is "not passed" whatever the pass mark.
      for (const q of rest) {
        await frame.locator(`#svar-${q.id}-${(q.correct + 1) % q.options.length}`).check();
        await frame.locator(`[data-sjekk="${q.id}"]`).click();
      }
      await frame.waitForSelector('#resultat.ikke-bestatt');
      await check(frame, 'ikke bestått');
      await frame.locator('#ta-pa-nytt').click();
      for (const q of data.questions) {
        await frame.locator(`#svar-${q.id}-${q.correct}`).check();
        await frame.locator(`[data-sjekk="${q.id}"]`).click();
        if (q === data.questions[0]) await check(frame, 'riktig svar');
      }
      await frame.waitForSelector('#resultat.bestatt');
      await check(frame, 'bestått');
      await frame.locator('#avslutt').click();
      await frame.waitForSelector('#avsluttet:not([hidden])');
      await check(frame, 'avsluttet');
      expect((await store(page))['cmi.success_status']).toBe('passed');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }

  describe.each(SLUGS)('course %s', (slug) => {
    test('when every page, the quiz feedback, both results and the closing page are shown, then axe finds no violations', async () => {
      const found: Array<{ where: string; violations: AxeViolation[] }> = [];
      let checked = 0;
      await walkThrough(slug, async (frame, where) => {
        checked += 1;
        const violations = await runAxe(frame);
        if (violations.length > 0) found.push({ where, violations });
      });
      expect(found).toEqual([]);
      expect(checked).toBe(built.get(slug)!.pages + 1 + 6);
    });

    test('when shown 320 px wide like a phone, then nothing scrolls sideways', async () => {
      const overflows: string[] = [];
      await walkThrough(
        slug,
        async (frame, where) => {
          const overflow = await sidewaysOverflow(frame);
          if (overflow > 0) overflows.push(`${where}: ${overflow}px`);
        },
        { viewport: { width: 320, height: 640 } },
      );
      expect(overflows).toEqual([]);
    });

    test('when the text spacing is raised as far as WCAG 1.4.12 asks, at 320 px, then nothing scrolls sideways', async () => {
      const overflows: string[] = [];
      await walkThrough(
        slug,
        async (frame, where) => {
          // Line height 1.5, paragraph spacing 2 em, letter spacing 0.12 em, word spacing 0.16 em (the WCAG test values).
          await frame.evaluate(() => {
            if (document.getElementById('tekstavstand')) return;
            const style = document.createElement('style');
            style.id = 'tekstavstand';
            style.textContent =
              '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }' +
              ' p { margin-bottom: 2em !important; }';
            document.head.appendChild(style);
          });
          const overflow = await sidewaysOverflow(frame);
          if (overflow > 0) overflows.push(`${where}: ${overflow}px`);
        },
        { viewport: { width: 320, height: 640 } },
      );
      expect(overflows).toEqual([]);
    });

    test('when zoomed to 200 % on a 1280 px screen, then nothing scrolls sideways', async () => {
      const overflows: string[] = [];
      await walkThrough(
        slug,
        async (frame, where) => {
          // Browser zoom to 200 % on a 1280×800 window is a 640×400 CSS-pixel viewport at two device pixels per CSS pixel.
          const zoom = await frame.evaluate(() => ({
            width: window.innerWidth,
            ratio: window.devicePixelRatio,
          }));
          expect([where, zoom]).toEqual([where, { width: 640, ratio: 2 }]);
          const overflow = await sidewaysOverflow(frame);
          if (overflow > 0) overflows.push(`${where}: ${overflow}px`);
        },
        { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
      );
      expect(overflows).toEqual([]);
    });
  });

  test(`when a learner completes ${KEYBOARD_SLUG} with the keyboard only, then every focused control shows its focus and the LMS records a pass`, async () => {
    const { context, page, frame, errors, data } = await openCourse(KEYBOARD_SLUG);
    const unfocusable: string[] = [];
    let tabbedTo = 0;

    /** The focused element in the course, and whether it has a visible focus indicator. */
    async function focusState() {
      return frame.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        const shadow = style.boxShadow !== 'none';
        const label = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} «${(el.textContent ?? '').trim().slice(0, 40)}»`;
        return { label, visible: outline || shadow };
      });
    }

    async function press(key: 'Tab' | 'Shift+Tab') {
      await page.keyboard.press(key);
      const state = await focusState();
      if (state) {
        tabbedTo += 1;
        if (!state.visible) unfocusable.push(state.label);
      }
    }

    async function tabTo(selector: string, key: 'Tab' | 'Shift+Tab' = 'Tab') {
      for (let i = 0; i < 150; i += 1) {
        if (await frame.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
        await press(key);
      }
      throw new Error(`Could not reach ${selector} with ${key}.`);
    }

    async function focusedHeading(): Promise<string> {
      return frame.evaluate(() => document.activeElement?.id ?? '');
    }

    try {
      // Forward to page 2, back to page 1 with Shift+Tab to "Forrige", then through every page.
      await tabTo('#neste');
      await page.keyboard.press('Enter');
      expect(await focusedHeading()).toBe('side-2-tittel');
      await tabTo('#neste');
      await tabTo('#forrige', 'Shift+Tab');
      await page.keyboard.press('Enter');
      expect(await focusedHeading()).toBe('side-1-tittel');
      for (let number = 2; number <= data.pageCount; number += 1) {
        await tabTo('#neste');
        await page.keyboard.press('Enter');
        expect(await focusedHeading()).toBe(`side-${number}-tittel`);
      }

      for (const [index, q] of data.questions.entries()) {
        await tabTo(`input[name="svar-${q.id}"]`);
        // Tab lands on the first option; the arrow keys move the choice within a radio group.
        for (let i = 0; i < q.correct; i += 1) await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Space');
        expect(await frame.locator(`#svar-${q.id}-${q.correct}`).isChecked()).toBe(true);
        await tabTo(`button[data-sjekk="${q.id}"]`);
        await page.keyboard.press('Enter');
        expect(await frame.locator(`#tilbakemelding-${q.id}`).textContent()).toContain('Riktig.');
        // The same button now goes on: to the next question's heading, or to the result.
        await page.keyboard.press('Enter');
        const expected =
          index < data.questions.length - 1 ? `sporsmal-${data.questions[index + 1]!.id}-tittel` : 'resultat';
        expect(await focusedHeading()).toBe(expected);
      }
      expect(await frame.locator('#resultat h2').textContent()).toBe('Du har bestått');

      await tabTo('#avslutt');
      await page.keyboard.press('Enter');
      expect(await focusedHeading()).toBe('avsluttet-tittel');

      const saved = await store(page);
      expect(saved['cmi.completion_status']).toBe('completed');
      expect(saved['cmi.success_status']).toBe('passed');
      expect(saved['cmi.score.scaled']).toBe('1');
      expect(unfocusable).toEqual([]);
      expect(tabbedTo).toBeGreaterThan(data.pageCount + data.questions.length * 2);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
