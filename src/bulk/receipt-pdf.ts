import PDFDocument from 'pdfkit';
import { toWinAnsi } from '../refund/receipt-pdf.js';
import type { BulkReceiptModel } from './receipt.js';

const MARGIN = 56;
const BLACK = '#000000';
const TEXT = '#333332';

/**
 * The summary receipt of a confirmed upload as an A4 PDF, in the style of the single receipt
 * (src/refund/receipt-pdf.ts): the same facts as the page, then every dossiernummer with its employee,
 * training, hours and indicative amount. Text flows over as many pages as needed.
 */
export function renderBulkReceiptPdf(receipt: BulkReceiptModel): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: MARGIN,
      info: { Title: `Ontvangstbevestiging ${receipt.reference}`, Author: 'WSE-loket', Subject: 'Aanvragen terugbetaling Vlaams opleidingsverlof via CSV-bestand' },
      lang: 'nl-BE',
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const t = toWinAnsi;
    const width = doc.page.width - 2 * MARGIN;

    doc.rect(0, 0, doc.page.width, 40).fill('#FFE615');
    doc.fillColor(BLACK).font('Helvetica-Bold').fontSize(14).text('Vlaanderen', MARGIN, 13, { continued: true }).font('Helvetica').text('  |  WSE-loket');
    doc.moveDown(2);

    doc.x = MARGIN;
    doc.fillColor(BLACK).font('Helvetica-Bold').fontSize(20).text(t('Ontvangstbevestiging'));
    doc.font('Helvetica').fontSize(12).fillColor(TEXT).text(t('Aanvragen terugbetaling Vlaams opleidingsverlof via een CSV-bestand'));
    doc.moveDown();

    const boxTop = doc.y;
    doc.font('Helvetica').fontSize(11).fillColor(TEXT).text(t('Aantal dossiers'), MARGIN + 14, boxTop + 12);
    doc.font('Helvetica-Bold').fontSize(24).fillColor(BLACK).text(t(receipt.countText), MARGIN + 14, doc.y + 2);
    const boxBottom = doc.y + 12;
    doc.lineWidth(2).strokeColor(BLACK).rect(MARGIN, boxTop, width, boxBottom - boxTop).stroke();
    doc.x = MARGIN;
    doc.y = boxBottom + 16;

    const keyWidth = 170;
    for (const row of receipt.rows) {
      const y = doc.y;
      doc.font('Helvetica-Bold').fontSize(10.5).fillColor(BLACK).text(t(row.key), MARGIN, y, { width: keyWidth - 10 });
      const keyBottom = doc.y;
      doc.font('Helvetica').fontSize(10.5).fillColor(TEXT).text(t(row.value), MARGIN + keyWidth, y, { width: width - keyWidth });
      doc.y = Math.max(keyBottom, doc.y) + 5;
      doc.lineWidth(0.5).strokeColor('#b1b1b1').moveTo(MARGIN, doc.y - 2).lineTo(MARGIN + width, doc.y - 2).stroke();
      doc.y += 3;
    }

    doc.moveDown();
    doc.x = MARGIN;
    doc.font('Helvetica-Bold').fontSize(13).fillColor(BLACK).text('Dossiers');
    doc.moveDown(0.3);
    for (const d of receipt.dossiers) {
      doc
        .font('Helvetica-Bold')
        .fontSize(10)
        .fillColor(BLACK)
        .text(t(d.dossiernummer), MARGIN, doc.y, { width, continued: true })
        .font('Helvetica')
        .fillColor(TEXT)
        .text(t(`  ${d.employee} (${d.inszMasked}) – ${d.training} – ${d.schoolYear} – ${d.hours} – ${d.amount}`));
      doc.moveDown(0.15);
    }

    doc.moveDown();
    doc.font('Helvetica-Bold').fontSize(13).fillColor(BLACK).text('Wat gebeurt er nu?', MARGIN, doc.y);
    doc.moveDown(0.3);
    doc.font('Helvetica').fontSize(10.5).fillColor(TEXT).list(receipt.nextSteps.map(t), { bulletRadius: 2, textIndent: 12, width });
    doc.moveDown();
    doc.text(t(`Vragen? Mail naar ${receipt.contactEmail} en vermeld het dossiernummer, of bel gratis de Vlaamse infolijn 1700.`), MARGIN, doc.y, { width });
    doc.moveDown(2);
    doc.fontSize(8.5).fillColor('#595959').text(t('WSE-loket is een onafhankelijk open-sourceportaal naar het voorbeeld van het WSE-loket van de Vlaamse overheid. Het is geen website van de Vlaamse overheid.'), { width });
    doc.end();
  });
}
