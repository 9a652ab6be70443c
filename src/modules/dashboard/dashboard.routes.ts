import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../app';
import { requireAdmin, requireLeaderOrAdmin } from '../../http/auth';
import { isValidLocalDate, todayInOslo } from '../../lib/dates';
import { ValidationError } from '../../lib/errors';
import { leaderScopeOf } from '../org/unit-scope';
import { buildDashboard, getEmployeeRecord } from './dashboard.service';

const querySchema = z.object({
  dato: z
    .string()
    .optional()
    .refine((v) => !v || isValidLocalDate(v), 'Datoen må være en gyldig dato (åååå-mm-dd).'),
  enhet: z.coerce.number().int().positive().optional(),
});

function parseQuery(req: Request) {
  const parsed = querySchema.safeParse(req.query);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ugyldig filter.');
  return parsed.data;
}

const idSchema = z.coerce.number().int().positive();

/** /leder (the units a leader leads) and /admin (HR's view of everything). */
export function createDashboardRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;

  router.get('/leder', requireLeaderOrAdmin, async (req, res) => {
    const q = parseQuery(req);
    const asOf = q.dato ?? todayInOslo(context.now());
    // The leader page always uses the leader's own units, even for an admin who also leads.
    const scope = leaderScopeOf(req.user!);
    const dashboard = await buildDashboard(db, scope, asOf, q.enhet);
    res.render('dashboard/leader', { title: 'Mine enheter', dashboard, basePath: '/leder' });
  });

  router.get('/leder/ansatt/:id', requireLeaderOrAdmin, async (req, res) => {
    const q = parseQuery(req);
    const id = idSchema.safeParse(req.params.id);
    if (!id.success) throw new ValidationError('Ugyldig ansatt.');
    const record = await getEmployeeRecord(
      db,
      leaderScopeOf(req.user!),
      id.data,
      q.dato ?? todayInOslo(context.now()),
    );
    res.render('dashboard/employee', {
      title: `${record.employee.firstName} ${record.employee.lastName}`,
      record,
      basePath: '/leder',
    });
  });

  router.get('/admin', requireAdmin, async (req, res) => {
    const q = parseQuery(req);
    const asOf = q.dato ?? todayInOslo(context.now());
    const dashboard = await buildDashboard(db, req.user!.scope, asOf, q.enhet);
    res.render('dashboard/leader', { title: 'Administrasjon', dashboard, basePath: '/admin' });
  });

  router.get('/admin/ansatt/:id', requireAdmin, async (req, res) => {
    const q = parseQuery(req);
    const id = idSchema.safeParse(req.params.id);
    if (!id.success) throw new ValidationError('Ugyldig ansatt.');
    const record = await getEmployeeRecord(
      db,
      req.user!.scope,
      id.data,
      q.dato ?? todayInOslo(context.now()),
    );
    res.render('dashboard/employee', {
      title: `${record.employee.firstName} ${record.employee.lastName}`,
      record,
      basePath: '/admin',
    });
  });

  return router;
}
