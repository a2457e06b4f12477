import type { ReceiptModel } from './receipt.js';

// pdfkit is loaded with the first receipt PDF, not at start-up: with its font metrics it adds some 25 MB to
// every process, and most requests never make a PDF.
let pdfkit: Promise<typeof import('pdfkit')> | undefined;

/**
 * The standard PDF fonts (Helvetica) only cover Windows-1252. Letters outside it (ł, ş, ğ …) lose their
 * accent, or become '?', instead of printing as garbage; the HTML receipt shows the exact spelling.
 */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

export function toWinAnsi(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0)!;
    if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else if (ch === '\n') out += ch;
    else {
      const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
      out += /^[\x20-\x7e]+$/.test(base) ? base : '?';
    }
  }
  return out;
}

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
 * the framed box with the key number in large type. `finished` resolves with the file once `doc.end()` is called.
 */
export async function startReceiptPdf(head: ReceiptPdfHead): Promise<{ doc: PDFKit.PDFDocument; width: number; finished: Promise<Buffer> }> {
  const PDFDocument = await (pdfkit ??= import('pdfkit').then((m) => m.default));
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: head.title, Author: 'WSE-loket', Subject: head.subject }, lang: 'nl-BE' });
  const finished = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const t = toWinAnsi;
  const width = doc.page.width - 2 * MARGIN;

  doc.rect(0, 0, doc.page.width, 40).fill('#FFE615');
  doc.fillColor(BLACK).font('Helvetica-Bold').fontSize(14).text('Vlaanderen', MARGIN, 13, { continued: true }).font('Helvetica').text('  |  WSE-loket');
  doc.moveDown(2);

  doc.x = MARGIN;
  doc.fillColor(BLACK).font('Helvetica-Bold').fontSize(20).text(t('Ontvangstbevestiging'));
  doc.font('Helvetica').fontSize(12).fillColor(TEXT).text(t(head.subtitle));
  doc.moveDown();

  const boxTop = doc.y;
  doc.font('Helvetica').fontSize(11).fillColor(TEXT).text(t(head.boxLabel), MARGIN + 14, boxTop + 12);
  doc.font('Helvetica-Bold').fontSize(24).fillColor(BLACK).text(t(head.boxValue), MARGIN + 14, doc.y + 2);
  const boxBottom = doc.y + 12;
  doc.lineWidth(2).strokeColor(BLACK).rect(MARGIN, boxTop, width, boxBottom - boxTop).stroke();
  doc.x = MARGIN;
  doc.y = boxBottom + 16;
  return { doc, width, finished };
}

/** The summary list: key in bold, value beside it, a thin line under each row. */
export function writeSummaryRows(doc: PDFKit.PDFDocument, rows: readonly { key: string; value: string }[], width: number): void {
  const keyWidth = 170;
  for (const row of rows) {
    const y = doc.y;
    doc.font('Helvetica-Bold').fontSize(10.5).fillColor(BLACK).text(toWinAnsi(row.key), MARGIN, y, { width: keyWidth - 10 });
    const keyBottom = doc.y;
    doc.font('Helvetica').fontSize(10.5).fillColor(TEXT).text(toWinAnsi(row.value), MARGIN + keyWidth, y, { width: width - keyWidth });
    doc.y = Math.max(keyBottom, doc.y) + 5;
    doc.lineWidth(0.5).strokeColor('#b1b1b1').moveTo(MARGIN, doc.y - 2).lineTo(MARGIN + width, doc.y - 2).stroke();
    doc.y += 3;
  }
}

/** The ontvangstbevestiging as an A4 PDF: the same content as the page, in the same order. */
export async function renderReceiptPdf(receipt: ReceiptModel): Promise<Buffer> {
  const { doc, width, finished } = await startReceiptPdf({
    title: `Ontvangstbevestiging ${receipt.dossiernummer}`,
    subject: 'Aanvraag terugbetaling Vlaams opleidingsverlof',
    subtitle: 'Aanvraag terugbetaling Vlaams opleidingsverlof',
    boxLabel: 'Dossiernummer',
    boxValue: receipt.dossiernummer,
  });
  const t = toWinAnsi;
  writeSummaryRows(doc, receipt.rows, width);

  doc.moveDown();
  doc.x = MARGIN;
  doc.font('Helvetica-Bold').fontSize(13).fillColor(BLACK).text('Wat gebeurt er nu?');
  doc.moveDown(0.3);
  doc.font('Helvetica').fontSize(10.5).fillColor(TEXT).list(receipt.nextSteps.map(t), { bulletRadius: 2, textIndent: 12, width });
  doc.moveDown();
  doc.text(t(`Vragen? Mail naar ${receipt.contactEmail} en vermeld het dossiernummer ${receipt.dossiernummer}, of bel gratis de Vlaamse infolijn 1700.`), MARGIN, doc.y, { width });
  doc.moveDown(2);
  doc.fontSize(8.5).fillColor('#595959').text(t('WSE-loket is een onafhankelijk open-sourceportaal naar het voorbeeld van het WSE-loket van de Vlaamse overheid. Het is geen website van de Vlaamse overheid.'), { width });
  doc.end();
  return finished;
}
