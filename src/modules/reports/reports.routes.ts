import { Router, type Request } from 'express';
import type { AppContext } from '../../app';
import { requireAdmin } from '../../http/auth';
import { todayInOslo } from '../../lib/dates';
import { CSV_TYPE, sendFile, XLSX_TYPE } from '../dashboard/dashboard.routes';
import { chartDataOf } from '../dashboard/dashboard.service';
import { figureLines, flaggedTable, toCsv, toXlsx, unitFiguresTable } from './report-export';
import { ratePercent } from './report-figures';
import { parseReportQuery, reportUrl } from './reports.schema';
import { buildOrgReport, findFlaggedEmployees, reportFileLabel } from './reports.service';

/** HR's report for the whole organisation (/admin/rapport), sortable, with an "as of" date and exports. */
export function createReportsRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;

  const load = async (req: Request) => {
    const q = parseReportQuery(req);
    const asOf = q.dato ?? todayInOslo(context.now());
    const [report, flagged] = await Promise.all([
      buildOrgReport(db, req.user!.scope, asOf, {
        unitId: q.enhet,
        requirementId: q.kurs,
        sort: q.sorter,
        direction: q.retning,
      }),
      findFlaggedEmployees(db, asOf),
    ]);
    return { q, report, flagged };
  };

  router.get('/admin/rapport', requireAdmin, async (req, res) => {
    const { q, report, flagged } = await load(req);
    const current = {
      dato: report.asOf,
      enhet: q.enhet,
      kurs: q.kurs,
      sorter: q.sorter === 'tre' ? undefined : q.sorter,
      retning: q.retning === 'stigende' ? undefined : q.retning,
    };
    res.render('reports/org-report', {
      title: 'Rapport for hele organisasjonen',
      report,
      flagged,
      sort: { key: q.sorter, direction: q.retning },
      current,
      urlWith: (path: string, changes: Record<string, string | number | undefined> = {}) =>
        reportUrl(path, current, changes),
      figureLines,
      ratePercent,
      chartJson: JSON.stringify(chartDataOf(report)).replace(/</g, '\\u003c'),
    });
  });

  router.get('/admin/rapport/eksport.csv', requireAdmin, async (req, res) => {
    const { report } = await load(req);
    sendFile(
      res,
      `kursvakt-rapport-${reportFileLabel(report)}-${report.asOf}.csv`,
      CSV_TYPE,
      toCsv(unitFiguresTable(report)),
    );
  });

  router.get('/admin/rapport/eksport.xlsx', requireAdmin, async (req, res) => {
    const { report, flagged } = await load(req);
    const body = await toXlsx([
      unitFiguresTable(report),
      flaggedTable('Uten e-post', flagged.withoutEmail),
      flaggedTable('Uten enhet', flagged.withoutUnit),
    ]);
    sendFile(res, `kursvakt-rapport-${reportFileLabel(report)}-${report.asOf}.xlsx`, XLSX_TYPE, body);
  });

  return router;
}
