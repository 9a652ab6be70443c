import { Router, type Request, type Response } from 'express';
import { dbId } from '../../lib/validation';
import type { AppContext } from '../../app';
import { requireAdmin } from '../../http/auth';
import { isValidLocalDate, todayInOslo } from '../../lib/dates';
import { ValidationError } from '../../lib/errors';
import { listTemplateVariants } from '../mail/mail.service';
import { countDays, MAIL_KIND_LABELS } from '../mail/templates';
import { listUnits } from '../org/org.repo';
import {
  changeSchedule,
  createSchedule,
  describeWhen,
  formValuesOf,
  getSchedule,
  listSchedulesForAdmin,
  pauseSchedule,
  previewSchedule,
  removeSchedule,
  runScheduleFromUi,
  scheduleValuesFromForm,
  type PreviewSummary,
} from './reminders.admin';
import { PRESETS } from './reminders.schema';

const idSchema = dbId();

function parseId(req: Request): number {
  const id = idSchema.safeParse(req.params.id);
  if (!id.success) throw new ValidationError('Ugyldig påminnelsesplan.');
  return id.data;
}

/** /admin/paminnelser: HR's reminder schedules (admin only). */
export function createRemindersRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;
  const env = () => ({ baseUrl: context.config.baseUrl, now: context.now() });
  const today = () => todayInOslo(context.now());

  async function renderForm(
    res: Response,
    opts: {
      scheduleId: number | null;
      values: Record<string, unknown>;
      errors?: Record<string, string>;
      preview?: PreviewSummary | null;
      status?: number;
    },
  ) {
    const [units, variants] = await Promise.all([listUnits(db, { kind: 'all' }), listTemplateVariants(db)]);
    res.status(opts.status ?? 200).render('reminders/form', {
      title: opts.scheduleId ? 'Endre påminnelsesplan' : 'Ny påminnelsesplan',
      scheduleId: opts.scheduleId,
      values: opts.values,
      errors: opts.errors ?? {},
      preview: opts.preview ?? null,
      units,
      variants,
      presets: PRESETS,
      kindLabels: MAIL_KIND_LABELS,
      whenInWords:
        opts.values.when === 'cron' && typeof opts.values.cron === 'string' && opts.values.cron
          ? describeWhen(opts.values.cron, {})
          : null,
      asOf: today(),
    });
  }

  /** Saves, or (handling=forhandsvis) shows the recipients first; invalid input re-renders the form. */
  async function handleForm(req: Request, res: Response, scheduleId: number | null) {
    const body = req.body as Record<string, unknown>;
    const values = { ...body, kinds: [body.kinds ?? []].flat(), unitIds: [body.unitIds ?? []].flat() };
    try {
      const scheduleValues = await scheduleValuesFromForm(db, body);
      if (body.handling === 'forhandsvis') {
        const preview = await previewSchedule(db, scheduleValues, today(), env());
        return renderForm(res, { scheduleId, values, preview });
      }
      if (scheduleId) await changeSchedule(db, scheduleId, scheduleValues);
      else scheduleId = await createSchedule(db, scheduleValues, req.user!.id);
      res.redirect(303, `/admin/paminnelser?lagret=${scheduleId}`);
    } catch (error) {
      if (error instanceof ValidationError)
        return renderForm(res, { scheduleId, values, errors: error.fieldErrors, status: 400 });
      throw error;
    }
  }

  router.get('/admin/paminnelser', requireAdmin, async (req, res) => {
    const items = await listSchedulesForAdmin(db);
    res.render('reminders/index', {
      title: 'Påminnelser',
      items,
      savedId: Number(req.query.lagret) || null,
      mailMode: context.config.smtpUrl ? 'smtp' : 'file',
      schedulerEnabled: context.config.schedulerEnabled,
    });
  });

  router.get('/admin/paminnelser/ny', requireAdmin, async (_req, res) => {
    await renderForm(res, { scheduleId: null, values: formValuesOf(null) });
  });

  router.post('/admin/paminnelser', requireAdmin, async (req, res) => {
    await handleForm(req, res, null);
  });

  router.get('/admin/paminnelser/:id', requireAdmin, async (req, res) => {
    const schedule = await getSchedule(db, parseId(req));
    await renderForm(res, { scheduleId: schedule.id, values: formValuesOf(schedule) });
  });

  router.post('/admin/paminnelser/:id', requireAdmin, async (req, res) => {
    const id = parseId(req);
    await getSchedule(db, id);
    await handleForm(req, res, id);
  });

  for (const [path, dryRun] of [
    ['kjor', false],
    ['provekjor', true],
  ] as const) {
    router.post(`/admin/paminnelser/:id/${path}`, requireAdmin, async (req, res) => {
      const id = parseId(req);
      const dato = typeof req.body?.dato === 'string' && req.body.dato ? String(req.body.dato) : today();
      if (!isValidLocalDate(dato)) throw new ValidationError('Datoen må være en gyldig dato (åååå-mm-dd).');
      const result = await runScheduleFromUi(db, id, dato, env(), dryRun);
      res.render('reminders/run-result', {
        title: dryRun ? 'Prøvekjøring' : 'Kjørt nå',
        result,
        kindLabels: MAIL_KIND_LABELS,
        countDays,
      });
    });
  }

  router.post('/admin/paminnelser/:id/pause', requireAdmin, async (req, res) => {
    await pauseSchedule(db, parseId(req), true);
    res.redirect(303, '/admin/paminnelser');
  });

  router.post('/admin/paminnelser/:id/fortsett', requireAdmin, async (req, res) => {
    await pauseSchedule(db, parseId(req), false);
    res.redirect(303, '/admin/paminnelser');
  });

  router.post('/admin/paminnelser/:id/slett', requireAdmin, async (req, res) => {
    await removeSchedule(db, parseId(req));
    res.redirect(303, '/admin/paminnelser');
  });

  return router;
}
