/**
 * LIX (läsbarhetsindex, Björnsson 1968): words per sentence plus the percentage of long words
 * (more than six letters). Below 40 reads as easy; the built-in courses must stay at or under 40.
 */
import type { RenderedCourse } from './render';

export interface LixResult {
  /** Rounded to one decimal; 0 for a text without words. */
  lix: number;
  words: number;
  sentences: number;
  longWords: number;
}

/** The learner-visible text of a course, as blocks (a heading, a paragraph, a list item, an answer…). */
export interface CourseText {
  /** Page titles and page bodies, in order. */
  pages: string[];
  /** The quiz: title, intro, and every situation, question, option, feedback and explanation. */
  quiz: string[];
}

const LONG_WORD_LETTERS = 6;
// A sentence ends at . ! ? or : when the next word starts with a capital letter (or a quote or a
// dash that opens one), so that "jf. § 282", "nr. 7" and "Det betyr: du skal" do not split a sentence.
const SENTENCE_END = /[.!?:]+["»”')\]]*\s+(?=[«"“(–-]?\s*[A-ZÆØÅÉÜÄÖ])/u;
const TRAILING_END = /[.!?:]+["»”')\]]*$/u;
const LETTER = /\p{L}/u;
const LETTERS = /\p{L}/gu;

/** The words of a text: whitespace-separated tokens that hold a letter or a digit ("§" alone is not a word). */
export function words(text: string): string[] {
  return text
    .split(/\s+/u)
    .map((token) => token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((token) => /[\p{L}\p{N}]/u.test(token));
}

function countLetters(word: string): number {
  return word.match(LETTERS)?.length ?? 0;
}

function sentencesIn(block: string): number {
  const trimmed = block.trim();
  if (!LETTER.test(trimmed) && !/\p{N}/u.test(trimmed)) return 0;
  // Every block (heading, list item, table cell, answer option) ends a sentence, with or without a full stop.
  const inner = trimmed.replace(TRAILING_END, '');
  return inner.split(SENTENCE_END).filter((part) => /[\p{L}\p{N}]/u.test(part)).length;
}

/**
 * Computes LIX over one text or over a list of blocks. Each block ends a sentence even without a
 * full stop, as a heading or a list item does when read.
 */
export function computeLix(text: string | readonly string[]): LixResult {
  const blocks = typeof text === 'string' ? text.split(/\n\s*\n/u) : text;
  let wordCount = 0;
  let longWords = 0;
  let sentences = 0;
  for (const block of blocks) {
    const blockWords = words(block);
    if (blockWords.length === 0) continue;
    wordCount += blockWords.length;
    longWords += blockWords.filter((word) => countLetters(word) > LONG_WORD_LETTERS).length;
    sentences += Math.max(1, sentencesIn(block));
  }
  if (wordCount === 0) return { lix: 0, words: 0, sentences: 0, longWords: 0 };
  const lix = wordCount / sentences + (100 * longWords) / wordCount;
  return { lix: Math.round(lix * 10) / 10, words: wordCount, sentences, longWords };
}

const BLOCK_END =
  /<\/(p|li|h[1-6]|td|th|caption|blockquote|label|legend|dt|dd|pre)>|<br\s*\/?>|<(ul|ol|table|tr|div)(\s[^>]*)?>/giu;

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/giu, (entity, code: string) => {
    const lower = code.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
    return named[lower] ?? entity;
  });
}

/**
 * The text a reader sees in rendered HTML, one block per paragraph, heading, list item or cell.
 * Text only for screen readers (class "skjult", such as "åpnes i ny fane") is left out.
 */
export function htmlToBlocks(html: string): string[] {
  const withoutHidden = html.replace(/<span class="skjult">[^<]*<\/span>/gu, '');
  return withoutHidden
    .replace(BLOCK_END, '\n\n')
    .replace(/<[^>]*>/gu, '')
    .split(/\n\s*\n/u)
    .map((block) => decodeEntities(block).replace(/\s+/gu, ' ').trim())
    .filter((block) => block.length > 0);
}

/** The learner-visible text of a rendered course (pages, then the quiz), without the player's buttons. */
export function courseText(course: RenderedCourse): CourseText {
  const pages = course.pages.flatMap((page) => [page.title, ...htmlToBlocks(page.html)]);
  const quiz = [course.quiz.title, ...htmlToBlocks(course.quiz.introHtml)];
  for (const question of course.quiz.questions) {
    quiz.push(...htmlToBlocks(question.situationHtml), ...htmlToBlocks(question.questionHtml));
    for (const option of question.options) {
      quiz.push(...htmlToBlocks(option.html), ...htmlToBlocks(option.feedbackHtml));
    }
    quiz.push(...htmlToBlocks(question.explanationHtml));
  }
  return { pages, quiz };
}

/** LIX of the whole course as a learner reads it: every page and the quiz. */
export function courseLix(course: RenderedCourse): LixResult {
  const text = courseText(course);
  return computeLix([...text.pages, ...text.quiz]);
}
