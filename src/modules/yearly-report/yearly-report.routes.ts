import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../app';
import { requireAdmin, requireLeaderOrAdmin } from '../../http/auth';
import { todayInOslo } from '../../lib/dates';
import { ValidationError } from '../../lib/errors';
import { leaderScopeOf, type UnitScope } from '../org/unit-scope';
import { yearSchema } from '../reviews/reviews.schema';
import { ensureBuiltinTopics } from '../reviews/reviews.service';
import {
  FIGURE_COLUMNS,
  LEVEL_LABELS,
  formatChange,
  formatPercent,
  reportToPdf,
  reportToXlsx,
} from './yearly-report.export';
import { buildTrend, buildYearlyReport } from './yearly-report.service';

/** /admin/arsrapport (HR, the whole municipality) and /leder/arsrapport (a leader's own units), with PDF and XLSX. */
export function createYearlyReportRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;
  const today = () => todayInOslo(context.now());

  function yearFrom(req: Request): number {
    const raw = req.query.ar;
    if (raw === undefined || raw === '') {
      // The plan reports to the committee before the summer, on the year before.
      const t = today();
      const year = Number(t.slice(0, 4));
      return t.slice(5, 7) <= '06' ? year - 1 : year;
    }
    const parsed = yearSchema.safeParse(raw);
    if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ugyldig år.');
    return parsed.data;
  }

  async function load(scope: UnitScope, year: number) {
    await ensureBuiltinTopics(db);
    return buildYearlyReport(db, scope, year, today());
  }

  async function page(req: Request, res: Response, scope: UnitScope, basePath: string, heading: string) {
    const year = yearFrom(req);
    const report = await load(scope, year);
    const trend = await buildTrend(db, scope, report.asOf, report.courses);
    res.render('yearly-report/report', {
      title: `${heading} ${year}`,
      report,
      trend,
      basePath,
      currentYear: Number(today().slice(0, 4)),
      formatPercent,
      formatChange,
      levelLabels: LEVEL_LABELS,
      figureColumns: FIGURE_COLUMNS,
    });
  }

  async function xlsx(req: Request, res: Response, scope: UnitScope, prefix: string) {
    const year = yearFrom(req);
    const buffer = await reportToXlsx(await load(scope, year));
    res
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .attachment(`${prefix}-${year}.xlsx`)
      .send(buffer);
  }

  async function pdf(req: Request, res: Response, scope: UnitScope, prefix: string, heading: string) {
    const year = yearFrom(req);
    const buffer = await reportToPdf(await load(scope, year), `${heading} ${year}`);
    res.type('application/pdf').attachment(`${prefix}-${year}.pdf`).send(buffer);
  }

  const all: UnitScope = { kind: 'all' };
  const leaderHeading = 'Årsrapport for enhetene dine';
  router.get('/admin/arsrapport', requireAdmin, (req, res) =>
    page(req, res, all, '/admin/arsrapport', 'Årsrapport'),
  );
  router.get('/admin/arsrapport/xlsx', requireAdmin, (req, res) => xlsx(req, res, all, 'arsrapport'));
  router.get('/admin/arsrapport/pdf', requireAdmin, (req, res) =>
    pdf(req, res, all, 'arsrapport', 'Årsrapport'),
  );
  router.get('/leder/arsrapport', requireLeaderOrAdmin, (req, res) =>
    page(req, res, leaderScopeOf(req.user!), '/leder/arsrapport', leaderHeading),
  );
  router.get('/leder/arsrapport/xlsx', requireLeaderOrAdmin, (req, res) =>
    xlsx(req, res, leaderScopeOf(req.user!), 'arsrapport-enheter'),
  );
  router.get('/leder/arsrapport/pdf', requireLeaderOrAdmin, (req, res) =>
    pdf(req, res, leaderScopeOf(req.user!), 'arsrapport-enheter', leaderHeading),
  );
  return router;
}
