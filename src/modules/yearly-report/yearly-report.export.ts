import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { stringify } from 'csv-stringify/sync';
import { formatNorwegianDate } from '../../lib/dates';
import { STATUS_LABELS } from '../compliance/deadline-engine';
import type { FirstYearOutcome, ReportFigure, YearlyReport } from './yearly-report.service';

/** How the completion rate is computed, as the report states it. */
const RATE_FORMULA =
  'Fullføringsgrad = ansatte med gyldig fullføring som ikke er forfalt ÷ (ansatte som teller − fritatte).';

/** The report's figures as CSV, XLSX and PDF; all three use the same columns and the same rounding as the page. */

/** A rate (0–1) as a percentage with one decimal, the way the page and every export show it. */
export function percentValue(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 1000) / 10;
}

/** '87,5 %' or '–'. */
export function formatPercent(rate: number | null): string {
  const v = percentValue(rate);
  return v === null
    ? '–'
    : `${v.toLocaleString('nb-NO', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %`;
}

/** '+2,3' / '−1,0' / '0,0' percentage points, or '–'. */
export function formatChange(change: number | null): string {
  if (change === null) return '–';
  const abs = Math.abs(change).toLocaleString('nb-NO', {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  return change > 0 ? `+${abs}` : change < 0 ? `−${abs}` : abs;
}

export const LEVEL_LABELS = { total: 'totalt', sector: 'sektor', unit: 'enhet' } as const;

export const OUTCOME_LABELS: Record<FirstYearOutcome, string> = {
  met: 'innen fristen',
  missed: 'ikke innen fristen',
  pending: 'fristen ikke passert',
};

interface Column {
  header: string;
  value: (f: ReportFigure) => string | number | null;
}

/** The figure columns, in the order of the CSV and the XLSX sheet. */
export const FIGURE_COLUMNS: Column[] = [
  { header: 'nivå', value: (f) => LEVEL_LABELS[f.level] },
  { header: 'enhetskode', value: (f) => f.code },
  { header: 'navn', value: (f) => f.name },
  { header: 'sektor', value: (f) => f.sectorCode },
  { header: 'kurs', value: (f) => f.course },
  { header: 'kurstittel', value: (f) => f.courseTitle },
  { header: 'ansatte_som_teller', value: (f) => f.counted },
  { header: 'fullført', value: (f) => f.done },
  { header: 'forfaller_snart', value: (f) => f.dueSoon },
  { header: 'ikke_fullført', value: (f) => f.todo },
  { header: 'forfalt', value: (f) => f.overdue },
  { header: 'fritatt', value: (f) => f.exempt },
  { header: 'med_gyldig_fullføring', value: (f) => f.withValidCompletion },
  { header: 'fullføringsgrad_prosent', value: (f) => percentValue(f.completionRate) },
  { header: 'fjorårets_grad_prosent', value: (f) => percentValue(f.previousRate) },
  { header: 'endring_prosentpoeng', value: (f) => f.change },
  { header: 'nyansatte_i_året', value: (f) => f.newHires },
  { header: 'nyansatte_innen_frist', value: (f) => f.newHiresMet },
  { header: 'nyansatte_frist_ikke_passert', value: (f) => f.newHiresPending },
];

/** One line per figure, with a header line; semicolons as in `kursvakt report` (what Norwegian Excel expects). */
export function reportToCsv(report: YearlyReport): string {
  return stringify(
    [
      FIGURE_COLUMNS.map((c) => c.header),
      ...report.figures.map((f) => FIGURE_COLUMNS.map((c) => c.value(f) ?? '')),
    ],
    { delimiter: ';', record_delimiter: 'unix' },
  );
}

/** The figures as JSON (what `kursvakt yearly-report --format json` prints). */
export function reportToJson(report: YearlyReport) {
  return {
    year: report.year,
    asOf: report.asOf,
    yearEnded: report.yearEnded,
    previousAsOf: report.previousAsOf,
    previousSource: report.previousSource,
    figures: report.figures.map((f) => ({
      ...f,
      completionRate: percentValue(f.completionRate),
      previousRate: percentValue(f.previousRate),
    })),
    reviews: {
      unitsWithReview: report.unitsWithReview,
      unitsWithoutReview: report.unitsWithoutReview,
      bySector: report.reviewsBySector,
      units: report.reviews.units.map((u) => ({
        unit: u.unit.code,
        name: u.unit.name,
        complete: u.complete,
        topics: u.topics.map((t) => ({ title: t.topic.title, done: t.done, required: t.required })),
      })),
    },
    mailsSent: report.mailsSent,
    mailsSentBySector: report.mailsSentBySector,
  };
}

function asOfText(report: YearlyReport): string {
  return report.yearEnded
    ? `Status per ${formatNorwegianDate(report.asOf)} (årets slutt)`
    : `Status per ${formatNorwegianDate(report.asOf)} (i dag – året er ikke over)`;
}

function previousText(report: YearlyReport): string {
  return report.previousSource === 'snapshot'
    ? `Endring fra året før er regnet mot det lagrede øyeblikksbildet per ${formatNorwegianDate(report.previousAsOf)}.`
    : `Endring fra året før er regnet mot status per ${formatNorwegianDate(report.previousAsOf)}, beregnet fra dagens data (det finnes ikke noe lagret øyeblikksbilde for den datoen).`;
}

/** The XLSX: the figures, the per-employee statuses they are counted from, the reviews and an explanation. */
export async function reportToXlsx(report: YearlyReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Kursvakt';
  workbook.created = new Date(`${report.asOf}T12:00:00Z`);

  const figures = workbook.addWorksheet('Tall');
  figures.addRow(FIGURE_COLUMNS.map((c) => c.header)).font = { bold: true };
  for (const f of report.figures) figures.addRow(FIGURE_COLUMNS.map((c) => c.value(f)));
  figures.views = [{ state: 'frozen', ySplit: 1 }];
  figures.columns.forEach((col, i) => (col.width = i === 2 || i === 5 ? 36 : 14));

  const people = workbook.addWorksheet(`Ansatte per ${formatNorwegianDate(report.asOf)}`);
  people.addRow([
    'ansattnummer',
    'navn',
    'enhetskode',
    'sektor',
    'kurs',
    'status',
    'frist',
    'sist_fullført',
    'ansattdato',
    'sluttdato',
    'nyansatt_i_året',
    'frist_første_arbeidsår',
    'første_fullføring',
    'første_arbeidsår',
    'begrunnelse',
  ]).font = { bold: true };
  for (const r of report.employeeRows) {
    people.addRow([
      r.employee,
      r.name,
      r.unit,
      r.sector,
      r.course,
      STATUS_LABELS[r.status],
      r.due,
      r.completedAt,
      r.hireDate,
      r.endDate,
      r.hiredInYear ? 'ja' : 'nei',
      r.firstYearDue,
      r.firstCompletion,
      r.firstYearOutcome ? OUTCOME_LABELS[r.firstYearOutcome] : null,
      r.reason,
    ]);
  }
  people.views = [{ state: 'frozen', ySplit: 1 }];

  const reviews = workbook.addWorksheet('Gjennomganger');
  reviews.addRow([
    'enhetskode',
    'enhet',
    ...report.reviews.topics.map((t) => t.title),
    'alle_gjennomført',
  ]).font = {
    bold: true,
  };
  for (const u of report.reviews.units) {
    reviews.addRow([
      u.unit.code,
      u.unit.name,
      ...u.topics.map((t) => `${t.done} av ${t.required}`),
      u.complete ? 'ja' : 'nei',
    ]);
  }

  const info = workbook.addWorksheet('Om tallene');
  for (const line of [
    [`Årsrapport ${report.year}`],
    [asOfText(report)],
    [previousText(report)],
    [RATE_FORMULA],
    ['Enhetsrader teller ansatte som har enheten som sin egen enhet; sektorrader teller hele sektoren.'],
    ['Hvert tall på arket «Tall» kan telles opp fra arket med ansatte.'],
    [`E-poster sendt i ${report.year}: ${report.mailsSent}`],
    [`Enheter med alle årlige gjennomganger: ${report.unitsWithReview}, uten: ${report.unitsWithoutReview}`],
  ])
    info.addRow(line);

  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** «1 enhet», «3 enheter». */
export function countOf(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** «1 enhet har alle årets gjennomganger, 2 mangler minst én.» */
export function reviewSummary(report: Pick<YearlyReport, 'unitsWithReview' | 'unitsWithoutReview'>): string {
  return `${countOf(report.unitsWithReview, 'enhet', 'enheter')} har alle årets gjennomganger, ${report.unitsWithoutReview} mangler minst én.`;
}

/** Text for the standard PDF fonts (WinAnsi), which have no U+2212 minus sign. */
function pdfText(text: string): string {
  return text.replace(/\u2212/g, '-');
}

/** A printable PDF of the figures (A4 landscape). */
export function reportToPdf(report: YearlyReport, title: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: 36,
      info: { Title: title, Author: 'Kursvakt' },
      lang: 'nb-NO',
    } as PDFKit.PDFDocumentOptions);
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.font('Helvetica-Bold').fontSize(18).text(pdfText(title));
    doc.moveDown(0.3).font('Helvetica').fontSize(10).text(asOfText(report)).text(previousText(report));
    doc.text(pdfText(RATE_FORMULA));

    const columns: Array<{ header: string; width: number; value: (f: ReportFigure) => string }> = [
      { header: 'Enhet', width: 200, value: (f) => f.name },
      { header: 'Kurs', width: 170, value: (f) => f.courseTitle },
      { header: 'Teller', width: 45, value: (f) => String(f.counted) },
      { header: 'Fritatt', width: 45, value: (f) => String(f.exempt) },
      { header: 'Grad', width: 55, value: (f) => formatPercent(f.completionRate) },
      { header: 'Endring', width: 50, value: (f) => formatChange(f.change) },
      { header: 'Forfalt', width: 45, value: (f) => String(f.overdue) },
      { header: 'Nyansatte', width: 55, value: (f) => String(f.newHires) },
      { header: 'Innen frist', width: 55, value: (f) => String(f.newHiresMet) },
    ];
    const left = doc.page.margins.left;
    const bottom = () => doc.page.height - doc.page.margins.bottom - 20;
    const row = (cells: string[], bold: boolean) => {
      if (doc.y > bottom()) doc.addPage();
      const y = doc.y;
      let x = left;
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8.5);
      let height = 0;
      cells.forEach((cell, i) => {
        const width = columns[i]!.width;
        doc.text(pdfText(cell), x, y, { width: width - 4 });
        height = Math.max(height, doc.y - y);
        x += width;
      });
      doc.x = left;
      doc.y = y + height + 2;
    };
    const section = (heading: string, list: ReportFigure[]) => {
      if (list.length === 0) return;
      if (doc.y > bottom() - 40) doc.addPage();
      doc.moveDown(0.8).font('Helvetica-Bold').fontSize(12).text(heading, left);
      doc.moveDown(0.3);
      row(
        columns.map((c) => c.header),
        true,
      );
      for (const f of list)
        row(
          columns.map((c) => c.value(f)),
          false,
        );
    };
    section(
      'Totalt',
      report.figures.filter((f) => f.level === 'total'),
    );
    section(
      `Per ${report.groupLabel.toLowerCase()}`,
      report.figures.filter((f) => f.level === 'sector'),
    );
    section(
      'Per enhet (ansatte som har enheten som egen enhet)',
      report.figures.filter((f) => f.level === 'unit'),
    );

    if (doc.y > bottom() - 60) doc.addPage();
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(12).text('Årlige gjennomganger i enhetene', left);
    doc.font('Helvetica').fontSize(10);
    doc.text(pdfText(reviewSummary(report)));
    const missing = report.reviews.units.filter((u) => !u.complete);
    if (missing.length > 0) doc.text(pdfText(`Mangler: ${missing.map((u) => u.unit.name).join(', ')}.`));
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(12).text('E-post', left);
    doc
      .font('Helvetica')
      .fontSize(10)
      .text(
        `${countOf(report.mailsSent, 'e-post', 'e-poster')} (påminnelser og oppsummeringer) ble sendt i ${report.year}.`,
      );
    doc.end();
  });
}
