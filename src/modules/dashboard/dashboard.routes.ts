import { Router, type Request, type RequestHandler, type Response } from 'express';
import { dbId } from '../../lib/validation';
import type { AppContext } from '../../app';
import { requireAdmin, requireLeaderOrAdmin } from '../../http/auth';
import { versionsOf } from '../../http/request-versions';
import { todayInOslo } from '../../lib/dates';
import { ValidationError } from '../../lib/errors';
import { leaderScopeOf, type UnitScope } from '../org/unit-scope';
import { employeeRowsTable, figureLines, toCsv, toXlsx, unitFiguresTable } from '../reports/report-export';
import { ratePercent } from '../reports/report-figures';
import { pageOf, parseReportQuery, reportUrl, type ReportQuery } from '../reports/reports.schema';
import { reportFileLabel } from '../reports/reports.service';
import { buildDashboard, getEmployeeRecord, type LeaderDashboard } from './dashboard.service';

const idSchema = dbId();

/** Sends a generated file as a download. */
export function sendFile(res: Response, fileName: string, contentType: string, body: string | Buffer): void {
  res.attachment(fileName);
  res.type(contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.send(body);
}

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * /leder (the units a leader leads) and /admin (HR's view of everything): the same dashboard with
 * filters, an "as of" date, exports and the employee record. The leader pages always use the
 * leader's own units, even for an admin who also leads.
 */
export function createDashboardRouter(context: AppContext): Router {
  const router = Router();
  const db = context.database.db;

  const variants: Array<{
    basePath: string;
    guard: RequestHandler;
    scopeOf: (req: Request) => UnitScope;
    title: string;
  }> = [
    {
      basePath: '/leder',
      guard: requireLeaderOrAdmin,
      scopeOf: (req) => leaderScopeOf(req.user!),
      title: 'Mine enheter',
    },
    { basePath: '/admin', guard: requireAdmin, scopeOf: (req) => req.user!.scope, title: 'Administrasjon' },
  ];

  for (const { basePath, guard, scopeOf, title } of variants) {
    const load = async (req: Request): Promise<{ q: ReportQuery; dashboard: LeaderDashboard }> => {
      const q = parseReportQuery(req);
      const dashboard = await buildDashboard(
        db,
        scopeOf(req),
        {
          asOf: q.dato ?? todayInOslo(context.now()),
          unitId: q.enhet,
          requirementId: q.kurs,
          status: q.status,
        },
        (await versionsOf(req, db)).compliance,
      );
      return { q, dashboard };
    };
    const fileName = (d: LeaderDashboard, kind: string, ext: string) =>
      `kursvakt-${kind}-${reportFileLabel(d.report)}-${d.report.asOf}.${ext}`;

    router.get(basePath, guard, async (req, res) => {
      const { q, dashboard } = await load(req);
      const current = {
        dato: dashboard.report.asOf,
        enhet: q.enhet,
        kurs: q.kurs,
        status: q.status === 'oppfolging' ? undefined : q.status,
      };
      res.render('dashboard/leader', {
        title,
        dashboard,
        basePath,
        isAdminView: basePath === '/admin',
        current,
        urlWith: (path: string, changes: Record<string, string | number | undefined> = {}) =>
          reportUrl(path, current, changes),
        figureLines,
        ratePercent,
        employeePage: pageOf(dashboard.employeeRows, q.side),
        chartJson: JSON.stringify(dashboard.chart).replace(/</g, '\\u003c'),
      });
    });

    router.get(`${basePath}/eksport/enheter.csv`, guard, async (req, res) => {
      const { dashboard } = await load(req);
      sendFile(
        res,
        fileName(dashboard, 'rapport', 'csv'),
        CSV_TYPE,
        toCsv(unitFiguresTable(dashboard.report)),
      );
    });

    router.get(`${basePath}/eksport/ansatte.csv`, guard, async (req, res) => {
      const { dashboard } = await load(req);
      sendFile(
        res,
        fileName(dashboard, 'ansatte', 'csv'),
        CSV_TYPE,
        toCsv(employeeRowsTable(dashboard.employeeRows)),
      );
    });

    router.get(`${basePath}/eksport.xlsx`, guard, async (req, res) => {
      const { dashboard } = await load(req);
      const body = await toXlsx([
        unitFiguresTable(dashboard.report),
        employeeRowsTable(dashboard.employeeRows),
      ]);
      sendFile(res, fileName(dashboard, 'rapport', 'xlsx'), XLSX_TYPE, body);
    });

    router.get(`${basePath}/ansatt/:id`, guard, async (req, res) => {
      const q = parseReportQuery(req);
      const id = idSchema.safeParse(req.params.id);
      if (!id.success) throw new ValidationError('Ugyldig ansatt.');
      const record = await getEmployeeRecord(db, scopeOf(req), id.data, q.dato ?? todayInOslo(context.now()));
      res.render('dashboard/employee', {
        title: `${record.employee.firstName} ${record.employee.lastName}`,
        record,
        basePath,
        backUrl: reportUrl(basePath, { dato: q.dato, enhet: q.enhet, kurs: q.kurs }),
      });
    });
  }

  return router;
}
