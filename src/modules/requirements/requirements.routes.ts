import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app';
import { requireAdmin } from '../../http/auth';
import { todayInOslo } from '../../lib/dates';
import { ValidationError } from '../../lib/errors';
import { dbId, parseInput } from '../../lib/validation';
import { listCourses, listUnitChoices } from './requirements.repo';
import { requirementInputSchema, type RequirementInput } from './requirements.schema';
import {
  getRequirement,
  inputOf,
  listAllRequirements,
  previewRequirement,
  saveRequirement,
} from './requirements.service';

const idSchema = dbId();

function optionalId(value: unknown): number | null {
  if (value === undefined || value === '' || value === null) return null;
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) throw new ValidationError('Ugyldig kurskrav.');
  return parsed.data;
}

/** The form's values as strings and lists, from stored input or from a submitted body. */
function formValues(input: Partial<RequirementInput> | Record<string, unknown>) {
  const v = input as Record<string, unknown>;
  const asList = (x: unknown) => (Array.isArray(x) ? x.map(String) : x ? [String(x)] : []);
  return {
    ...v,
    unitIds: asList(v.unitIds),
    roleTags: Array.isArray(v.roleTags) ? v.roleTags.join(', ') : (v.roleTags ?? ''),
  };
}

const NEW_DEFAULTS = {
  audience: 'all',
  renewalMode: 'cycle',
  renewalMonths: 24,
  newHireMonths: 12,
  dueSoonDays: 30,
  active: true,
  unitIds: [],
  roleTags: [],
};

/** HR's requirement editor at /admin/kurskrav: list, edit, preview of who changes, confirm. */
export function createRequirementsRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;

  async function renderForm(
    res: Response,
    id: number | null,
    values: Record<string, unknown>,
    errors: Record<string, string> = {},
    status = 200,
  ) {
    const [courses, units] = await Promise.all([listCourses(db), listUnitChoices(db)]);
    res.status(status).render('requirements/form', {
      title: id === null ? 'Nytt kurskrav' : 'Endre kurskrav',
      id,
      values: formValues(values),
      errors,
      courses,
      units,
    });
  }

  function parseBody(req: Request): { id: number | null; input: RequirementInput } {
    const body = req.body as Record<string, unknown>;
    return { id: optionalId(body.id), input: parseInput(requirementInputSchema, body) };
  }

  router.get('/admin/kurskrav', requireAdmin, async (req, res) => {
    const list = await listAllRequirements(db);
    const units = await listUnitChoices(db);
    const unitName = new Map(units.map((u) => [u.id, u.name]));
    res.render('requirements/list', {
      title: 'Kurskrav',
      list,
      unitName,
      saved: typeof req.query.lagret === 'string' && req.query.lagret !== '',
    });
  });

  router.get('/admin/kurskrav/ny', requireAdmin, (_req, res) => renderForm(res, null, NEW_DEFAULTS));

  router.get('/admin/kurskrav/:id', requireAdmin, async (req, res) => {
    const id = optionalId(req.params.id)!;
    await renderForm(res, id, inputOf(await getRequirement(db, id)));
  });

  router.post('/admin/kurskrav/forhandsvis', requireAdmin, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    let parsed: ReturnType<typeof parseBody>;
    try {
      parsed = parseBody(req);
    } catch (error) {
      if (error instanceof ValidationError)
        return renderForm(res, optionalId(body.id), body, error.fieldErrors, 400);
      throw error;
    }
    let preview;
    try {
      preview = await previewRequirement(db, parsed.id, parsed.input, todayInOslo(context.now()));
    } catch (error) {
      if (error instanceof ValidationError) return renderForm(res, parsed.id, body, error.fieldErrors, 400);
      throw error;
    }
    res.render('requirements/preview', {
      title: 'Forhåndsvisning av kurskrav',
      id: parsed.id,
      input: parsed.input,
      preview,
    });
  });

  router.post('/admin/kurskrav/lagre', requireAdmin, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    if (body.tilbake !== undefined) return renderForm(res, optionalId(body.id), body);
    let parsed: ReturnType<typeof parseBody>;
    try {
      parsed = parseBody(req);
    } catch (error) {
      if (error instanceof ValidationError)
        return renderForm(res, optionalId(body.id), body, error.fieldErrors, 400);
      throw error;
    }
    const { id } = await saveRequirement(
      db,
      parsed.id,
      parsed.input,
      { userId: req.user!.id },
      todayInOslo(context.now()),
    );
    res.redirect(303, `/admin/kurskrav?lagret=${id}`);
  });

  return router;
}
