import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { dbId } from '../../lib/validation';
import type { AppContext } from '../../app';
import { requireAdmin } from '../../http/auth';
import { addDays, addMonths, formatNorwegianDate, todayInOslo, type LocalDate } from '../../lib/dates';
import { NotFoundError, ValidationError } from '../../lib/errors';
import {
  countOutboxByStatus,
  findOutboxMail,
  listOutboxMails,
  requeueFailedMail,
  type OutboxStatus,
} from './mail.repo';
import {
  listTemplatesForAdmin,
  parseTemplateKey,
  resetTemplate,
  saveTemplate,
  validateTemplateText,
} from './mail.service';
import { notifyOutboxChanged } from './sender';
import { PASSWORD_MAIL_KIND } from '../passwords/passwords.service';
import { escalationSections } from '../reminders/reminders.service';
import {
  completionStatusSentence,
  DEFAULT_TEMPLATES,
  MAIL_KIND_LABELS,
  PLACEHOLDERS,
  renderMail,
  type MailKind,
  type MailSection,
} from './templates';

const STATUS_LABELS: Record<OutboxStatus, string> = {
  pending: 'Venter',
  sending: 'Sendes',
  sent: 'Sendt',
  failed: 'Feilet',
};

/** The outbox holds more than the reminder kinds HR edits texts for. */
const OUTBOX_KIND_LABELS: Record<string, string> = {
  ...MAIL_KIND_LABELS,
  [PASSWORD_MAIL_KIND]: 'Lenke for å sette passord',
};

const listQuery = z.object({
  status: z.enum(['pending', 'sending', 'sent', 'failed']).optional().catch(undefined),
  side: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});

const PAGE = 50;

/** Example values for the template preview, so HR sees a realistic mail. */
function exampleValues(kind: MailKind, baseUrl: string, today: LocalDate): Record<string, string | number> {
  // The example deadline lies where the kind says: 14 days ahead, today, or 14 days ago.
  const due = addDays(today, kind === 'employee_due_soon' ? 14 : kind === 'employee_overdue' ? -14 : 0);
  const common = {
    navn: 'Kari Nordmann',
    kurs: 'Meldeplikt til barnevernet',
    frist: formatNorwegianDate(due),
    dager: 14,
    status: completionStatusSentence(addMonths(due, -24)),
  };
  switch (kind) {
    case 'leader_digest':
      return {
        navn: 'Per Hansen',
        enheter: 'Solbakken skole og Solbakken SFO',
        periode: 'uke 48, 2026',
        lenke: `${baseUrl}/leder`,
      };
    case 'escalation':
      return {
        navn: 'Per Hansen',
        antall: '2 ansatte',
        enheter: 'Oppvekst',
        dager: 30,
        lenke: `${baseUrl}/leder?status=overdue`,
      };
    default:
      return { ...common, lenke: `${baseUrl}/kurs/meldeplikt` };
  }
}

const exampleEscalationLine = (employeeId: number, name: string, unitName: string, courseTitle: string) => ({
  key: `eksempel-${employeeId}`,
  employeeId,
  requirementId: 1,
  name,
  unitName,
  courseTitle,
  dueDate: '2026-09-01',
  daysPastDue: 83,
});

function exampleSections(kind: MailKind, baseUrl: string): MailSection[] {
  if (kind === 'escalation') {
    return escalationSections(
      30,
      [
        exampleEscalationLine(1, 'Ola Nordmann', 'Solbakken skole', 'Taushetsplikt'),
        exampleEscalationLine(2, 'Nils Berg', 'Solbakken SFO', 'Meldeplikt til barnevernet'),
      ],
      baseUrl,
    );
  }
  if (kind !== 'leader_digest') return [];
  return [
    {
      heading: 'Forfalt (1)',
      lines: [
        {
          text: 'Ola Nordmann (Solbakken skole): Taushetsplikt, frist 01.09.2026',
          href: `${baseUrl}/leder/ansatt/1`,
        },
      ],
    },
    {
      heading: 'Uten e-postadresse, får ikke påminnelser (1)',
      lines: [{ text: 'Nils Berg (Solbakken SFO)', href: `${baseUrl}/leder/ansatt/2` }],
    },
    { heading: 'Fullføringsgrad', lines: [{ text: 'Solbakken skole: 87 % (31 ansatte)' }] },
  ];
}

function parseKey(req: Request) {
  const key = String(req.params.key ?? '');
  const parsed = parseTemplateKey(key);
  if (!parsed) throw new NotFoundError('Malen finnes ikke.');
  return { key, ...parsed };
}

/** /admin/e-post: every mail in the outbox with its state, and the editable mail texts (admin only). */
export function createMailRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;
  const baseUrl = context.config.baseUrl;
  const mailMode = context.config.smtpUrl ? 'smtp' : 'file';

  router.get('/admin/e-post', requireAdmin, async (req, res) => {
    const q = listQuery.parse(req.query);
    const page = q.side ?? 1;
    const [mails, counts] = await Promise.all([
      listOutboxMails(db, { status: q.status, limit: PAGE + 1, offset: (page - 1) * PAGE }),
      countOutboxByStatus(db),
    ]);
    res.render('mail/outbox', {
      title: 'E-post',
      mails: mails.slice(0, PAGE),
      hasMore: mails.length > PAGE,
      page,
      status: q.status ?? null,
      counts,
      statusLabels: STATUS_LABELS,
      kindLabels: OUTBOX_KIND_LABELS,
      mailMode,
    });
  });

  router.get('/admin/e-post/maler', requireAdmin, async (req, res) => {
    res.render('mail/templates', {
      title: 'E-postmaler',
      templates: await listTemplatesForAdmin(db),
      saved: req.query.lagret === '1',
    });
  });

  const renderEditor = async (
    res: Response,
    key: string,
    kind: MailKind,
    values: { subject: string; body: string },
    errors: Record<string, string> = {},
    status = 200,
  ) => {
    const preview = Object.keys(errors).length
      ? null
      : renderMail(
          values,
          exampleValues(kind, baseUrl, todayInOslo(context.now())),
          exampleSections(kind, baseUrl),
        );
    res.status(status).render('mail/template-edit', {
      title: `E-postmal: ${MAIL_KIND_LABELS[kind]}`,
      key,
      kind,
      values,
      errors,
      preview,
      placeholders: PLACEHOLDERS[kind],
      isVariant: key.includes(':'),
    });
  };

  router.get('/admin/e-post/maler/:key', requireAdmin, async (req, res) => {
    const { key, kind } = parseKey(req);
    const all = await listTemplatesForAdmin(db);
    const found = all.find((t) => t.key === key);
    const text = found ? { subject: found.subject, body: found.body } : DEFAULT_TEMPLATES[kind];
    await renderEditor(res, key, kind, text);
  });

  router.post('/admin/e-post/maler/:key', requireAdmin, async (req, res) => {
    const { key, kind } = parseKey(req);
    const body = req.body as Record<string, unknown>;
    if (body.handling === 'tilbakestill') {
      await resetTemplate(db, key);
      return res.redirect(303, '/admin/e-post/maler?lagret=1');
    }
    const values = { subject: String(body.subject ?? ''), body: String(body.body ?? '') };
    const targetKey =
      body.handling === 'ny-variant'
        ? `${kind}:${String(body.variant ?? '')
            .trim()
            .toLowerCase()}`
        : key;
    try {
      if (body.handling === 'forhandsvis') {
        validateTemplateText(kind, values);
        return renderEditor(res, key, kind, values);
      }
      if (body.handling === 'ny-variant' && !/^[a-z0-9-]{1,40}$/.test(targetKey.split(':')[1] ?? ''))
        throw new ValidationError('Malen har feil.', {
          variant: 'Gi varianten et navn med små bokstaver, tall og bindestrek (høyst 40 tegn).',
        });
      await saveTemplate(db, targetKey, values, req.user!.id);
      res.redirect(303, '/admin/e-post/maler?lagret=1');
    } catch (error) {
      if (error instanceof ValidationError)
        return renderEditor(res, key, kind, values, error.fieldErrors, 400);
      throw error;
    }
  });

  router.get('/admin/e-post/:id', requireAdmin, async (req, res) => {
    const id = dbId().safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('E-posten finnes ikke.');
    const mail = await findOutboxMail(db, id.data);
    if (!mail) throw new NotFoundError('E-posten finnes ikke.');
    res.render('mail/outbox-detail', {
      title: mail.subject,
      mail,
      statusLabels: STATUS_LABELS,
      kindLabels: OUTBOX_KIND_LABELS,
      mailMode,
      // A password link logs in as its recipient: with real delivery only the recipient reads it.
      // Without SMTP the outbox is how anyone gets the mail, so the demo shows it (decision 0006).
      hideBody: mail.kind === PASSWORD_MAIL_KIND && mailMode === 'smtp',
    });
  });

  router.post('/admin/e-post/:id/send-igjen', requireAdmin, async (req, res) => {
    const id = dbId().safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('E-posten finnes ikke.');
    if (!(await requeueFailedMail(db, id.data, context.now())))
      throw new ValidationError('Bare e-post som har feilet, kan sendes på nytt.');
    notifyOutboxChanged();
    res.redirect(303, `/admin/e-post/${id.data}`);
  });

  return router;
}
