import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isPrintableWindows1252 } from '../domain/windows-1252.js';
import type { ReceiptModel } from './receipt.js';

// pdfkit is loaded with the first receipt PDF, not at start-up: with its font metrics it adds some 25 MB to
// every process, and most requests never make a PDF.
let pdfkit: Promise<typeof import('pdfkit')> | undefined;

/**
 * A receipt prints names exactly (Łukasz, Şahin, Ελένη). The standard PDF fonts (Helvetica) cover Windows-1252
 * only; DejaVu Sans covers Latin, Greek and Cyrillic, and pdfkit embeds only the glyphs a PDF uses. But laying out
 * text in an embedded font (its OpenType tables) costs some 50 ms of CPU per PDF against 5 for Helvetica, so a
 * document uses DejaVu only when something it prints needs it. The fonts are resolved as a package (from src/ and
 * from dist/src/), read with the first PDF that needs them, and kept (1.4 MB).
 */
let fonts: Promise<{ body: Buffer; bold: Buffer }> | undefined;

async function readFonts(): Promise<{ body: Buffer; bold: Buffer }> {
  const packages = createRequire(import.meta.url);
  const [body, bold] = await Promise.all(
    ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) => readFile(packages.resolve(`dejavu-fonts-ttf/ttf/${file}`))),
  );
  return { body, bold };
}

/**
 * Text from the data is drawn as composed letters (NFC), so each is the font's own glyph (ễ, Ņ). Typed as a letter
 * plus combining marks, as some systems send it, fontkit places the marks itself and misplaces stacked ones and
 * some cedillas.
 */
export function composed(text: string): string {
  return text.normalize('NFC');
}

/** The standard fonts print exactly what is in Windows-1252 (their WinAnsi encoding). */
const inStandardFonts = (text: string) => isPrintableWindows1252(composed(text));

export const MARGIN = 56;
export const BLACK = '#000000';
export const TEXT = '#333332';

export interface ReceiptPdfHead {
  title: string;
  subject: string;
  subtitle: string;
  boxLabel: string;
  boxValue: string;
}

/**
 * Starts an A4 receipt as every receipt PDF begins: the brand band in type (no official logo), the title and
 * the framed box with the key number in large type. `texts`: everything else the document will print, which decides
 * its font ('Body' and 'Bold'). `finished` resolves with the file once `doc.end()` is called.
 */
export async function startReceiptPdf(
  head: ReceiptPdfHead,
  texts: Iterable<string>,
): Promise<{ doc: PDFKit.PDFDocument; width: number; finished: Promise<Buffer> }> {
  const PDFDocument = await (pdfkit ??= import('pdfkit').then((m) => m.default));
  const standard = [head.title, head.subtitle, head.boxLabel, head.boxValue, ...texts].every(inStandardFonts);
  const { body, bold } = standard ? { body: 'Helvetica', bold: 'Helvetica-Bold' } : await (fonts ??= readFonts());
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: head.title, Author: 'WSE-loket', Subject: head.subject },
    lang: 'nl-BE',
  });
  const finished = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('Body', body).registerFont('Bold', bold);
  const width = doc.page.width - 2 * MARGIN;

  doc.rect(0, 0, doc.page.width, 40).fill('#FFE615');
  doc
    .fillColor(BLACK)
    .font('Bold')
    .fontSize(14)
    .text('Vlaanderen', MARGIN, 13, { continued: true })
    .font('Body')
    .text('  |  WSE-loket');
  doc.moveDown(2);

  doc.x = MARGIN;
  doc.fillColor(BLACK).font('Bold').fontSize(20).text('Ontvangstbevestiging');
  doc.font('Body').fontSize(12).fillColor(TEXT).text(head.subtitle);
  doc.moveDown();

  const boxTop = doc.y;
  doc
    .font('Body')
    .fontSize(11)
    .fillColor(TEXT)
    .text(head.boxLabel, MARGIN + 14, boxTop + 12);
  doc
    .font('Bold')
    .fontSize(24)
    .fillColor(BLACK)
    .text(head.boxValue, MARGIN + 14, doc.y + 2);
  const boxBottom = doc.y + 12;
  doc
    .lineWidth(2)
    .strokeColor(BLACK)
    .rect(MARGIN, boxTop, width, boxBottom - boxTop)
    .stroke();
  doc.x = MARGIN;
  doc.y = boxBottom + 16;
  return { doc, width, finished };
}

/** The summary list: key in bold, value beside it, a thin line under each row. */
export function writeSummaryRows(
  doc: PDFKit.PDFDocument,
  rows: readonly { key: string; value: string }[],
  width: number,
): void {
  const keyWidth = 170;
  for (const row of rows) {
    const y = doc.y;
    doc
      .font('Bold')
      .fontSize(10.5)
      .fillColor(BLACK)
      .text(row.key, MARGIN, y, { width: keyWidth - 10 });
    const keyBottom = doc.y;
    doc
      .font('Body')
      .fontSize(10.5)
      .fillColor(TEXT)
      .text(composed(row.value), MARGIN + keyWidth, y, { width: width - keyWidth });
    doc.y = Math.max(keyBottom, doc.y) + 5;
    doc
      .lineWidth(0.5)
      .strokeColor('#b1b1b1')
      .moveTo(MARGIN, doc.y - 2)
      .lineTo(MARGIN + width, doc.y - 2)
      .stroke();
    doc.y += 3;
  }
}

/** The ontvangstbevestiging as an A4 PDF: the same content as the page, in the same order. */
export async function renderReceiptPdf(receipt: ReceiptModel): Promise<Buffer> {
  const { doc, width, finished } = await startReceiptPdf(
    {
      title: `Ontvangstbevestiging ${receipt.dossiernummer}`,
      subject: 'Aanvraag terugbetaling Vlaams opleidingsverlof',
      subtitle: 'Aanvraag terugbetaling Vlaams opleidingsverlof',
      boxLabel: 'Dossiernummer',
      boxValue: receipt.dossiernummer,
    },
    [...receipt.rows.flatMap((r) => [r.key, r.value]), ...receipt.nextSteps, receipt.contactEmail],
  );
  writeSummaryRows(doc, receipt.rows, width);

  doc.moveDown();
  doc.x = MARGIN;
  doc.font('Bold').fontSize(13).fillColor(BLACK).text('Wat gebeurt er nu?');
  doc.moveDown(0.3);
  doc.font('Body').fontSize(10.5).fillColor(TEXT).list(receipt.nextSteps, { bulletRadius: 2, textIndent: 12, width });
  doc.moveDown();
  doc.text(
    `Vragen? Mail naar ${receipt.contactEmail} en vermeld het dossiernummer ${receipt.dossiernummer}, of bel gratis de Vlaamse infolijn 1700.`,
    MARGIN,
    doc.y,
    { width },
  );
  doc.moveDown(2);
  doc
    .fontSize(8.5)
    .fillColor('#595959')
    .text(
      'WSE-loket is een onafhankelijk open-sourceportaal naar het voorbeeld van het WSE-loket van de Vlaamse overheid. Het is geen website van de Vlaamse overheid.',
      { width },
    );
  doc.end();
  return finished;
}
