import type { Db } from '../../db/client';
import { formatNorwegianDate, toLocalDate, type LocalDate } from '../../lib/dates';
import { NotFoundError } from '../../lib/errors';
import { lacksEmailAddress, listEmployees, type EmployeeRecord } from '../compliance/compliance.repo';
import { selectEmployees } from '../compliance/compliance-facts';
import { computeComplianceRows, type ComplianceRow } from '../compliance/compliance.service';
import { assertUnitInScope, type UnitScope } from '../org/unit-scope';
import { accountView, findAccountOfEmployee } from '../passwords/passwords.repo';
import { ratePercent } from '../reports/report-figures';
import {
  buildOrgReport,
  selectEmployeeRows,
  type EmployeeListFilter,
  type OrgReport,
} from '../reports/reports.service';
import {
  listCompletionHistory,
  listExemptionHistory,
  listMailToEmployee,
  listScormAttempts,
} from './dashboard.repo';

export interface DashboardQuery {
  asOf: LocalDate;
  unitId?: number;
  requirementId?: number;
  status: EmployeeListFilter;
}

/** Data for the chart: completion rate (whole percent) per unit and course. */
export interface ChartData {
  labels: string[];
  datasets: Array<{ label: string; data: Array<number | null> }>;
}

export interface LeaderDashboard {
  report: OrgReport;
  status: EmployeeListFilter;
  /** The employee rows listed (and exported) for the status filter. */
  employeeRows: ComplianceRow[];
  chart: ChartData;
  /**
   * Employees counted on the date, in the scope (and below the chosen unit), who have no e-mail
   * address: they get no reminders and cannot log in, so their leader has to know. In name order.
   */
  withoutEmail: EmployeeRecord[];
}

/** The chart shows the top units of the report and their direct sub-units, so it stays readable. */
export function chartDataOf(report: OrgReport, maxDepth = 1): ChartData {
  const units = report.units.filter((u) => u.depth <= maxDepth);
  return {
    labels: units.map((u) => u.unit.name),
    datasets: report.requirements.map((r, i) => ({
      label: r.courseTitle,
      data: units.map((u) => ratePercent(u.byRequirement[i]!.summary)),
    })),
  };
}

/** The dashboard for a scope on a date: figures per unit (with sub-units), the chart, and the employees listed. */
export async function buildDashboard(
  db: Db,
  scope: UnitScope,
  query: DashboardQuery,
  seenVersion?: number,
): Promise<LeaderDashboard> {
  const report = await buildOrgReport(
    db,
    scope,
    query.asOf,
    { unitId: query.unitId, requirementId: query.requirementId },
    seenVersion,
  );
  return {
    report,
    status: query.status,
    employeeRows: selectEmployeeRows(report, query.status),
    chart: chartDataOf(report),
    withoutEmail: withoutEmailOf(report, scope),
  };
}

// Per cached report (by its evaluated rows, which the copies of a cached report share).
const withoutEmailByReport = new WeakMap<OrgReport['statusRows'], EmployeeRecord[]>();

/** The counted employees of the report without an e-mail address, found once per cached report. */
function withoutEmailOf(report: OrgReport, scope: UnitScope): EmployeeRecord[] {
  let list = withoutEmailByReport.get(report.statusRows);
  if (!list) {
    list = selectEmployees(report.facts, {
      scope,
      activeOn: report.asOf,
      unitPath: report.selectedUnit?.path,
    }).filter(lacksEmailAddress);
    withoutEmailByReport.set(report.statusRows, list);
  }
  return list;
}

const osloTime = new Intl.DateTimeFormat('nb-NO', {
  timeZone: 'Europe/Oslo',
  hour: '2-digit',
  minute: '2-digit',
});

/** An instant as people in Norway read it: 'dd.mm.yyyy kl. hh:mm' (Europe/Oslo). */
export function formatInstant(d: Date | null): string | null {
  if (!d) return null;
  return `${formatNorwegianDate(toLocalDate(d))} kl. ${osloTime.format(d)}`;
}

/** One employee's record, only when the employee's unit is inside the scope. */
export async function getEmployeeRecord(db: Db, scope: UnitScope, employeeId: number, asOf: LocalDate) {
  const [employee] = await listEmployees(db, { scope: { kind: 'all' }, employeeId });
  // A leader learns nothing from the answer: an unknown id is refused like someone outside the units.
  if (!employee && scope.kind === 'all') throw new NotFoundError('Den ansatte finnes ikke.');
  assertUnitInScope(scope, employee?.unitPath);
  if (!employee) throw new NotFoundError('Den ansatte finnes ikke.');
  const [statusRows, completionRecords, exemptionRecords, attempts, mail, account] = await Promise.all([
    computeComplianceRows(db, { scope, employeeId }, asOf),
    listCompletionHistory(db, employeeId),
    listExemptionHistory(db, employeeId),
    listScormAttempts(db, employeeId),
    listMailToEmployee(db, employeeId),
    // Only HR's view (the whole organisation) shows the login.
    scope.kind === 'all' ? findAccountOfEmployee(db, employeeId) : null,
  ]);
  const voidedCompletions = new Set(completionRecords.map((c) => c.voidsCompletionId).filter((id) => id));
  const voidedExemptions = new Set(exemptionRecords.map((x) => x.voidsExemptionId).filter((id) => id));
  return {
    employee,
    asOf,
    statusRows,
    history: completionRecords.map((c) => ({ ...c, voided: voidedCompletions.has(c.id) })),
    exemptions: exemptionRecords.map((x) => ({ ...x, voided: voidedExemptions.has(x.id) })),
    attempts: attempts.map((a) => ({
      ...a,
      updated: formatInstant(a.updatedAt)!,
      completed: formatInstant(a.completedAt),
    })),
    /** The employee's login, for HR's «Send lenke for å sette passord»; null on a leader's page. */
    account: account && accountView(account),
    reminders: mail.map((m) => ({
      ...m,
      created: formatInstant(m.createdAt)!,
      sent: formatInstant(m.sentAt),
    })),
  };
}

export type EmployeeRecordView = Awaited<ReturnType<typeof getEmployeeRecord>>;
