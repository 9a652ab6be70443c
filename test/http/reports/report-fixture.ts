import type { Response } from 'superagent';
import type { Db } from '../../../src/db/client';
import { courseVersions, mailOutbox, scormAttempts } from '../../../src/db/schema';
import {
  createCompletion,
  createCourseWithRequirement,
  createEmployee,
  createExemption,
  createUnit,
  createUser,
} from '../../support/factories';

/**
 * A small municipality for the report tests, on 2026-11-22:
 *   K Kommunen → A Alfa skole → A1 Alfa SFO
 *              → B Beta barnehage
 *              → C Ceta sykehjem
 * Two requirements: handlingsplan (everyone) and meldeplikt (only Alfa skole with sub-units).
 * Every employee's last name ends with their unit's marker, so a page or file that leaks an
 * employee of another unit is easy to spot.
 */
export interface ReportFixture {
  units: Record<'k' | 'a' | 'a1' | 'b' | 'c', { id: number; code: string; name: string }>;
  employees: Record<
    'inA' | 'inA1' | 'inB' | 'inBNoEmail' | 'inC' | 'noUnit' | 'ended',
    { id: number; employeeNumber: string; name: string }
  >;
  requirements: { handlingsplan: number; meldeplikt: number };
  emails: {
    employee: string;
    leaderA: string;
    leaderB: string;
    leaderTwo: string;
    admin: string;
  };
  /** Employee and unit names each viewer must never see. */
  foreignMarkers: { leaderA: string[]; leaderB: string[]; leaderTwo: string[] };
}

export async function createReportFixture(db: Db): Promise<ReportFixture> {
  const k = await createUnit(db, { code: 'K', name: 'Kommunen', kind: 'kommune' });
  const a = await createUnit(db, { code: 'ALFA', name: 'Alfa skole', parentId: k.id });
  const a1 = await createUnit(db, { code: 'ALFA-SFO', name: 'Alfa SFO', parentId: a.id, kind: 'avdeling' });
  const b = await createUnit(db, { code: 'BETA', name: 'Beta barnehage', parentId: k.id });
  const c = await createUnit(db, { code: 'CETA', name: 'Ceta sykehjem', parentId: k.id });

  const hp = await createCourseWithRequirement(db, { slug: 'handlingsplan', title: 'Handlingsplanen' });
  const mp = await createCourseWithRequirement(db, {
    slug: 'meldeplikt',
    title: 'Meldeplikt',
    unitIds: [a.id],
  });

  const make = async (
    unitId: number | null,
    employeeNumber: string,
    firstName: string,
    lastName: string,
    extra: { email?: string | null; hireDate?: string; endDate?: string | null } = {},
  ) => {
    const row = await createEmployee(db, {
      unitId,
      employeeNumber,
      firstName,
      lastName,
      ...(extra.email !== undefined ? { email: extra.email } : {}),
      hireDate: extra.hireDate ?? '2015-05-01',
      endDate: extra.endDate ?? null,
    });
    return { id: row.id, employeeNumber, name: `${firstName} ${lastName}` };
  };
  const inA = await make(a.id, 'A-100', 'Astrid', 'Alfaperson');
  const inA1 = await make(a1.id, 'A-200', 'Arne', 'Alfasfoperson', { hireDate: '2026-03-01' });
  const inB = await make(b.id, 'B-100', 'Berit', 'Betaperson');
  const inBNoEmail = await make(b.id, 'B-200', 'Bjørn', 'Betautenepost', { email: null });
  const inC = await make(c.id, 'C-100', 'Cecilie', 'Cetaperson');
  const noUnit = await make(null, 'X-100', 'Nils', 'Utenenhet');
  const ended = await make(a.id, 'A-900', 'Sluttet', 'Alfatidligere', { endDate: '2025-06-30' });

  // Astrid: done for both (cycle: 2025-03-01 satisfies 2025-12-31, next due 2027-12-31), with an
  // older completion that was voided. Arne (hired 2026-03-01): todo until 2027-03-01.
  // Berit: completed 2023-12-01 → due 2025-12-31 → overdue on 2026-11-22, done on 2024-06-01.
  // Bjørn: never → overdue. Cecilie: exempt until 2027-01-01. Nils: never → overdue (HR only).
  const voided = await createCompletion(db, {
    employeeId: inA.id,
    courseId: hp.course.id,
    completedOn: '2024-01-15',
    source: 'manual',
    reason: 'Feilregistrert',
  });
  await createCompletion(db, {
    employeeId: inA.id,
    courseId: hp.course.id,
    completedOn: '2024-01-15',
    source: 'void',
    reason: 'Feil person',
    voidsCompletionId: voided.id,
  });
  await createCompletion(db, {
    employeeId: inA.id,
    courseId: hp.course.id,
    completedOn: '2025-03-01',
    source: 'scorm',
  });
  await createCompletion(db, {
    employeeId: inA.id,
    courseId: mp.course.id,
    completedOn: '2025-03-02',
    source: 'import',
    reason: 'KS Læring',
  });
  await createCompletion(db, {
    employeeId: inB.id,
    courseId: hp.course.id,
    completedOn: '2023-12-01',
    source: 'import',
  });
  await createExemption(db, {
    employeeId: inC.id,
    requirementId: hp.requirement.id,
    validFrom: '2024-01-01',
    validUntil: '2027-01-01',
    reason: 'Langtidspermisjon',
  });

  const employeeUser = await createUser(db, { email: 'astrid@test.no', employeeId: inA.id });
  await createUser(db, { email: 'leder.a@test.no', leads: [a.id] });
  await createUser(db, { email: 'leder.b@test.no', leads: [b.id] });
  await createUser(db, { email: 'leder.to@test.no', leads: [a1.id, c.id] });
  await createUser(db, { email: 'hr@test.no', isAdmin: true });

  const [version] = await db
    .insert(courseVersions)
    .values({ courseId: hp.course.id, version: 1, scormVersion: '2004', title: 'Handlingsplanen v1' })
    .returning();
  await db.insert(scormAttempts).values({
    userId: employeeUser.id,
    employeeId: inA.id,
    courseVersionId: version!.id,
    scoIdentifier: 'sco-1',
    state: 'closed',
    completedAt: new Date('2025-03-01T09:30:00Z'),
    updatedAt: new Date('2025-03-01T09:31:00Z'),
  });
  await db.insert(mailOutbox).values({
    idempotencyKey: 'test-reminder-astrid',
    kind: 'employee_due_soon',
    toAddress: 'astrid@test.no',
    subject: 'Kurset ditt forfaller snart',
    bodyText: 'Hei',
    status: 'sent',
    employeeId: inA.id,
    sentAt: new Date('2025-11-20T07:00:00Z'),
  });

  const names = { inA, inA1, inB, inBNoEmail, inC, noUnit, ended };
  const markers = (...list: Array<{ name: string; employeeNumber: string }>) =>
    list.flatMap((e) => [e.name, e.employeeNumber]);
  return {
    units: { k, a, a1, b, c },
    employees: names,
    requirements: { handlingsplan: hp.requirement.id, meldeplikt: mp.requirement.id },
    emails: {
      employee: 'astrid@test.no',
      leaderA: 'leder.a@test.no',
      leaderB: 'leder.b@test.no',
      leaderTwo: 'leder.to@test.no',
      admin: 'hr@test.no',
    },
    foreignMarkers: {
      leaderA: [...markers(inB, inBNoEmail, inC, noUnit), 'Beta barnehage', 'Ceta sykehjem', 'Kommunen'],
      leaderB: [...markers(inA, inA1, inC, noUnit), 'Alfa skole', 'Alfa SFO', 'Ceta sykehjem', 'Kommunen'],
      leaderTwo: [...markers(inA, inB, inBNoEmail, noUnit), 'Alfa skole', 'Beta barnehage', 'Kommunen'],
    },
  };
}

/** The figures rows of a report table (`<tr data-unit data-course>`), as shown on the page. */
export interface PageFigureRow {
  unit: string;
  course: string;
  counted: number;
  done: number;
  dueSoon: number;
  overdue: number;
  todo: number;
  exempt: number;
  rate: number | null;
}

const decode = (s: string) =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&#34;|&quot;/g, '"')
    .trim();

/** Reads the figure rows of the table with the given id from a page. */
export function parseFigureRows(html: string, tableId = 'enhetstabell'): PageFigureRow[] {
  const start = html.indexOf(`id="${tableId}"`);
  if (start < 0) throw new Error(`no table ${tableId}`);
  const table = html.slice(start, html.indexOf('</table>', start));
  const rows: PageFigureRow[] = [];
  for (const m of table.matchAll(/<tr data-unit="([^"]*)" data-course="([^"]*)">([\s\S]*?)<\/tr>/g)) {
    const cells = [...m[3]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => decode(c[1]!));
    const [course, counted, done, dueSoon, overdue, todo, exempt, rate] = cells.slice(-8);
    rows.push({
      unit: decode(m[1]!),
      course: course!,
      counted: Number(counted),
      done: Number(done),
      dueSoon: Number(dueSoon),
      overdue: Number(overdue),
      todo: Number(todo),
      exempt: Number(exempt),
      rate: rate === '–' ? null : Number(rate!.replace(/\s*%$/, '')),
    });
  }
  return rows;
}

/** The employee numbers listed in the employee table of a dashboard page. */
export function parseEmployeeNumbers(html: string): string[] {
  return [...html.matchAll(/<tr data-employee="([^"]+)">/g)].map((m) => m[1]!);
}

/** All text in every cell of every sheet of an XLSX file. */
export async function xlsxText(body: Buffer): Promise<string> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  const parts: string[] = [];
  workbook.eachSheet((sheet) => {
    parts.push(sheet.name);
    sheet.eachRow((row) => {
      row.eachCell((cell) => parts.push(String(cell.value ?? '')));
    });
  });
  return parts.join('\n');
}

/** The rows of one sheet of an XLSX file, as arrays of cell values (header first). */
export async function xlsxRows(
  body: Buffer,
  sheetName: string,
): Promise<Array<Array<string | number | null>>> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet(sheetName);
  if (!sheet) throw new Error(`no sheet ${sheetName}`);
  const rows: Array<Array<string | number | null>> = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values: Array<string | number | null> = [];
    for (let i = 1; i <= sheet.columnCount; i++) {
      const v = row.getCell(i).value;
      // A date cell, as Excel shows it with the column's format dd.mm.yyyy.
      if (v instanceof Date) {
        const [y, m, d] = [v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate()];
        values.push(`${String(d).padStart(2, '0')}.${String(m).padStart(2, '0')}.${y}`);
        continue;
      }
      values.push(v === null || v === undefined ? null : (v as string | number));
    }
    rows.push(values);
  });
  return rows;
}

/** Binary response bodies for supertest (XLSX downloads). */
export function binaryParser(res: Response, callback: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
  stream.on('error', (e: Error) => callback(e, Buffer.alloc(0)));
}
