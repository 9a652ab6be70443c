import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app';
import { requireAdmin } from '../../http/auth';
import { todayInOslo } from '../../lib/dates';
import { ValidationError } from '../../lib/errors';
import { dbId, parseInput } from '../../lib/validation';
import { exemptionSchema, manualCompletionSchema, voidSchema } from './records.schema';
import {
  loadRecordsPage,
  recordExemption,
  recordManualCompletion,
  voidCompletion,
  voidExemption,
} from './records.service';

const idSchema = dbId();

function idParam(req: Request, name: string): number {
  const parsed = idSchema.safeParse(req.params[name]);
  if (!parsed.success) throw new ValidationError('Ugyldig adresse.');
  return parsed.data;
}

type Page = 'completion' | 'exemption';

const PAGES: Record<Page, { path: string; view: string; title: string }> = {
  completion: { path: 'fullforing', view: 'records/completion', title: 'Registrer fullføring' },
  exemption: { path: 'fritak', view: 'records/exemption', title: 'Registrer fritak' },
};

/** HR's forms for manual completions and exemptions at /admin/ansatt/:id/fullforing and /fritak. */
export function createRecordsRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;

  async function render(
    res: Response,
    page: Page,
    employeeId: number,
    opts: {
      status?: number;
      errors?: Record<string, string>;
      values?: Record<string, unknown>;
      saved?: string;
      voidErrors?: Record<string, string>;
    } = {},
  ) {
    const data = await loadRecordsPage(db, employeeId);
    res.status(opts.status ?? 200).render(PAGES[page].view, {
      title: `${PAGES[page].title}: ${data.employee.firstName} ${data.employee.lastName}`,
      ...data,
      errors: opts.errors ?? {},
      voidErrors: opts.voidErrors ?? {},
      values: opts.values ?? {},
      saved: opts.saved ?? null,
      today: todayInOslo(context.now()),
    });
  }

  /** Runs a write; a ValidationError re-renders the page with the messages and the typed values. */
  async function handle(
    req: Request,
    res: Response,
    page: Page,
    write: (employeeId: number) => Promise<string>,
    errorTarget: (error: ValidationError) => {
      errors?: Record<string, string>;
      voidErrors?: Record<string, string>;
    },
  ) {
    const employeeId = idParam(req, 'id');
    try {
      const saved = await write(employeeId);
      res.redirect(303, `/admin/ansatt/${employeeId}/${PAGES[page].path}?lagret=${saved}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await render(res, page, employeeId, {
        status: 400,
        values: req.body as Record<string, unknown>,
        ...errorTarget(error),
      });
    }
  }

  const savedMessages: Record<string, string> = {
    fullforing: 'Fullføringen er registrert.',
    annullert: 'Fullføringen er annullert.',
    fritak: 'Fritaket er registrert.',
    fritak_annullert: 'Fritaket er annullert.',
  };

  for (const page of ['completion', 'exemption'] as const) {
    router.get(`/admin/ansatt/:id/${PAGES[page].path}`, requireAdmin, async (req, res) => {
      const saved = typeof req.query.lagret === 'string' ? savedMessages[req.query.lagret] : undefined;
      await render(res, page, idParam(req, 'id'), { saved });
    });
  }

  router.post('/admin/ansatt/:id/fullforing', requireAdmin, (req, res) =>
    handle(
      req,
      res,
      'completion',
      async (employeeId) => {
        const input = parseInput(manualCompletionSchema, req.body);
        await recordManualCompletion(db, employeeId, input, req.user!.id, todayInOslo(context.now()));
        return 'fullforing';
      },
      (error) => ({ errors: error.fieldErrors }),
    ),
  );

  router.post('/admin/ansatt/:id/fullforing/:completionId/annuller', requireAdmin, (req, res) =>
    handle(
      req,
      res,
      'completion',
      async (employeeId) => {
        const { reason } = parseInput(voidSchema, req.body);
        await voidCompletion(db, employeeId, idParam(req, 'completionId'), reason, req.user!.id);
        return 'annullert';
      },
      (error) => ({
        voidErrors: { [req.params.completionId as string]: error.fieldErrors.reason ?? error.message },
      }),
    ),
  );

  router.post('/admin/ansatt/:id/fritak', requireAdmin, (req, res) =>
    handle(
      req,
      res,
      'exemption',
      async (employeeId) => {
        const input = parseInput(exemptionSchema, req.body);
        await recordExemption(db, employeeId, input, req.user!.id);
        return 'fritak';
      },
      (error) => ({ errors: error.fieldErrors }),
    ),
  );

  router.post('/admin/ansatt/:id/fritak/:exemptionId/annuller', requireAdmin, (req, res) =>
    handle(
      req,
      res,
      'exemption',
      async (employeeId) => {
        const { reason } = parseInput(voidSchema, req.body);
        await voidExemption(db, employeeId, idParam(req, 'exemptionId'), reason, req.user!.id);
        return 'fritak_annullert';
      },
      (error) => ({
        voidErrors: { [req.params.exemptionId as string]: error.fieldErrors.reason ?? error.message },
      }),
    ),
  );

  return router;
}
