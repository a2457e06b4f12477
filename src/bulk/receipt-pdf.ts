import { BLACK, composed, MARGIN, startReceiptPdf, TEXT, writeSummaryRows } from '../refund/receipt-pdf.js';
import type { BulkReceiptModel } from './receipt.js';

/**
 * The summary receipt of a confirmed upload as an A4 PDF, in the style of the single receipt
 * (src/refund/receipt-pdf.ts): the same facts as the page, then every dossiernummer with its employee,
 * training, hours and indicative amount. Text flows over as many pages as needed.
 */
const dossierLine = (d: BulkReceiptModel['dossiers'][number]) =>
  `${d.employee} (${d.inszMasked}) – ${d.training} – ${d.schoolYear} – ${d.hours} – ${d.amount}`;

export async function renderBulkReceiptPdf(receipt: BulkReceiptModel): Promise<Buffer> {
  const { doc, width, finished } = await startReceiptPdf(
    {
      title: `Ontvangstbevestiging ${receipt.reference}`,
      subject: 'Aanvragen terugbetaling Vlaams opleidingsverlof via CSV-bestand',
      subtitle: 'Aanvragen terugbetaling Vlaams opleidingsverlof via een CSV-bestand',
      boxLabel: 'Aantal dossiers',
      boxValue: receipt.countText,
    },
    [
      ...receipt.rows.flatMap((r) => [r.key, r.value]),
      ...receipt.dossiers.map(dossierLine),
      ...receipt.nextSteps,
      receipt.contactEmail,
    ],
  );
  writeSummaryRows(doc, receipt.rows, width);

  doc.moveDown();
  doc.x = MARGIN;
  doc.font('Bold').fontSize(13).fillColor(BLACK).text('Dossiers');
  doc.moveDown(0.3);
  for (const d of receipt.dossiers) {
    doc
      .font('Bold')
      .fontSize(10)
      .fillColor(BLACK)
      .text(d.dossiernummer, MARGIN, doc.y, { width, continued: true })
      .font('Body')
      .fillColor(TEXT)
      .text(composed(`  ${dossierLine(d)}`));
    doc.moveDown(0.15);
  }

  doc.moveDown();
  doc.font('Bold').fontSize(13).fillColor(BLACK).text('Wat gebeurt er nu?', MARGIN, doc.y);
  doc.moveDown(0.3);
  doc.font('Body').fontSize(10.5).fillColor(TEXT).list(receipt.nextSteps, { bulletRadius: 2, textIndent: 12, width });
  doc.moveDown();
  doc.text(
    `Vragen? Mail naar ${receipt.contactEmail} en vermeld het dossiernummer, of bel gratis de Vlaamse infolijn 1700.`,
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
