import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { formatNorwegianDate } from '../../lib/dates';
import type { CertificateContent } from './certificates.service';

/*
 * The certificate as one A4 page. It uses PDF's built-in Helvetica: pdfkit writes it in
 * WinAnsi (Latin-1 plus typographic punctuation), which covers æ, ø, å and the dashes we use,
 * so no font file has to ship with the app and every PDF reader has the font.
 */

const COLOURS = { text: '#1b1b1b', muted: '#4a4a4a', accent: '#0b3d62', line: '#9aa4b1' };
const PAGE = { width: 595.28, height: 841.89, margin: 64 };

export interface PdfOptions {
  /** Uncompressed content streams, so a test can read the drawing operators. */
  compress?: boolean;
}

/** Renders the certificate PDF (name, course, version, dates, verification link and QR code). */
export async function renderCertificatePdf(
  content: CertificateContent,
  options: PdfOptions = {},
): Promise<Buffer> {
  const qrPng = await QRCode.toBuffer(content.verifyUrl, {
    type: 'png',
    errorCorrectionLevel: 'M',
    margin: 1,
    width: 360,
  });
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    compress: options.compress ?? true,
    // Tagged PDF (structure tree, language, title shown), so screen readers read it in order.
    pdfVersion: '1.7',
    tagged: true,
    lang: 'nb-NO',
    displayTitle: true,
    info: {
      Title: `Kursbevis – ${content.courseTitle} – ${content.employeeName}`,
      Author: content.municipalityName,
      Subject: `Kursbevis for ${content.courseTitle}`,
      Creator: 'Kursvakt',
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = PAGE.margin;
  const width = PAGE.width - 2 * PAGE.margin;
  const centred = { width, align: 'center' as const };

  // Decoration is marked as an artifact, so screen readers skip it.
  const decoration = (draw: () => void) => {
    doc.markContent('Artifact', { type: 'Layout' });
    draw();
    doc.endMarkedContent();
  };
  // Everything a person reads goes into the structure tree in reading order (a tagged PDF).
  const root = doc.struct('Document');
  doc.addStructure(root);
  const block = (tag: string, draw: () => void) => root.add(doc.struct(tag, {}, draw));

  // A frame and a band in the municipality's accent colour.
  decoration(() => {
    doc
      .lineWidth(1.5)
      .strokeColor(COLOURS.accent)
      .rect(32, 32, PAGE.width - 64, PAGE.height - 64)
      .stroke();
    doc.rect(32, 32, PAGE.width - 64, 10).fill(COLOURS.accent);
  });

  block('P', () => {
    doc.fillColor(COLOURS.accent).font('Helvetica-Bold').fontSize(14);
    doc.text(content.municipalityName.toUpperCase(), left, 84, { ...centred, characterSpacing: 1 });
  });
  block('H1', () => {
    doc.fillColor(COLOURS.text).font('Helvetica-Bold').fontSize(40);
    doc.text('Kursbevis', left, 130, centred);
  });
  block('P', () => {
    doc.font('Helvetica').fontSize(15).fillColor(COLOURS.muted);
    doc.text('Dette bekrefter at', left, 215, centred);
  });
  block('P', () => {
    doc.font('Helvetica-Bold').fontSize(28).fillColor(COLOURS.text);
    doc.text(content.employeeName, left, doc.y + 10, centred);
  });
  block('P', () => {
    doc.font('Helvetica').fontSize(15).fillColor(COLOURS.muted);
    doc.text('har fullført kurset', left, doc.y + 12, centred);
  });
  block('P', () => {
    doc.font('Helvetica-Bold').fontSize(22).fillColor(COLOURS.text);
    doc.text(content.courseTitle, left, doc.y + 10, centred);
  });

  // The facts as a two-column table: label, value.
  const facts: Array<[string, string]> = [
    ['Kursversjon', content.version === null ? '—' : String(content.version)],
    ['Fullført', formatNorwegianDate(content.completedOn)],
    ['Gyldig til og med', content.validUntil ? formatNorwegianDate(content.validUntil) : '—'],
  ];
  let y = Math.max(doc.y + 40, 440);
  const labelX = left + 70;
  const valueX = left + 250;
  const rule = (at: number) =>
    decoration(() => {
      doc
        .moveTo(labelX, at)
        .lineTo(PAGE.width - labelX, at)
        .lineWidth(0.75)
        .strokeColor(COLOURS.line)
        .stroke();
    });
  rule(y - 12);
  const table = doc.struct('Table');
  root.add(table);
  for (const [label, value] of facts) {
    const row = doc.struct('TR');
    table.add(row);
    const rowY = y;
    row.add(
      doc.struct('TH', {}, () => {
        doc.font('Helvetica').fontSize(13).fillColor(COLOURS.muted);
        doc.text(label, labelX, rowY, { lineBreak: false });
      }),
    );
    row.add(
      doc.struct('TD', {}, () => {
        doc.font('Helvetica-Bold').fontSize(13).fillColor(COLOURS.text);
        doc.text(value, valueX, rowY, { lineBreak: false });
      }),
    );
    row.end();
    y += 28;
  }
  table.end();
  rule(y);
  if (content.validUntil) {
    block('P', () => {
      doc.font('Helvetica').fontSize(10.5).fillColor(COLOURS.muted);
      doc.text(
        'Gyldig til og med er fristen for neste gjennomføring etter kommunens kurskrav.',
        labelX,
        y + 10,
        {
          width: PAGE.width - 2 * labelX,
        },
      );
    });
  }

  // Verification: QR code and the same link in text, for those who cannot scan.
  // Text below the bottom margin would otherwise start a second page.
  doc.page.margins.bottom = 0;
  const qrSize = 120;
  const qrY = PAGE.height - PAGE.margin - qrSize - 40;
  const textX = left + qrSize + 24;
  const textWidth = width - qrSize - 24;
  block('H2', () => {
    doc.font('Helvetica-Bold').fontSize(12).fillColor(COLOURS.text);
    doc.text('Kontroller at beviset er ekte', textX, qrY + 8, { width: textWidth });
  });
  block('P', () => {
    doc.font('Helvetica').fontSize(10.5).fillColor(COLOURS.muted);
    doc.text('Skann koden eller åpne lenken:', textX, doc.y + 4, { width: textWidth });
  });
  block('P', () => {
    doc.font('Helvetica').fontSize(10.5).fillColor(COLOURS.accent);
    doc.text(content.verifyUrl, textX, doc.y + 2, {
      width: textWidth,
      link: content.verifyUrl,
      underline: true,
    });
  });
  block('P', () => {
    doc.font('Helvetica').fontSize(10.5).fillColor(COLOURS.muted);
    doc.text(`Kode: ${content.code}`, textX, doc.y + 4, { width: textWidth });
  });
  root.add(
    doc.struct('Figure', { alt: `QR-kode med lenken ${content.verifyUrl}` }, () => {
      doc.image(qrPng, left, qrY, { width: qrSize, height: qrSize });
    }),
  );
  block('P', () => {
    doc.font('Helvetica').fontSize(9).fillColor(COLOURS.muted);
    doc.text(
      `Utstedt av ${content.municipalityName} gjennom Kursvakt.`,
      left,
      PAGE.height - PAGE.margin - 6,
      {
        ...centred,
        lineBreak: false,
      },
    );
  });
  root.end();

  doc.end();
  return finished;
}
