import type { DbOrTx } from '../../db/client';
import { ValidationError } from '../../lib/errors';
import {
  DEFAULT_TEMPLATES,
  MAIL_KINDS,
  MAIL_KIND_LABELS,
  unknownPlaceholders,
  type MailKind,
  type TemplateText,
} from './templates';
import { deleteStoredTemplate, listStoredTemplates, upsertStoredTemplate } from './mail.repo';

/**
 * The mail texts HR can edit. A stored template with key `<kind>` replaces the built-in text for
 * every schedule; `<kind>:<variant>` is used by schedules that name that variant.
 */

export type TemplateSet = Record<MailKind, TemplateText>;

export function templateKey(kind: MailKind, variant: string | null): string {
  return variant && variant !== 'standard' ? `${kind}:${variant}` : kind;
}

/** The texts a schedule with this variant uses: variant → standard override → built-in. */
export async function resolveTemplates(db: DbOrTx, variant: string | null): Promise<TemplateSet> {
  const stored = new Map((await listStoredTemplates(db)).map((t) => [t.key, t]));
  const out = {} as TemplateSet;
  for (const kind of MAIL_KINDS) {
    const chosen = stored.get(templateKey(kind, variant)) ?? stored.get(kind);
    out[kind] = chosen ? { subject: chosen.subject, body: chosen.body } : DEFAULT_TEMPLATES[kind];
  }
  return out;
}

export interface TemplateListItem {
  key: string;
  kind: MailKind;
  variant: string;
  label: string;
  subject: string;
  body: string;
  edited: boolean;
  updatedAt: Date | null;
}

function parseKey(key: string): { kind: MailKind; variant: string } | null {
  const [kind, variant] = key.split(':');
  if (!(MAIL_KINDS as readonly string[]).includes(kind!)) return null;
  return { kind: kind as MailKind, variant: variant ?? 'standard' };
}

/** Every built-in kind (edited or not) and every stored variant. */
export async function listTemplatesForAdmin(db: DbOrTx): Promise<TemplateListItem[]> {
  const stored = await listStoredTemplates(db);
  const byKey = new Map(stored.map((t) => [t.key, t]));
  const items: TemplateListItem[] = MAIL_KINDS.map((kind) => {
    const s = byKey.get(kind);
    return {
      key: kind,
      kind,
      variant: 'standard',
      label: MAIL_KIND_LABELS[kind],
      subject: s?.subject ?? DEFAULT_TEMPLATES[kind].subject,
      body: s?.body ?? DEFAULT_TEMPLATES[kind].body,
      edited: !!s,
      updatedAt: s?.updatedAt ?? null,
    };
  });
  for (const s of stored) {
    const parsed = parseKey(s.key);
    if (!parsed || parsed.variant === 'standard') continue;
    items.push({
      key: s.key,
      kind: parsed.kind,
      variant: parsed.variant,
      label: `${MAIL_KIND_LABELS[parsed.kind]} (variant «${parsed.variant}»)`,
      subject: s.subject,
      body: s.body,
      edited: true,
      updatedAt: s.updatedAt,
    });
  }
  return items;
}

/** The variant names HR has made, for the schedule form. */
export async function listTemplateVariants(db: DbOrTx): Promise<string[]> {
  const stored = await listStoredTemplates(db);
  const variants = new Set<string>();
  for (const s of stored) {
    const parsed = parseKey(s.key);
    if (parsed && parsed.variant !== 'standard') variants.add(parsed.variant);
  }
  return [...variants].sort();
}

/** Checks a text HR wrote: not empty, and only the placeholders the kind offers. */
export function validateTemplateText(kind: MailKind, text: TemplateText): TemplateText {
  const subject = text.subject.trim();
  const body = text.body.replace(/\r\n/g, '\n').trim();
  const fieldErrors: Record<string, string> = {};
  if (!subject) fieldErrors.subject = 'Skriv et emne.';
  else if (subject.length > 200) fieldErrors.subject = 'Emnet kan ha høyst 200 tegn.';
  if (!body) fieldErrors.body = 'Skriv en tekst.';
  else if (body.length > 10_000) fieldErrors.body = 'Teksten kan ha høyst 10 000 tegn.';
  const unknownSubject = unknownPlaceholders(kind, subject);
  const unknownBody = unknownPlaceholders(kind, body);
  if (!fieldErrors.subject && unknownSubject.length)
    fieldErrors.subject = `Ukjent flettefelt: ${unknownSubject.map((p) => `{{${p}}}`).join(', ')}.`;
  if (!fieldErrors.body && unknownBody.length)
    fieldErrors.body = `Ukjent flettefelt: ${unknownBody.map((p) => `{{${p}}}`).join(', ')}.`;
  // An employee's reminder is there to get them to the course: without the link it cannot.
  if (!fieldErrors.body && kind.startsWith('employee_') && !/\{\{\s*lenke\s*\}\}/i.test(body))
    fieldErrors.body = 'Teksten må ha med {{lenke}}, så mottakeren kommer rett til kurset.';
  if (Object.keys(fieldErrors).length)
    throw new ValidationError('Malen har feil. Rett opp og prøv igjen.', fieldErrors);
  return { subject, body };
}

export async function saveTemplate(
  db: DbOrTx,
  key: string,
  text: TemplateText,
  userId: number | null,
): Promise<void> {
  const parsed = parseKey(key);
  if (!parsed || (parsed.variant !== 'standard' && !/^[a-z0-9-]{1,40}$/.test(parsed.variant)))
    throw new ValidationError('Ukjent mal.');
  const clean = validateTemplateText(parsed.kind, text);
  await upsertStoredTemplate(db, {
    key,
    name:
      parsed.variant === 'standard'
        ? MAIL_KIND_LABELS[parsed.kind]
        : `${MAIL_KIND_LABELS[parsed.kind]} (${parsed.variant})`,
    subject: clean.subject,
    body: clean.body,
    updatedBy: userId,
  });
}

/** Removes HR's text so the built-in text applies again. */
export async function resetTemplate(db: DbOrTx, key: string): Promise<void> {
  if (!parseKey(key)) throw new ValidationError('Ukjent mal.');
  await deleteStoredTemplate(db, key);
}

export { parseKey as parseTemplateKey };
