import path from 'node:path';
import { loadCourse } from '../../../src/modules/course-build/build';
import {
  computeLix,
  courseLix,
  courseText,
  htmlToBlocks,
  words,
} from '../../../src/modules/course-build/lix';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'courses');

describe('computeLix', () => {
  it('when a text has two short sentences without long words, then LIX is the words per sentence', () => {
    // 8 words, 2 sentences, 0 words over six letters: 8 / 2 + 0 = 4.
    expect(computeLix('Katten sitter på matta. Hunden ligger under bordet.')).toEqual({
      lix: 4,
      words: 8,
      sentences: 2,
      longWords: 0,
    });
  });

  it('when a sentence has long words, then their share is added as a percentage', () => {
    // 5 words, 1 sentence; barnevernstjenesten, behandle and meldingen are long: 5 + 100 * 3 / 5 = 65.
    expect(computeLix('Barnevernstjenesten skal behandle meldingen raskt.')).toEqual({
      lix: 65,
      words: 5,
      sentences: 1,
      longWords: 3,
    });
  });

  it('when a word has exactly six letters, then it is not long, and seven letters is', () => {
    expect(computeLix('Sitter.').longWords).toBe(0);
    expect(computeLix('Sitters.').longWords).toBe(1);
    // Punctuation and digits do not count as letters.
    expect(computeLix('«Mamma», 1234567.').longWords).toBe(0);
  });

  it('when a paragraph sign and abbreviations appear, then "§" is no word and "jf. §" does not end a sentence', () => {
    // Words: Se straffeloven 196 jf 282 Ring 112 nå = 8; long: straffeloven; sentences: 2.
    // 8 / 2 + 100 * 1 / 8 = 16.5.
    expect(computeLix('Se straffeloven § 196, jf. § 282. Ring 112 nå!')).toEqual({
      lix: 16.5,
      words: 8,
      sentences: 2,
      longWords: 1,
    });
  });

  it('when a colon is followed by a small letter, then it does not end the sentence', () => {
    expect(computeLix('Det betyr: du skal melde. Husk dette.').sentences).toBe(2);
    expect(computeLix('Husk dette: Du skal melde.').sentences).toBe(2);
  });

  it('when blocks have no full stop, then each block still ends a sentence', () => {
    const result = computeLix(['Når skal du melde', 'Du skal melde straks.']);
    expect(result).toEqual({ lix: 4, words: 8, sentences: 2, longWords: 0 });
    // Blank lines split a string into blocks the same way.
    expect(computeLix('Når skal du melde\n\nDu skal melde straks.')).toEqual(result);
  });

  it('when the text has no words, then LIX is 0', () => {
    expect(computeLix('')).toEqual({ lix: 0, words: 0, sentences: 0, longWords: 0 });
    expect(computeLix(['§', ' – '])).toEqual({ lix: 0, words: 0, sentences: 0, longWords: 0 });
  });

  it('when words are counted, then surrounding punctuation is dropped and hyphenated numbers stay one word', () => {
    expect(words('«Slo han deg?» (barnevernsloven § 13-2).')).toEqual([
      'Slo',
      'han',
      'deg',
      'barnevernsloven',
      '13-2',
    ]);
  });
});

describe('htmlToBlocks', () => {
  it('when HTML has paragraphs, list items and entities, then each becomes a block of plain text', () => {
    const html =
      '<h2>Hvem ringer du?</h2>\n<p>Ring <strong>112</strong> &amp; vent.</p>\n<ul>\n<li>Politiet</li>\n<li>Legevakt</li>\n</ul>\n' +
      '<p><a href="https://x.no" target="_blank">Les mer<span class="skjult"> (åpnes i ny fane)</span></a></p>';
    expect(htmlToBlocks(html)).toEqual([
      'Hvem ringer du?',
      'Ring 112 & vent.',
      'Politiet',
      'Legevakt',
      'Les mer',
    ]);
  });
});

describe('courseText and courseLix', () => {
  it('when the sample course is read, then its text holds pages and quiz with placeholders filled and no markup', async () => {
    const { course } = await loadCourse(path.join(FIXTURES, 'sample'), path.join(FIXTURES, 'kommune.yaml'));
    const text = courseText(course);
    expect(text.pages[0]).toBe('Velkommen');
    expect(text.pages).toContain('Dette kurset er laget for ansatte i Eksempel kommune.');
    expect(text.pages.join(' ')).toContain('+47 12 34 56 78');
    expect(text.quiz[0]).toBe('Test deg selv');
    expect(text.quiz).toContain('Ja, barnevernet skal ha beskjed.');
    expect(text.quiz).toContain(
      'Ved bekymring kontakter du Barneverntjenesten i Eksempel på +47 12 34 56 78.',
    );
    // The sample shows a <script> tag as text on purpose; rendered markup itself must be gone.
    expect(text.pages).toContain("<script>alert('ingen rå HTML')</script>");
    for (const block of [...text.pages, ...text.quiz]) {
      expect(block).not.toMatch(/\{\{|<\/?(p|strong|a|li|h\d|span|table|td)\b/);
    }

    const lix = courseLix(course);
    expect(lix).toEqual(computeLix([...text.pages, ...text.quiz]));
    expect(lix.words).toBeGreaterThan(100);
    expect(lix.lix).toBeGreaterThan(0);
  });
});
