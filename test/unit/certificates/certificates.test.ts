import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import QRCode from 'qrcode';
import { parseConfig } from '../../../src/config';
import type { RequirementRecord } from '../../../src/modules/compliance/compliance.repo';
import { renderCertificatePdf } from '../../../src/modules/certificates/certificate-pdf';
import {
  computeValidUntil,
  createCertificateCode,
  isCertificateCodeShape,
  type CertificateContent,
} from '../../../src/modules/certificates/certificates.service';
import { requirementRecord } from '../../support/records';

/** Text and page count of a PDF, read by poppler-utils (pdftotext, pdfinfo, pdfimages). */
function readPdf(pdf: Buffer): { text: string; pages: number; images: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kursvakt-pdf-'));
  try {
    const file = path.join(dir, 'bevis.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    const images = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' });
    return { text, pages: Number(/Pages:\s+(\d+)/.exec(info)?.[1]), images };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The modules of the QR code for a text, as rows of '1' (dark) and '0'. */
function expectedQrModules(text: string): string[] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return Array.from({ length: modules.size }, (_, row) =>
    Array.from({ length: modules.size }, (_, col) => (modules.get(row, col) ? '1' : '0')).join(''),
  );
}

/** Reads the QR image back out of the PDF (pdfimages writes it as a binary PPM) and samples each module. */
function readQrModules(pdf: Buffer, size: number): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kursvakt-qr-'));
  try {
    const file = path.join(dir, 'bevis.pdf');
    writeFileSync(file, pdf);
    execFileSync('pdfimages', [file, path.join(dir, 'bilde')]);
    const ppmFile = readdirSync(dir).find((f) => f.endsWith('.ppm'))!;
    const ppm = readFileSync(path.join(dir, ppmFile));
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 32).toString('latin1'))!;
    const width = Number(header[1]);
    const pixels = ppm.subarray(header[0].length);
    // One module of quiet zone on each side (margin: 1 in the renderer).
    const scale = width / (size + 2);
    const dark = (row: number, col: number) => {
      const x = Math.floor((col + 1.5) * scale);
      const y = Math.floor((row + 1.5) * scale);
      return pixels[(y * width + x) * 3]! < 128 ? '1' : '0';
    };
    return Array.from({ length: size }, (_, row) =>
      Array.from({ length: size }, (_, col) => dark(row, col)).join(''),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function requirement(values: Partial<RequirementRecord>): RequirementRecord {
  const course = { courseId: 10, courseSlug: 'taushetsplikt', courseTitle: 'Taushetsplikt' };
  return requirementRecord({ id: 1, name: 'Krav', ...course, ...values });
}

const employee = {
  courseId: 10,
  hireDate: '2015-05-01',
  unitPath: '/1/4/',
  roleTags: ['skole'],
  completedOn: '2025-03-01',
};

describe('valid until on a certificate', () => {
  test('when the requirement renews in cycles, then it is the cycle deadline after the one the completion satisfies', () => {
    expect(computeValidUntil([requirement({})], employee)).toBe('2027-12-31');
  });

  test('when the requirement is rolling, then it is the completion date plus the renewal months', () => {
    expect(computeValidUntil([requirement({ renewalMode: 'rolling' })], employee)).toBe('2027-03-01');
  });

  test('when a new hire completes early, then the completion does not move the date before the new-hire deadline', () => {
    const newHire = { ...employee, hireDate: '2026-02-01', completedOn: '2026-02-10' };
    // The cycle deadline 2027-12-31 is later than hire + 12 months, so it stands.
    expect(
      computeValidUntil([requirement({ renewalMonths: 12, firstDeadline: '2025-12-31' })], newHire),
    ).toBe('2027-12-31');
    expect(computeValidUntil([requirement({ renewalMode: 'rolling', renewalMonths: 6 })], newHire)).toBe(
      '2027-02-01',
    );
  });

  test('when several requirements of the course cover the employee, then the earliest due date is shown', () => {
    const list = [requirement({ id: 1 }), requirement({ id: 2, renewalMode: 'rolling', renewalMonths: 12 })];
    expect(computeValidUntil(list, employee)).toBe('2026-03-01');
  });

  test('when no active requirement of the course covers the employee, then there is no valid-until date', () => {
    expect(computeValidUntil([requirement({ courseId: 11 })], employee)).toBeNull();
    expect(computeValidUntil([requirement({ active: false })], employee)).toBeNull();
    expect(computeValidUntil([requirement({ audienceRoleTags: ['helse'] })], employee)).toBeNull();
    expect(
      computeValidUntil([requirement({ audienceAll: false, audienceUnitPaths: ['/1/5/'] })], employee),
    ).toBeNull();
    expect(
      computeValidUntil([requirement({ audienceAll: false, audienceUnitPaths: ['/1/'] })], employee),
    ).toBe('2027-12-31');
  });
});

describe('certificate codes', () => {
  test('when codes are created, then each is 22 URL-safe characters (128 random bits) and they differ', () => {
    const codes = new Set(Array.from({ length: 1000 }, () => createCertificateCode()));
    expect(codes.size).toBe(1000);
    for (const code of codes) expect(isCertificateCodeShape(code)).toBe(true);
  });

  test('when a string is not shaped like a code, then it is rejected before any lookup', () => {
    for (const bad of [
      '',
      'abc',
      "' or 1=1 --",
      'A'.repeat(23),
      'A'.repeat(21) + '/',
      'æøåæøåæøåæøåæøåæøåæøåæ',
    ])
      expect([bad, isCertificateCodeShape(bad)]).toEqual([bad, false]);
  });
});

describe('the certificate PDF', () => {
  const content: CertificateContent = {
    municipalityName: 'Eksempel kommune',
    employeeName: 'Åse Ødegård Bjørnæs',
    courseTitle: 'Taushetsplikt og deling av opplysninger',
    version: 3,
    completedOn: '2026-11-20',
    validUntil: '2027-12-31',
    code: 'AbCdEfGhIjKlMnOpQrStUv',
    verifyUrl: 'https://kursvakt.eksempel.kommune.no/bevis/AbCdEfGhIjKlMnOpQrStUv',
  };

  test('when a certificate is rendered, then one page carries name, course, version, dates, municipality, link and a QR image', async () => {
    const pdf = await renderCertificatePdf(content);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { text, pages, images } = readPdf(pdf);
    expect(pages).toBe(1);
    const flat = text.replace(/\s+/g, ' ');
    for (const expected of [
      'EKSEMPEL KOMMUNE',
      'Kursbevis',
      'Åse Ødegård Bjørnæs',
      'Taushetsplikt og deling av opplysninger',
      'Kursversjon 3',
      'Fullført 20.11.2026',
      'Gyldig til og med 31.12.2027',
      'Kode: AbCdEfGhIjKlMnOpQrStUv',
      'Utstedt av Eksempel kommune gjennom Kursvakt.',
    ])
      expect([expected, flat.includes(expected)]).toEqual([expected, true]);
    // The link may wrap after the slash; joined again it is the whole URL.
    expect(text.replace(/\s+/g, '')).toContain(content.verifyUrl);
    // pdfimages -list: two header lines, then the QR code (and its transparency mask).
    const imageRows = images.trim().split('\n').slice(2);
    expect(imageRows.filter((row) => row.trim().split(/\s+/)[2] === 'image')).toHaveLength(1);
    // The QR code in the PDF holds exactly the verification link.
    const expected = expectedQrModules(content.verifyUrl);
    expect(readQrModules(pdf, expected.length)).toEqual(expected);
  });

  test('when a certificate is rendered, then it is a tagged PDF in bokmål with headings, a table of facts and a described QR code', async () => {
    const pdf = await renderCertificatePdf(content);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kursvakt-pdf-'));
    try {
      const file = path.join(dir, 'bevis.pdf');
      writeFileSync(file, pdf);
      const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
      expect(info).toMatch(/Tagged:\s+yes/);
      expect(info).toContain(
        'Title:           Kursbevis – Taushetsplikt og deling av opplysninger – Åse Ødegård Bjørnæs',
      );
      const structure = execFileSync('pdfinfo', ['-struct-text', file], { encoding: 'utf8' })
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      // Reading order: heading, who, what, then the facts as table rows of header and value cells.
      expect(structure.slice(0, 14)).toEqual([
        'Document',
        'P (block)',
        '"EKSEMPEL KOMMUNE"',
        'H1 (block)',
        '"Kursbevis"',
        'P (block)',
        '"Dette bekrefter at"',
        'P (block)',
        '"Åse Ødegård Bjørnæs"',
        'P (block)',
        '"har fullført kurset"',
        'P (block)',
        '"Taushetsplikt og deling av opplysninger"',
        'Table (block)',
      ]);
      expect(structure.slice(14, 20)).toEqual(['TR', 'TH', '"Kursversjon"', 'TD', '"3"', 'TR']);
      expect(structure).toContain('H2 (block)');
      expect(structure).toContain('Figure');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The decoration is an artifact; the QR code has a text alternative and the document a language.
    const raw = (await renderCertificatePdf(content, { compress: false })).toString('latin1');
    expect(raw).toContain(`/Alt (QR-kode med lenken ${content.verifyUrl})`);
    expect(raw).toContain('/Lang (nb-NO)');
    expect(raw).toContain('/Artifact');
  });

  test('when the completion names no version and no requirement applies, then both show a dash', async () => {
    const { text } = readPdf(await renderCertificatePdf({ ...content, version: null, validUntil: null }));
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Kursversjon —');
    expect(flat).toContain('Gyldig til og med —');
    expect(flat).not.toContain('fristen for neste gjennomføring');
  });
});

describe('the municipality name setting', () => {
  test('when KOMMUNE_NAVN is not set, then certificates say Eksempel kommune', () => {
    expect(parseConfig({}).municipalityName).toBe('Eksempel kommune');
  });

  test('when KOMMUNE_NAVN is set, then it is used, and an empty value is refused with a message naming it', () => {
    expect(parseConfig({ KOMMUNE_NAVN: ' Bø kommune ' }).municipalityName).toBe('Bø kommune');
    expect(() => parseConfig({ KOMMUNE_NAVN: '  ' })).toThrow(/KOMMUNE_NAVN: kan ikke være tom/);
  });
});
