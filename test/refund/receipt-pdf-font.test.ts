import { describe, expect, it } from 'vitest';
import { renderBulkReceiptPdf } from '../../src/bulk/receipt-pdf.js';
import { bulkReceiptModel } from '../../src/bulk/receipt.js';
import type { FiledRow, UploadRow } from '../../src/bulk/repository.js';
import { defaultRules } from '../../src/domain/rules-data.js';
import { receiptModel } from '../../src/refund/receipt.js';
import { renderReceiptPdf } from '../../src/refund/receipt-pdf.js';
import type { DossierRow } from '../../src/dossiers/repository.js';
import { pdfPageCount, pdfText } from '../helpers/pdf.js';

// Letters outside Windows-1252, which the standard PDF fonts turned into '?' or stripped of their accent.
const NAME = { first: 'Łukasz', last: 'Wróbel-Şahin' };
const submittedAt = new Date('2025-10-15T10:00:00Z');
const organisation = { name: 'Bouwbedrijf De Meeuw NV', kbo: '0403170701' };

function dossier(first: string, last: string): DossierRow {
  return {
    id: 1,
    dossiernummer: 'VOV-2025-000123',
    organisation_id: 1,
    draft_id: 1,
    status: 'ingediend',
    employee_insz: '85073003328',
    employee_first_name: first,
    employee_last_name: last,
    employee_email: null,
    training_type: 'odb',
    training_name: 'Veiligheidscoördinator niveau A',
    odb_number: '12345',
    training_key: 'odb:12345',
    training_start_date: '2025-10-01',
    school_year_start: 2025,
    initiative: 'werkgever',
    training_hours: '40',
    vov_hours: '40',
    forfait_cents: 1491,
    amount_cents: 59640,
    snapshot: { organisation, werkgever: { contact: { name: 'Jan Werkgever' } } },
    submitted_at: submittedAt,
    submitted_by: 1,
  };
}

const text = async (pdf: Buffer) => (await pdfText(pdf)).replace(/\s+/g, ' ');

describe('receipt PDFs print every name exactly', () => {
  it('print the employee’s name exactly, in DejaVu Sans embedded as a subset', async () => {
    const pdf = await renderReceiptPdf(receiptModel(dossier(NAME.first, NAME.last), defaultRules));
    expect(await text(pdf)).toContain('Werknemer Łukasz Wróbel-Şahin (INSZ 85.07.30-***.**)');
    expect(await text(pdf)).toContain('Veiligheidscoördinator niveau A – ODB-opleiding (opleidingsdatabank)');
    expect(await text(pdf)).toContain('Indicatief bedrag € 596,40');
    const raw = pdf.toString('latin1');
    expect(raw.match(/\/BaseFont \/[A-Z]{6}\+DejaVuSans(-Bold)?\b/g)?.length).toBeGreaterThanOrEqual(2);
    expect(raw).not.toContain('Helvetica');
    // The two font files are 1.4 MB; only the glyphs used go in.
    expect(pdf.length).toBeLessThan(60_000);
  });

  it('keep the standard fonts (no embedded font, a few kB) when everything they print is in Windows-1252', async () => {
    const pdf = await renderReceiptPdf(receiptModel(dossier('Zoë', 'Van den Bossche-Deprez'), defaultRules));
    expect(await text(pdf)).toContain('Werknemer Zoë Van den Bossche-Deprez (INSZ 85.07.30-***.**)');
    expect(await text(pdf)).toContain('Veiligheidscoördinator niveau A – ODB-opleiding (opleidingsdatabank)');
    expect(await text(pdf)).toContain('Indicatief bedrag € 596,40');
    const raw = pdf.toString('latin1');
    expect(raw).toContain('/BaseFont /Helvetica');
    expect(raw).not.toContain('DejaVu');
    expect(pdf.length).toBeLessThan(10_000);
  });

  it('draw a name typed as letters plus combining marks with the composed letters', async () => {
    const pdf = await renderReceiptPdf(
      receiptModel(dossier(NAME.first.normalize('NFD'), 'Nguyễn Wróbel-Şahin'.normalize('NFD')), defaultRules),
    );
    expect(await text(pdf)).toContain('Łukasz Nguyễn Wróbel-Şahin (INSZ');
  });

  it('print every name in the summary receipt of an upload, over more than one page', async () => {
    const names = [
      [NAME.first, NAME.last],
      ['Ayşe', 'Yılmaz'],
      ['Jiří', 'Dvořák'],
      ...Array.from({ length: 40 }, () => ['Eva', 'Peeters']),
      ['Ελένη', 'Παπαδοπούλου'],
    ];
    const dossiers: FiledRow[] = names.map(([first, last], i) => ({
      line: i + 2,
      dossiernummer: `VOV-2025-${String(200 + i).padStart(6, '0')}`,
      employee_first_name: first,
      employee_last_name: last,
      employee_insz: '85073003328',
      training_name: 'Veiligheidscoördinator niveau A',
      school_year_start: 2025,
      vov_hours: '40',
      amount_cents: 59640,
      status: 'ingediend',
    }));
    const upload: UploadRow = {
      id: 7,
      organisation_id: 1,
      created_by: 1,
      created_at: submittedAt,
      filename: 'aanvragen-Łódź.csv',
      encoding: 'utf-8',
      notices: [],
      row_count: dossiers.length,
      valid_count: dossiers.length,
      status: 'ingediend',
      revalidated_at: null,
      submitted_at: submittedAt,
      submitted_by: 1,
    };
    const model = bulkReceiptModel(upload, {
      organisation,
      submittedBy: 'Zoë Łęcka',
      totals: { count: dossiers.length, amountCents: 59640 * dossiers.length },
      dossiers,
      rules: defaultRules,
    });
    const pdf = await renderBulkReceiptPdf(model);
    expect(await pdfPageCount(pdf)).toBeGreaterThan(1);
    const all = await text(pdf);
    expect(all).toContain('Ingediend door Zoë Łęcka');
    expect(all).toContain('Bestand aanvragen-Łódź.csv');
    expect(all).toContain('VOV-2025-000200 Łukasz Wróbel-Şahin (85.07.30-***.**)');
    expect(all).toContain('VOV-2025-000201 Ayşe Yılmaz (85.07.30-***.**)');
    expect(all).toContain('VOV-2025-000202 Jiří Dvořák (85.07.30-***.**)');
    expect(all).toContain('VOV-2025-000243 Ελένη Παπαδοπούλου (85.07.30-***.**)');
  });
});
