import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import { formatNorwegianDate, type LocalDate } from '../../lib/dates';

/**
 * Mail content. HR edits the subject and the body text of each kind in `mail_templates`, with
 * `{{placeholders}}` only – never EJS, so an edited text cannot run code on the server. The
 * HTML and plain-text layouts around that text are EJS files in views/mail/.
 */

export const MAIL_KINDS = [
  'employee_due_soon',
  'employee_due_today',
  'employee_overdue',
  'leader_digest',
  'escalation',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export const MAIL_KIND_LABELS: Record<MailKind, string> = {
  employee_due_soon: 'Ansatt: fristen nærmer seg',
  employee_due_today: 'Ansatt: fristen er i dag',
  employee_overdue: 'Ansatt: fristen har gått ut (gjentas)',
  leader_digest: 'Leder: oversikt over det som må følges opp',
  escalation: 'Eskalering til leder av overordnet enhet',
};

export interface TemplateText {
  subject: string;
  body: string;
}

/** `{{status}}`, offered by every employee reminder (completionStatusSentence). */
const STATUS_PLACEHOLDER =
  'det som er registrert om kurset: «Du fullførte kurset sist 05.02.2023, og det må tas på nytt.» eller «Kurset er ikke registrert som fullført.»';

/** The placeholders each kind offers, with a bokmål explanation for the editor. */
export const PLACEHOLDERS: Record<MailKind, Record<string, string>> = {
  employee_due_soon: {
    navn: 'mottakerens navn',
    kurs: 'kursets navn',
    frist: 'fristen (dd.mm.åååå)',
    dager: 'antall dager til fristen',
    status: STATUS_PLACEHOLDER,
    lenke: 'lenke til kurset',
  },
  employee_due_today: {
    navn: 'mottakerens navn',
    kurs: 'kursets navn',
    frist: 'fristen',
    status: STATUS_PLACEHOLDER,
    lenke: 'lenke til kurset',
  },
  employee_overdue: {
    navn: 'mottakerens navn',
    kurs: 'kursets navn',
    frist: 'fristen som er passert',
    dager: 'antall dager siden fristen',
    status: STATUS_PLACEHOLDER,
    lenke: 'lenke til kurset',
  },
  leader_digest: {
    navn: 'lederens navn',
    enheter: 'enhetene lederen leder',
    periode: 'perioden oversikten gjelder',
    lenke: 'lenke til oversikten over enhetene',
  },
  escalation: {
    navn: 'lederens navn',
    antall: 'antall ansatte i e-posten, med ordet («1 ansatt», «12 ansatte»)',
    enheter: 'enhetene lederen leder',
    dager: 'grensen for eskalering, i dager etter fristen',
    lenke: 'lenke til oversikten over forfalte kurs',
  },
};

export const DEFAULT_TEMPLATES: Record<MailKind, TemplateText> = {
  employee_due_soon: {
    subject: 'Påminnelse: «{{kurs}}» må fullføres innen {{frist}}',
    body: [
      'Hei, {{navn}}!',
      'Du må fullføre kurset «{{kurs}}» innen {{frist}}, om {{dager}} dager.',
      'Start kurset her: {{lenke}}',
      'Vennlig hilsen HR',
    ].join('\n\n'),
  },
  employee_due_today: {
    subject: 'I dag er fristen for «{{kurs}}»',
    body: [
      'Hei, {{navn}}!',
      'Fristen for å fullføre kurset «{{kurs}}» er i dag, {{frist}}.',
      'Start kurset her: {{lenke}}',
      'Vennlig hilsen HR',
    ].join('\n\n'),
  },
  employee_overdue: {
    subject: 'Fristen for «{{kurs}}» har gått ut',
    body: [
      'Hei, {{navn}}!',
      'Fristen for kurset «{{kurs}}» var {{frist}}, for {{dager}} dager siden. {{status}} Fullfør det så snart du kan.',
      'Start kurset her: {{lenke}}',
      'Har du allerede fullført kurset, eller mener du at du er fritatt, kan du kontakte lederen din.',
      'Vennlig hilsen HR',
    ].join('\n\n'),
  },
  leader_digest: {
    subject: 'Kurs som må følges opp – {{periode}}',
    body: [
      'Hei, {{navn}}!',
      'Her er det som må følges opp i {{enheter}}.',
      'Hele oversikten finner du her: {{lenke}}',
    ].join('\n\n'),
  },
  escalation: {
    subject: 'Eskalering: {{antall}} med kurs forfalt i mer enn {{dager}} dager',
    body: [
      'Hei, {{navn}}!',
      '{{antall}} i enhetene under {{enheter}} har ikke tatt et obligatorisk kurs innen fristen, og fristen gikk ut for mer enn {{dager}} dager siden. Du får denne e-posten fordi du er leder for {{enheter}}.',
      'Følg dem opp sammen med lederne av enhetene deres. Alle forfalte kurs finner du her: {{lenke}}',
    ].join('\n\n'),
  },
};

/**
 * The `{{status}}` sentence of an employee reminder: a renewal is not a course never taken, and
 * someone who took it in 2023 should not read that it is not registered as completed.
 */
export function completionStatusSentence(lastCompletion: LocalDate | null): string {
  return lastCompletion
    ? `Du fullførte kurset sist ${formatNorwegianDate(lastCompletion)}, og det må tas på nytt.`
    : 'Kurset er ikke registrert som fullført.';
}

/**
 * Replaces `{{name}}` with values; an unknown placeholder is left as written so HR sees it in the
 * preview. `{{dager}}` is a bare number that texts follow with «dager», so a filled «1 dager» is
 * put in the singular («om 1 dag», «for 1 dag siden»).
 */
export function fillPlaceholders(text: string, values: Record<string, string | number>): string {
  const filled = text.replace(/\{\{\s*([a-zæøå]+)\s*\}\}/gi, (whole, name: string) => {
    const value = values[name.toLowerCase()];
    return value === undefined ? whole : String(value);
  });
  return filled.replace(/(^|[^\d,.])1 dager\b/g, '$11 dag');
}

/** «1 dag», «14 dager». */
export function countDays(n: number): string {
  return `${n} ${n === 1 ? 'dag' : 'dager'}`;
}

/** Placeholders used in a text that the kind does not offer (shown as an error in the editor). */
export function unknownPlaceholders(kind: MailKind, text: string): string[] {
  const known = PLACEHOLDERS[kind];
  const out = new Set<string>();
  for (const m of text.matchAll(/\{\{\s*([^}\s]*)\s*\}\}/g)) {
    if (!(m[1]!.toLowerCase() in known)) out.add(m[1]!);
  }
  return [...out];
}

/** A section of a digest: a heading and lines, each optionally linked. */
export interface MailSection {
  heading: string;
  lines: Array<{ text: string; href?: string }>;
}

/**
 * What a mail says, as the outbox stores it: the template's body with the values filled in, and
 * the sections. The text and HTML parts are rendered from it when the mail is read (to send it, or
 * to show it to HR), so a run of 20,000 mails stores one short text per mail instead of two
 * renderings, and renders none of them.
 */
export interface MailContent {
  body: string;
  sections: MailSection[];
}

/** A mail with its values filled in: the subject, and the content the parts are rendered from. */
export interface ComposedMail {
  subject: string;
  content: MailContent;
}

/** The parts of a mail rendered from its content. */
export interface MailBodies {
  text: string;
  /**
   * The part of the HTML that is this mail's own (paragraphs and sections); the sender puts it into
   * the layout (`htmlDocument`).
   */
  htmlBody: string;
}

export interface RenderedMail extends MailBodies {
  subject: string;
}

const viewsDir = path.resolve(__dirname, '../../../views/mail');
let compiled:
  { html: ejs.TemplateFunction; layout: ejs.TemplateFunction; text: ejs.TemplateFunction } | undefined;

function layouts() {
  if (!compiled) {
    const read = (name: string) => fs.readFileSync(path.join(viewsDir, name), 'utf8');
    compiled = {
      html: ejs.compile(read('message.html.ejs'), { filename: path.join(viewsDir, 'message.html.ejs') }),
      layout: ejs.compile(read('layout.html.ejs'), { filename: path.join(viewsDir, 'layout.html.ejs') }),
      text: ejs.compile(read('message.text.ejs'), {
        filename: path.join(viewsDir, 'message.text.ejs'),
        escape: (s: unknown) => String(s),
      }),
    };
  }
  return compiled;
}

/** Splits text into paragraphs and URLs, so the HTML layout can link them without trusting any markup. */
export function toParagraphs(text: string): Array<Array<{ text: string; href?: string }>> {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const parts: Array<{ text: string; href?: string }> = [];
      let last = 0;
      for (const m of p.matchAll(/https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g)) {
        if (m.index! > last) parts.push({ text: p.slice(last, m.index) });
        parts.push({ text: m[0], href: m[0] });
        last = m.index! + m[0].length;
      }
      if (last < p.length) parts.push({ text: p.slice(last) });
      return parts;
    });
}

/** Fills in a template: the subject on one line, and the body with the sections as the mail's content. */
export function composeMail(
  template: TemplateText,
  values: Record<string, string | number>,
  sections: MailSection[] = [],
): ComposedMail {
  return {
    subject: fillPlaceholders(template.subject, values).replace(/\s+/g, ' ').trim(),
    content: { body: fillPlaceholders(template.body, values), sections },
  };
}

/** Renders the text and HTML parts of a mail from its content, through the EJS layouts. */
export function renderContent(content: MailContent): MailBodies {
  const { html, text } = layouts();
  return {
    text:
      text({ body: content.body.trim(), sections: content.sections })
        .replace(/\n{3,}/g, '\n\n')
        .trim() + '\n',
    htmlBody: html({ paragraphs: toParagraphs(content.body), sections: content.sections }),
  };
}

/** Composes and renders one mail (the editor's preview). */
export function renderMail(
  template: TemplateText,
  values: Record<string, string | number>,
  sections: MailSection[] = [],
): RenderedMail {
  const mail = composeMail(template, values, sections);
  return { subject: mail.subject, ...renderContent(mail.content) };
}

/**
 * The HTML document of a mail from its own part (`RenderedMail.htmlBody`). A row written before
 * the outbox stored only that part holds the whole document, and is sent as it is.
 */
export function htmlDocument(subject: string, htmlBody: string): string {
  if (/^\s*<!doctype html>/i.test(htmlBody)) return htmlBody;
  return layouts().layout({ subject, content: htmlBody });
}
