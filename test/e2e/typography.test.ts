import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/app';
import { launchChromium, listen } from '../support/browser';

jest.setTimeout(120_000);

describe('typography in a real Chromium', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    server = await listen(t.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  test('when Inter is not installed, then pages fall back to the system sans-serif, not the browser’s serif default', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    const fonts = await page.evaluate(() => ({
      body: getComputedStyle(document.body).fontFamily,
      heading: getComputedStyle(document.querySelector('h1')!).fontFamily,
      button: getComputedStyle(document.querySelector('button')!).fontFamily,
    }));
    for (const family of Object.values(fonts)) {
      expect(family.startsWith('Inter,')).toBe(true);
      expect(family.endsWith('sans-serif')).toBe(true);
    }
    // The text is drawn as wide as in the plain sans-serif stack, not as in serif.
    const widths = await page.evaluate(() => {
      const measure = (font: string) => {
        const ctx = document.createElement('canvas').getContext('2d')!;
        ctx.font = `16px ${font}`;
        return ctx.measureText('Handlingsplan mot vold i nære relasjoner').width;
      };
      return {
        page: measure(getComputedStyle(document.body).fontFamily),
        sans: measure('system-ui, sans-serif'),
        serif: measure('serif'),
      };
    });
    expect(widths.serif).not.toBeCloseTo(widths.sans, 0);
    expect(widths.page).toBeCloseTo(widths.sans, 0);
    await page.close();
  });
});
