import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { formatNorwegianDate } from '../../lib/dates';
import type { ComplianceRow } from '../compliance/compliance.service';
import { STATUS_LABELS, type StatusSummary } from '../compliance/deadline-engine';
import { ratePercent, type RequirementFigure } from './report-figures';
import type { FlaggedEmployee } from './reports.repo';
import type { OrgReport } from './reports.service';

/**
 * Exports as plain tables built from the same report object the page renders, so a CSV or XLSX
 * file holds exactly the numbers on screen. Dates are written as on screen (dd.mm.yyyy): as text in
 * CSV, and in XLSX as date cells shown in that format, so that Excel sorts and filters them as dates.
 */

export type Cell = string | number | null;

export interface ExportTable {
  /** Sheet name in XLSX (max 31 characters). */
  name: string;
  columns: string[];
  rows: Cell[][];
  /** Columns (0-based) whose cells are dates written dd.mm.yyyy. */
  dateColumns?: number[];
}

const figureColumns = [
  'Kurs',
  'Teller',
  'Fullført',
  'Forfaller snart',
  'Forfalt',
  'Ikke fullført',
  'Fritatt',
  'Fullføringsgrad (%)',
];

function figureCells(courseTitle: string, s: StatusSummary): Cell[] {
  return [courseTitle, s.counted, s.done, s.dueSoon, s.overdue, s.todo, s.exempt, ratePercent(s)];
}

/** Label of the all-courses line, shown when a report has more than one course. */
export const ALL_COURSES_LABEL = 'Alle kurs';

/** The lines a unit shows: one per course, plus "Alle kurs" when there are several. */
export function figureLines(
  byRequirement: RequirementFigure[],
  total: StatusSummary,
): Array<{ courseTitle: string; summary: StatusSummary }> {
  const lines = byRequirement.map((r) => ({ courseTitle: r.courseTitle, summary: r.summary }));
  if (byRequirement.length > 1) lines.push({ courseTitle: ALL_COURSES_LABEL, summary: total });
  return lines;
}

/** The unit figures of a report (leader dashboard or HR report), one row per unit and course. */
export function unitFiguresTable(report: OrgReport): ExportTable {
  const rows: Cell[][] = [];
  for (const u of report.units) {
    for (const line of figureLines(u.byRequirement, u.total))
      rows.push([
        u.unit.code,
        u.unit.name,
        u.depth,
        u.employees,
        ...figureCells(line.courseTitle, line.summary),
      ]);
  }
  for (const line of figureLines(report.overall.byRequirement, report.overall.total))
    rows.push([
      null,
      'Totalt',
      null,
      report.overall.employees,
      ...figureCells(line.courseTitle, line.summary),
    ]);
  return {
    name: 'Enheter',
    columns: ['Enhetskode', 'Enhet', 'Nivå', 'Ansatte', ...figureColumns],
    rows,
  };
}

/** The employee rows a dashboard lists. */
export function employeeRowsTable(rows: ComplianceRow[]): ExportTable {
  return {
    name: 'Ansatte',
    columns: [
      'Ansattnummer',
      'Navn',
      'Enhetskode',
      'Enhet',
      'Kurs',
      'Status',
      'Frist',
      'Sist fullført',
      'Begrunnelse',
    ],
    rows: rows.map((r) => [
      r.employee.employeeNumber,
      `${r.employee.firstName} ${r.employee.lastName}`,
      r.employee.unitCode,
      r.employee.unitName,
      r.requirement.courseTitle,
      STATUS_LABELS[r.result.status!],
      r.result.dueDate ? formatNorwegianDate(r.result.dueDate) : null,
      r.result.lastCompletion ? formatNorwegianDate(r.result.lastCompletion) : null,
      r.result.reason,
    ]),
    dateColumns: [6, 7],
  };
}

/** A list of flagged employees (without e-mail or without unit). */
export function flaggedTable(name: string, list: FlaggedEmployee[]): ExportTable {
  return {
    name,
    columns: ['Ansattnummer', 'Navn', 'E-post', 'Enhetskode', 'Enhet'],
    rows: list.map((e) => [
      e.employeeNumber,
      `${e.firstName} ${e.lastName}`,
      e.email,
      e.unitCode,
      e.unitName,
    ]),
  };
}

/** Text that a spreadsheet would run as a formula (CSV injection) gets a leading apostrophe. */
function defuse(cell: Cell): Cell {
  return typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** CSV for Excel in Norway: semicolon-separated, UTF-8 with BOM, a header row. */
export function toCsv(table: ExportTable): string {
  return stringify([table.columns, ...table.rows.map((row) => row.map(defuse))], {
    delimiter: ';',
    bom: true,
    record_delimiter: 'windows',
  });
}

/** An XLSX workbook with one sheet per table, header row bold and frozen. */
/** A 'dd.mm.yyyy' cell as the calendar day for Excel (midnight UTC, which Excel shows as that day). */
function excelDate(cell: Cell): Cell | Date {
  const m = typeof cell === 'string' ? /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(cell) : null;
  return m ? new Date(Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]))) : cell;
}

export async function toXlsx(tables: ExportTable[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Kursvakt';
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.name.slice(0, 31), {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    sheet.addRow(table.columns).font = { bold: true };
    const dates = new Set(table.dateColumns ?? []);
    for (const row of table.rows)
      sheet.addRow(dates.size === 0 ? row : row.map((cell, i) => (dates.has(i) ? excelDate(cell) : cell)));
    for (const i of dates) sheet.getColumn(i + 1).numFmt = 'dd.mm.yyyy';
    sheet.columns.forEach((column, i) => {
      const longest = Math.max(
        table.columns[i]!.length,
        ...table.rows.slice(0, 500).map((r) => String(r[i] ?? '').length),
      );
      column.width = Math.min(60, Math.max(8, longest + 2));
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
