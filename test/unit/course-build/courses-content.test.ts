/**
 * Checks the three built-in courses in courses/ as a content editor would want them checked: they
 * build, the quiz is well formed, the text is plain (LIX), the length fits the stated time, every
 * legal statement cites a paragraph that the verified fact sheet covers, and every phone number is
 * either national or comes from kommune.yaml.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import {
  buildAllCourses,
  loadCourse,
  type CourseBuildResult,
  type LoadedCourse,
} from '../../../src/modules/course-build/build';
import { computeLix, courseLix, courseText, htmlToBlocks } from '../../../src/modules/course-build/lix';

const COURSES = path.join(__dirname, '..', '..', '..', 'courses');
const KOMMUNE = path.join(COURSES, 'kommune.yaml');
const SLUGS = ['handlingsplan', 'meldeplikt', 'taushetsplikt'] as const;

/** Reading pace used for the estimate: pages are read closely, the quiz only in part (one feedback per question). */
const PAGE_WORDS_PER_MINUTE = 180;
const QUIZ_WORDS_PER_MINUTE = 400;

/** The national numbers in the fact sheet (fakta-og-quiz.md, A6). */
const NATIONAL_NUMBERS = ['110', '112', '113', '116111', '116006', '116117', '02800'];

/**
 * The paragraphs the verified fact sheet covers, per law. A citation outside this list is either a
 * typo or a paragraph nobody has checked, and must not reach a learner.
 */
const KNOWN_PARAGRAPHS: Record<string, string[]> = {
  barnevernsloven: ['1-2', '1-4', '2-1', '13-1', '13-2', '13-3', '13-4'],
  straffeloven: [
    '196',
    '209',
    '253',
    '258',
    '262',
    '271',
    '274',
    '275',
    '282',
    '283',
    '284',
    '291',
    '295',
    '299',
    '303',
    '312',
    '314',
  ],
  forvaltningsloven: ['13', '13 a', '13 b', '13 f'],
  barnehageloven: ['44', '45', '46'],
  opplæringslova: ['24-2', '24-3'],
  helsepersonelloven: ['21', '22', '23', '25', '29', '31', '32', '33'],
  sosialtjenesteloven: ['44', '45'],
  folketrygdloven: ['25-11'],
  familievernkontorloven: ['10'],
  krisesenterlova: ['2', '6', '6 a'],
  'helse- og omsorgstjenesteloven': ['3-3 a', '5-4', '12-1'],
  'nav-loven': ['7'],
};

const LAW_NAMES = Object.keys(KNOWN_PARAGRAPHS).sort((a, b) => b.length - a.length);
const PARAGRAPH = String.raw`\d+(?:-\d+)*(?: [a-g](?![\p{L}\d]))?(?: nr\. \d+)?(?: (?:første|annet|tredje|fjerde|femte) ledd)?`;
const CITATION = new RegExp(
  String.raw`(${LAW_NAMES.join('|')}) (§§? ${PARAGRAPH}(?:(?:, | og )(?:§ )?${PARAGRAPH})*)`,
  'giu',
);
/** A sentence that states law: it names a law, a duty or a right that the courses teach. */
const STATES_LAW =
  /\p{L}*(loven|lova)\b|\b(plikt|opplysningsplikt|meldeplikt|avvergeplikt|taushetsplikt)(en)?\b|straffbart/iu;

function citationsIn(text: string): Array<{ law: string; paragraph: string }> {
  const found: Array<{ law: string; paragraph: string }> = [];
  for (const match of text.matchAll(CITATION)) {
    const law = match[1]!.toLowerCase();
    const list = match[2]!.replace(/ nr\. \d+| (?:første|annet|tredje|fjerde|femte) ledd/gu, '');
    for (const p of list.matchAll(/\d+(?:-\d+)*(?: [a-g](?![\p{L}\d]))?/gu))
      found.push({ law, paragraph: p[0] });
  }
  return found;
}

function phoneNumbersIn(text: string): string[] {
  const numbers: string[] = [];
  for (const match of text.matchAll(/(?<![\d§-])(?:\+47 ?)?\d(?:[\d ]*\d)?(?![\d-])/gu)) {
    const digits = match[0].replace(/^\+47/, '').replace(/\D/g, '');
    // Paragraph numbers, ages and years are short; phone numbers have five digits or more, or are 11x.
    if (digits.length >= 5 || /^11\d$/.test(digits)) numbers.push(digits);
  }
  return numbers;
}

function kommunePhones(config: unknown): string[] {
  const phones: string[] = [];
  const walk = (node: unknown, key: string): void => {
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, k);
    } else if (key === 'telefon' && node !== null && node !== undefined) {
      phones.push(String(node).replace(/^\+47/, '').replace(/\D/g, ''));
    }
  };
  walk(config, '');
  return phones;
}

describe('the built-in courses', () => {
  let outDir: string;
  let results: CourseBuildResult[];
  const loaded = new Map<string, LoadedCourse>();
  let localPhones: string[];

  beforeAll(async () => {
    outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kursvakt-courses-content-'));
    results = await buildAllCourses(COURSES, outDir);
    for (const slug of SLUGS) loaded.set(slug, await loadCourse(path.join(COURSES, slug), KOMMUNE));
    localPhones = kommunePhones(loadYaml(await fs.readFile(KOMMUNE, 'utf8')));
  });

  afterAll(async () => {
    await fs.rm(outDir, { recursive: true, force: true });
  });

  it('when courses/ is built, then the three courses give a SCORM 2004 and a SCORM 1.2 zip each', async () => {
    expect(results.map((r) => r.slug)).toEqual([...SLUGS]);
    for (const result of results) {
      expect((await fs.stat(result.zips.scorm2004)).size).toBeGreaterThan(5000);
      expect((await fs.stat(result.zips.scorm12)).size).toBeGreaterThan(5000);
      expect(result.passMark).toBe(0.8);
    }
  });

  describe.each(SLUGS)('%s', (slug) => {
    const course = () => loaded.get(slug)!.course;

    it('when the quiz is read, then it has 6–10 questions, each with one correct answer, feedback on every option and an explanation', () => {
      const questions = course().quiz.questions;
      expect(questions.length).toBeGreaterThanOrEqual(6);
      expect(questions.length).toBeLessThanOrEqual(10);
      for (const question of questions) {
        expect(question.options.length).toBeGreaterThanOrEqual(3);
        expect(question.options.filter((o) => o.correct)).toHaveLength(1);
        for (const option of question.options) expect(option.feedbackHtml.trim()).not.toBe('');
        expect(htmlToBlocks(question.explanationHtml).join(' ').length).toBeGreaterThan(40);
        expect(htmlToBlocks(question.situationHtml).join(' ').length).toBeGreaterThan(20);
      }
    });

    it('when LIX is computed over pages and quiz, then it is at most 40', () => {
      expect(courseLix(course()).lix).toBeLessThanOrEqual(40);
    });

    it('when the words are counted, then the pages hold 1,200–2,200 words and the stated 8–15 minutes fit the length', () => {
      const text = courseText(course());
      const pageWords = computeLix(text.pages).words;
      const quizWords = computeLix(text.quiz).words;
      expect(pageWords).toBeGreaterThanOrEqual(1200);
      expect(pageWords).toBeLessThanOrEqual(2200);
      const estimate = pageWords / PAGE_WORDS_PER_MINUTE + quizWords / QUIZ_WORDS_PER_MINUTE;
      const stated = course().estimatedMinutes;
      expect(stated).toBeGreaterThanOrEqual(8);
      expect(stated).toBeLessThanOrEqual(15);
      expect(Math.abs(stated - estimate)).toBeLessThanOrEqual(1.5);
    });

    it('when a page or an explanation states law, then it cites a paragraph («§»)', () => {
      const units = [
        ...course().pages.map((page) => ({ where: page.file, text: htmlToBlocks(page.html).join('\n') })),
        ...course().quiz.questions.map((q) => ({
          where: `quiz.yaml (${q.id})`,
          text: htmlToBlocks(q.explanationHtml).join('\n'),
        })),
      ];
      const uncited = units
        .filter((u) => STATES_LAW.test(u.text) && !u.text.includes('§'))
        .map((u) => u.where);
      expect(uncited).toEqual([]);
    });

    it('when paragraphs are cited, then each names its law and is one the fact sheet covers', () => {
      const text = courseText(course());
      const all = [...text.pages, ...text.quiz].join('\n');
      const citations = citationsIn(all);
      expect(citations.length).toBeGreaterThan(10);
      const unknown = citations.filter((c) => !KNOWN_PARAGRAPHS[c.law]!.includes(c.paragraph));
      expect(unknown).toEqual([]);
      // Every «§» belongs to a citation with a law name in front of it.
      const signs = (all.match(/§/g) ?? []).length;
      const cited = [...all.matchAll(CITATION)].reduce((n, m) => n + (m[0].match(/§/g) ?? []).length, 0);
      expect(cited).toBe(signs);
    });

    it('when the learner-visible text is scanned, then every phone number is national or from kommune.yaml', () => {
      const text = courseText(course());
      const all = [course().title, course().description, ...text.pages, ...text.quiz].join('\n');
      const numbers = phoneNumbersIn(all);
      expect(numbers.length).toBeGreaterThan(0);
      expect(numbers.filter((n) => !NATIONAL_NUMBERS.includes(n) && !localPhones.includes(n))).toEqual([]);
    });

    it('when a page cites a paragraph, then «§» and its number are kept on one line', () => {
      const html = course()
        .pages.map((page) => page.html)
        .join('\n');
      expect(html).toContain('§\u00a0');
      expect(html).not.toMatch(/§§? \d/);
    });

    it('when the sources are read, then local names and numbers come only through kommune.yaml placeholders', async () => {
      const dir = path.join(COURSES, slug);
      const files = [
        path.join(dir, 'course.yaml'),
        path.join(dir, 'quiz.yaml'),
        ...(await fs.readdir(path.join(dir, 'pages'))).map((name) => path.join(dir, 'pages', name)),
      ];
      const source = (await Promise.all(files.map((f) => fs.readFile(f, 'utf8')))).join('\n');
      expect(source).toContain('{{kommune.navn}}');
      expect(source).not.toMatch(/Eksempel|eksempel\.kommune/);
      for (const phone of localPhones) expect(phoneNumbersIn(source)).not.toContain(phone);
      // The built text shows the configured values.
      const built = courseText(course()).pages.join('\n');
      expect(built).toContain('Eksempel kommune');
    });
  });

  it('when a citation helper reads known forms, then it finds each law and paragraph', () => {
    expect(
      citationsIn('(straffeloven § 196, jf. § 253 og § 262 annet ledd) og (forvaltningsloven § 13 b nr. 7)'),
    ).toEqual([
      { law: 'straffeloven', paragraph: '196' },
      { law: 'forvaltningsloven', paragraph: '13 b' },
    ]);
    expect(citationsIn('(helse- og omsorgstjenesteloven § 3-3 a) og (straffeloven §§ 282 og 283)')).toEqual([
      { law: 'helse- og omsorgstjenesteloven', paragraph: '3-3 a' },
      { law: 'straffeloven', paragraph: '282' },
      { law: 'straffeloven', paragraph: '283' },
    ]);
    expect(phoneNumbersIn('Ring 112, 116 111 eller +47 12 34 56 01. Se § 13-2 og § 282 fra 2026.')).toEqual([
      '112',
      '116111',
      '12345601',
    ]);
  });
});
