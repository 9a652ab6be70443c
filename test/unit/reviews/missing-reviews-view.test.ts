import path from 'node:path';
import ejs from 'ejs';

const view = path.resolve(__dirname, '../../../views/reviews/missing-reviews.ejs');

function missing(units: number) {
  return Array.from({ length: units }, (_, i) =>
    [1, 2].map((topic) => ({
      unit: { id: i + 1, code: `U${i + 1}`, name: `Enhet ${i + 1}`, path: `/1/${i + 2}/` },
      topic: { id: topic, title: topic === 1 ? 'Handlingsveilederen' : 'Meldeplikten' },
      done: 0,
      required: 1,
    })),
  ).flat();
}

describe('the «Enheter uten årets gjennomgang» partial', () => {
  test('when a dashboard shows many units, then it lists 15, says how many more, and links to the full page', async () => {
    const html = await ejs.renderFile(view, {
      missing: missing(20),
      year: 2026,
      headingLevel: 2,
      link: '/leder/gjennomganger',
    });
    expect(html).toContain('20 enheter mangler minst én av årets gjennomganger.');
    expect(html.match(/<li>/g)).toHaveLength(15);
    expect(html).toContain('<strong>Enhet 1</strong>: Handlingsveilederen (0 av 1); Meldeplikten (0 av 1)');
    expect(html).toContain('… og 5 enheter til.');
    expect(html).toContain('href="/leder/gjennomganger"');
  });

  test('when the review page shows the list, then every unit is listed; with none missing it says so', async () => {
    const html = await ejs.renderFile(view, {
      missing: missing(20),
      year: 2026,
      headingLevel: 2,
      link: null,
    });
    expect(html.match(/<li>/g)).toHaveLength(20);
    const none = await ejs.renderFile(view, { missing: [], year: 2026, headingLevel: 2, link: null });
    expect(none).toContain('Alle enhetene har registrert årets gjennomganger.');
  });
});
