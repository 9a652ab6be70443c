import path from 'node:path';
import MarkdownIt from 'markdown-it';

type Token = MarkdownIt.Token;

/** The municipality config from `courses/kommune.yaml`: nested keys that placeholders point into. */
export type KommuneConfig = Record<string, unknown>;

export type ScormVersion = '2004' | '1.2';

/** What the renderer needs to know about the file it renders, and where it reports problems. */
export interface RenderContext {
  /** The source file, as shown in error messages. */
  file: string;
  kommune: KommuneConfig;
  /** Names of the files in the course's `media/` folder, the only images a page may show. */
  media: ReadonlySet<string>;
  /** Problems are collected rather than thrown so that one build reports all of them at once. */
  problems: string[];
}

export interface RenderedPage {
  /** Plain text; the template escapes it. */
  title: string;
  html: string;
  file: string;
}

export interface RenderedOption {
  html: string;
  correct: boolean;
  feedbackHtml: string;
}

export interface RenderedQuestion {
  id: string;
  situationHtml: string;
  questionHtml: string;
  options: RenderedOption[];
  explanationHtml: string;
}

export interface RenderedCourse {
  slug: string;
  /** Plain text, like `description` and the page and quiz titles; the template escapes them. */
  title: string;
  description: string;
  version: number;
  /** The share of correct answers needed to pass, 0–1 (the quiz's own pass mark wins over the course's). */
  passMark: number;
  estimatedMinutes: number;
  pages: RenderedPage[];
  quiz: { title: string; introHtml: string; questions: RenderedQuestion[] };
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const PLACEHOLDER_PATH = /^[A-Za-z0-9_æøåÆØÅ-]+(\.[A-Za-z0-9_æøåÆØÅ-]+)*$/;
// Backslash-escaping every punctuation character that Markdown could read as syntax keeps a value
// such as "Barne_og_familie" or "A&B" literal; CommonMark honours these escapes in link targets too.
const MARKDOWN_SPECIAL = /[\\`*_[\]()<>!|~&#"]/g;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function lookUp(config: KommuneConfig, keyPath: string): unknown {
  let node: unknown = config;
  for (const key of keyPath.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Replaces `{{dot.path}}` placeholders with values from the municipality config; in `markdown` mode
 * the value is escaped so that Markdown shows it literally (markdown-it then HTML-escapes it).
 */
export function fillPlaceholders(text: string, ctx: RenderContext, mode: 'markdown' | 'text'): string {
  return text.replace(PLACEHOLDER, (whole, rawPath: string) => {
    const keyPath = rawPath.trim();
    const value = PLACEHOLDER_PATH.test(keyPath) ? lookUp(ctx.kommune, keyPath) : undefined;
    if (value === undefined || value === null) {
      ctx.problems.push(
        `Ukjent plassholder ${whole} i ${ctx.file}: «${keyPath}» finnes ikke i kommune.yaml.`,
      );
      return whole;
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      ctx.problems.push(
        `Plassholderen ${whole} i ${ctx.file} peker på en gruppe i kommune.yaml, ikke på én verdi.`,
      );
      return whole;
    }
    const text = String(value).trim();
    if (text === '') {
      ctx.problems.push(`Plassholderen ${whole} i ${ctx.file} er tom i kommune.yaml.`);
      return whole;
    }
    return mode === 'markdown' ? text.replace(MARKDOWN_SPECIAL, '\\$&') : text;
  });
}

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });
// A wide table scrolls inside its own box rather than the page (no sideways scrolling at 320 px);
// the box is focusable and named so that keyboard users can scroll it too.
markdown.renderer.rules.table_open = () =>
  '<div class="tabell" role="region" aria-label="Tabell" tabindex="0">\n<table>\n';
markdown.renderer.rules.table_close = () => '</table>\n</div>\n';

function isExternal(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//');
}

function newWindowNotice(like: Token): Token {
  const TokenClass = like.constructor as new (type: string, tag: string, nesting: 0) => Token;
  const notice = new TokenClass('html_inline', '', 0);
  notice.content = '<span class="skjult"> (åpnes i ny fane)</span>';
  return notice;
}

/**
 * Shifts headings so that the highest one used becomes `topLevel` and levels follow without gaps,
 * since the page template already owns the levels above.
 */
function normaliseHeadings(tokens: Token[], topLevel: number): void {
  const used = [
    ...new Set(tokens.filter((t) => t.type === 'heading_open').map((t) => Number(t.tag.slice(1)))),
  ];
  used.sort((a, b) => a - b);
  for (const token of tokens) {
    if (token.type !== 'heading_open' && token.type !== 'heading_close') continue;
    const rank = used.indexOf(Number(token.tag.slice(1)));
    token.tag = `h${Math.min(6, topLevel + rank)}`;
  }
}

function adjustInline(tokens: Token[], ctx: RenderContext): void {
  for (const block of tokens) {
    const children = block.children;
    if (!children) continue;
    for (let i = 0; i < children.length; i += 1) {
      const token = children[i]!;
      if (token.type === 'image') {
        const src = String(token.attrGet('src') ?? '');
        // Pages may point at media/x.png or, relative to pages/, ../media/x.png; both mean the same file.
        const local = path.posix.normalize(src).replace(/^\.\.\//, '');
        const name = local.startsWith('media/') ? local.slice('media/'.length) : '';
        if (isExternal(src)) {
          ctx.problems.push(
            `Bildet ${src} i ${ctx.file} hentes fra en ekstern adresse. Legg bildefilen i kursets media-mappe.`,
          );
        } else if (!ctx.media.has(name)) {
          ctx.problems.push(`Bildet ${src} i ${ctx.file} finnes ikke i kursets media-mappe.`);
        } else {
          token.attrSet('src', `media/${name}`);
        }
      }
      if (token.type === 'link_open' && /^https?:/i.test(String(token.attrGet('href') ?? ''))) {
        // Inside an LMS the course runs in a frame: following a link in place would unload the SCO.
        token.attrSet('target', '_blank');
        token.attrSet('rel', 'noopener noreferrer');
        const close = children.findIndex((t, j) => j > i && t.type === 'link_close');
        if (close > i) children.splice(close, 0, newWindowNotice(token));
      }
    }
  }
}

/**
 * Keeps a paragraph sign on the same line as its number ("§ 13-2", "§§ 282 og 283"): a line break
 * between them makes a legal reference hard to read, most of all on a phone.
 */
export function bindParagraphSigns(text: string): string {
  return text.replace(/(§§?)[ \t]+(?=\d)/g, '$1\u00a0');
}

/** Renders a Markdown block (placeholders filled, raw HTML escaped) with its headings starting at `topLevel`. */
export function renderMarkdown(source: string, ctx: RenderContext, topLevel: number): string {
  const tokens = markdown.parse(bindParagraphSigns(fillPlaceholders(source, ctx, 'markdown')), {});
  normaliseHeadings(tokens, topLevel);
  adjustInline(tokens, ctx);
  return markdown.renderer.render(tokens, markdown.options, {});
}

/** Renders one line of Markdown (emphasis, links) without a surrounding paragraph. */
export function renderInlineMarkdown(source: string, ctx: RenderContext): string {
  const tokens = markdown.parseInline(bindParagraphSigns(fillPlaceholders(source, ctx, 'markdown')), {});
  adjustInline(tokens, ctx);
  return markdown.renderer.render(tokens, markdown.options, {}).trim();
}

/** Fills placeholders in a plain-text field such as a title; the template escapes it where it is used. */
export function renderText(source: string, ctx: RenderContext): string {
  return fillPlaceholders(source, ctx, 'text');
}

function formatPercent(share: number): string {
  return `${Math.round(share * 1000) / 10}`.replace('.', ',') + '\u00a0%';
}

function renderPage(page: RenderedPage, index: number, intro: string): string {
  return `<section id="side-${index}" class="side" aria-labelledby="side-${index}-tittel">
<h1 id="side-${index}-tittel" tabindex="-1">${escapeHtml(page.title)}</h1>
${intro}${page.html}</section>`;
}

function renderQuestion(question: RenderedQuestion, number: number, total: number): string {
  const id = question.id;
  const options = question.options
    .map(
      (option, i) => `<div class="valg">
<input type="radio" name="svar-${id}" id="svar-${id}-${i}" value="${i}">
<label for="svar-${id}-${i}">${option.html}</label>
</div>`,
    )
    .join('\n');
  return `<div class="sporsmal" id="sporsmal-${id}" data-sporsmal="${id}">
<h2 id="sporsmal-${id}-tittel" tabindex="-1">Spørsmål ${number} av ${total}</h2>
<div class="situasjon">
${question.situationHtml}</div>
<fieldset>
<legend>${question.questionHtml}</legend>
${options}
</fieldset>
<p class="handling"><button type="button" class="knapp sjekk" data-sjekk="${id}">Sjekk svaret</button></p>
<div class="tilbakemelding" id="tilbakemelding-${id}" aria-live="polite"></div>
</div>`;
}

function renderQuiz(course: RenderedCourse, index: number): string {
  const questions = course.quiz.questions;
  return `<section id="side-${index}" class="side quiz" aria-labelledby="side-${index}-tittel">
<h1 id="side-${index}-tittel" tabindex="-1">${escapeHtml(course.quiz.title)}</h1>
${course.quiz.introHtml}<p class="krav" id="krav">Testen har ${questions.length} spørsmål. Du består med minst ${formatPercent(course.passMark)} riktige svar.</p>
${questions.map((q, i) => renderQuestion(q, i + 1, questions.length)).join('\n')}
<div class="resultat" id="resultat" tabindex="-1" hidden></div>
</section>`;
}

/** Serialises data for a `<script type="application/json">` block, so that no value can close the element. */
function scriptJson(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Renders the SCO's single HTML page: every content page as a section, then the quiz. */
export function renderIndexHtml(course: RenderedCourse, scormVersion: ScormVersion): string {
  const pageCount = course.pages.length + 1;
  const questionCount = course.quiz.questions.length;
  const intro = `<p class="varighet">Kurset tar omtrent ${course.estimatedMinutes} minutter. Til slutt er det en test med ${questionCount} spørsmål.</p>\n`;
  const data = {
    slug: course.slug,
    title: course.title,
    version: course.version,
    passMark: course.passMark,
    pageCount,
    questions: course.quiz.questions.map((q) => ({
      id: q.id,
      correct: q.options.findIndex((o) => o.correct),
      options: q.options.map((o) => o.html),
      feedback: q.options.map((o) => o.feedbackHtml),
      explanation: q.explanationHtml,
    })),
  };
  const firstTitle = course.pages[0]?.title ?? course.quiz.title;
  return `<!doctype html>
<html lang="nb" data-scorm="${scormVersion}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${firstTitle} – ${course.title}`)}</title>
<link rel="stylesheet" href="course.css">
</head>
<body>
<header class="topp">
<div class="ramme">
<p class="kurstittel">${escapeHtml(course.title)}</p>
<div class="fremdrift">
<label for="fremdrift" id="fremdrift-tekst">Side 1 av ${pageCount}</label>
<progress id="fremdrift" max="${pageCount}" value="1"></progress>
</div>
</div>
</header>
<main id="innhold" class="ramme">
<noscript><p class="merknad">Kurset trenger JavaScript for å vise én side om gangen og lagre fremdriften din.</p></noscript>
<p class="merknad" id="uten-lms" hidden>Kurset er ikke åpnet fra en læringsplattform, så fremdriften og resultatet ditt blir ikke lagret.</p>
${course.pages.map((page, i) => renderPage(page, i + 1, i === 0 ? intro : '')).join('\n')}
${renderQuiz(course, pageCount)}
<section id="avsluttet" class="side" aria-labelledby="avsluttet-tittel" hidden>
<h1 id="avsluttet-tittel" tabindex="-1">Kurset er avsluttet</h1>
<p id="avsluttet-tekst"></p>
</section>
</main>
<nav class="ramme navigasjon" aria-label="Bla i kurset">
<button type="button" id="forrige" class="knapp sekundar">Forrige</button>
<button type="button" id="neste" class="knapp">Neste</button>
<button type="button" id="avslutt" class="knapp sekundar avslutt">Avslutt</button>
</nav>
<script type="application/json" id="kursdata">${scriptJson(data)}</script>
<script src="scorm-api.js"></script>
<script src="course.js"></script>
</body>
</html>
`;
}
