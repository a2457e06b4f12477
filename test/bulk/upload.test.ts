import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLUMNS } from '../../src/bulk/columns.js';
import { parseCsv } from '../../src/bulk/parser.js';
import { paths } from '../../src/paths.js';
import type { TestApp } from '../helpers/app.js';
import { memberLoggedIn } from '../helpers/fixture.js';
import type { Agent } from '../helpers/login.js';
import { type TestOrganisation } from '../refund/fixtures.js';
import { page } from '../helpers/page.js';
import { pdfText } from '../helpers/pdf.js';
import { confirmPreview, csvLines, EMPLOYEES, previewOf, previewRows, validRow } from './fixtures.js';

let t: TestApp;
let org: TestOrganisation;
let jan: Agent;

// Each test on a database of its own, with the files and dossiers it makes itself.
beforeEach(async () => {
  ({ t, org, agent: jan } = await memberLoggedIn());
});

afterEach(async () => {
  await t.close();
});

const dossiersOf = (insz: string) =>
  t.database
    .db('dossier')
    .where({ organisation_id: org.id, employee_insz: insz.replace(/\D/g, '') })
    .orderBy('id');

/** The cells of one line of our own CSV downloads, read back with the upload's parser. */
function cellsOf(line: string): string[] {
  const parsed = parseCsv(line, ';');
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.records[0].cells;
}

/**
 * Jan fills in the downloaded template with three rows (two ODB trainings, one for the examencommissie without an
 * e-mail address) and uploads it; returns the preview's path.
 */
async function previewOfThreeRows(): Promise<string> {
  const template = (await jan.get(paths.bulkTemplate).buffer(true)).text;
  const rows = [
    validRow(),
    validRow({
      ...EMPLOYEES[1],
      odbNumber: '2222',
      trainingName: 'Heftruckchauffeur; basis',
      twp: '80%',
      weeklyHours: '30,4',
      initiative: 'werknemer',
    }),
    validRow({
      ...EMPLOYEES[2],
      trainingType: 'examencommissie',
      odbNumber: '',
      sizeKind: '',
      sizeAmount: '',
      examCount: '2',
      trainingName: 'Examen secundair onderwijs',
      providerName: 'Examencommissie Vlaamse Gemeenschap',
      email: '',
    }),
  ];
  const filled =
    template +
    rows.map((r) => COLUMNS.map((c) => (/[;"]/.test(r[c.key]) ? `"${r[c.key]}"` : r[c.key])).join(';')).join('\r\n') +
    '\r\n';
  return previewOf(jan, Buffer.from(filled, 'utf8'));
}

/** The three rows uploaded and confirmed; returns the paths of the preview and of its receipt. */
async function confirmedThreeRows(): Promise<{ previewPath: string; receiptPath: string }> {
  const previewPath = await previewOfThreeRows();
  const res = await confirmPreview(jan, previewPath);
  expect(res.status).toBe(303);
  return { previewPath, receiptPath: res.headers.location as string };
}

describe('the round trip: template → filled in → preview → Bevestigen → Mijn dossiers', () => {
  it('the Aanvraag page offers the CSV route beside Aanvragen', async () => {
    const res = await jan.get(paths.aanvraag).expect(200);
    const aanvraag = page(res.text);
    expect(aanvraag.link('Aanvragen')).toBe('/terugbetaling/nieuw/werkgever');
    expect(aanvraag.link('Meerdere aanvragen via CSV-bestand')).toBe('/meerdere-aanvragen');
  });

  it('the page explains the columns in an accessible table and offers the template', async () => {
    const res = await jan.get(paths.bulk).expect(200);
    const bulk = page(res.text);
    expect(bulk.title).toBe('Meerdere aanvragen via CSV-bestand – WSE-loket');
    expect(bulk.$('h1')).toHaveLength(1);
    const columns = bulk.table('Kolommen van het CSV-bestand');
    expect(columns.headers).toEqual(['Nr.', 'Kolom (kopregel)', 'Verplicht', 'Wat vult u in?', 'Voorbeeld']);
    expect(columns.rows.map((r) => r[1])).toEqual(COLUMNS.map((c) => c.header));
    expect(bulk.$('tbody th[scope=row]')).toHaveLength(COLUMNS.length);
    expect(bulk.main).toContain('Datums schrijft u als dd/mm/jjjj');
    expect(bulk.$('form[enctype="multipart/form-data"] input[type=file]')).toHaveLength(1);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('the template is UTF-8 with a BOM, separated by ; with the Dutch header row', async () => {
    const res = await jan.get(paths.bulkTemplate).buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename=sjabloon-meerdere-aanvragen-vov.csv');
    expect(res.text.startsWith('\uFEFFNummer vestigingseenheid;Naam vestigingseenheid;')).toBe(true);
    expect(csvLines(res.text)).toEqual([COLUMNS.map((c) => c.header).join(';')]);
  });

  it('the template, filled in with three rows, previews without errors and submits nothing yet', async () => {
    const previewPath = await previewOfThreeRows();
    expect(previewPath).toMatch(/^\/meerdere-aanvragen\/\d+$/);
    const preview = await jan.get(previewPath).expect(200);
    const shown = page(preview.text);
    expect(shown.title).toBe('Controleer de aanvragen uit uw bestand – WSE-loket');
    expect(shown.errors).toEqual([]);
    expect([...previewRows(preview.text).entries()]).toEqual([
      [2, []],
      [3, []],
      [4, []],
    ]);
    expect(shown.main).toContain('3 in orde');
    const table = shown.table('Alle regels uit het bestand');
    expect(table.caption).toBe('Alle regels uit het bestand');
    expect(table.rows.map((r) => r[0])).toEqual(['2', '3', '4']);
    expect(table.rows[1][2]).toContain('Heftruckchauffeur; basis');
    expect(table.rows[0][1]).toContain('85.07.30-***.**');
    expect(preview.text).not.toContain('85.07.30-033.28'); // the full INSZ nowhere in the source
    expect(table.rows[0][4]).toBe('€ 596,40'); // 40 h × € 14,91
    expect(await dossiersOf(EMPLOYEES[0].insz)).toHaveLength(0);
  });

  it('Bevestigen needs the declaration on honour: 400, "Fout: " in the title, nothing filed', async () => {
    const res = await confirmPreview(jan, await previewOfThreeRows(), {});
    expect(res.status).toBe(400);
    const shown = page(res.text);
    expect(shown.title).toBe('Fout: Controleer de aanvragen uit uw bestand – WSE-loket');
    expect(shown.errorLinks).toEqual([
      { text: 'Vink aan dat u verklaart dat alle gegevens juist en volledig zijn.', href: '#declaration' },
    ]);
    expect(await t.database.db('dossier').count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('Bevestigen files every row as its own dossier, with receipt mails, and shows the summary receipt', async () => {
    const previewPath = await previewOfThreeRows();
    const res = await confirmPreview(jan, previewPath);
    expect(res.status).toBe(303);
    const receiptPath = res.headers.location;
    expect(receiptPath).toBe(`${previewPath}/ontvangstbevestiging`);
    const dossiers = await t.database.db('dossier').where({ organisation_id: org.id }).orderBy('id');
    expect(dossiers).toHaveLength(3);
    expect(new Set(dossiers.map((d) => d.dossiernummer)).size).toBe(3);
    expect(dossiers.map((d) => [d.employee_last_name, d.training_type, Number(d.vov_hours), d.amount_cents])).toEqual([
      ['Peeters', 'odb', 40, 59640],
      ['Janssens', 'odb', 40, 59640],
      ['El Amrani', 'examencommissie', 16, 23856],
    ]);
    // Each dossier has its own submitted draft, holding the row as the form's step inputs.
    const drafts = await t.database
      .db('refund_draft')
      .whereIn(
        'id',
        dossiers.map((d) => d.draft_id),
      )
      .orderBy('id');
    expect(drafts.every((d) => d.submitted_at !== null)).toBe(true);
    expect(drafts[1].steps.werknemer.twp).toBe('80');
    // Both receipts per dossier (the third employee has no e-mail address), queued in the same transaction.
    const mails = await t.database.db('mail_outbox').orderBy('id').select('to_address', 'kind', 'subject');
    expect(mails.map((m) => m.kind)).toEqual([
      'refund-receipt-employer',
      'refund-receipt-employee',
      'refund-receipt-employer',
      'refund-receipt-employee',
      'refund-receipt-employer',
    ]);
    expect(mails[0].subject).toContain(dossiers[0].dossiernummer);
    const audit = await t.database.db('audit_log').where({ action: 'refund.submitted' }).select('details');
    expect(audit.map((a) => a.details.line)).toEqual([2, 3, 4]);

    const receipt = page((await jan.get(receiptPath).expect(200)).text);
    expect(receipt.title).toBe('Ontvangstbevestiging van uw CSV-bestand – WSE-loket');
    expect(receipt.main).toContain('Aantal dossiers 3');
    for (const d of dossiers) expect(receipt.link(d.dossiernummer)).toBe(`/mijn-dossiers/${d.dossiernummer}`);
    expect(receipt.table('Dossiers uit het bestand').rows.map((r) => r[0])).toEqual(
      dossiers.map((d) => d.dossiernummer),
    );
    expect(receipt.main).toContain('€ 1.431,36');
  });

  it('posting the confirmation again gives the same dossiers, never new ones', async () => {
    const { previewPath, receiptPath } = await confirmedThreeRows();
    const again = await confirmPreview(jan, previewPath);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(receiptPath);
    expect(await t.database.db('dossier').count({ n: '*' }).first()).toEqual({ n: 3 });
    // The preview of a submitted file leads to its receipt.
    expect((await jan.get(previewPath)).headers.location).toBe(receiptPath);
  });

  it('the summary receipt is a PDF listing every dossiernummer', async () => {
    const { receiptPath } = await confirmedThreeRows();
    const res = await jan
      .get(`${receiptPath}.pdf`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(res.body as Buffer);
    const numbers = (await t.database.db('dossier').orderBy('id').select('dossiernummer')).map((d) => d.dossiernummer);
    for (const n of numbers) expect(text).toContain(n);
    expect(text).toContain('Aantal dossiers');
    expect(text).toContain('Veiligheidsco');
    expect(text).toContain('85.07.30-***.**');
    expect(text).not.toContain('85.07.30-033.28');
  });

  it('the new dossiers are in Mijn dossiers and in its CSV export', async () => {
    await confirmedThreeRows();
    const numbers = (await t.database.db('dossier').orderBy('id').select('dossiernummer')).map((d) => d.dossiernummer);
    const list = page((await jan.get(paths.dossiers).expect(200)).text);
    for (const n of numbers) expect(list.link(n)).toBeDefined();
    const csv = csvLines((await jan.get(paths.dossiersExport).buffer(true).expect(200)).text);
    expect(csv).toHaveLength(4);
    for (const n of numbers) expect(csv.some((l) => l.startsWith(`${n};`))).toBe(true);
    expect(csv.find((l) => l.includes('Janssens'))).toContain('"Heftruckchauffeur; basis"');
  });

  it('the receipt’s own CSV lists the dossiers per line of the file', async () => {
    const { receiptPath } = await confirmedThreeRows();
    const res = await jan.get(receiptPath.replace('ontvangstbevestiging', 'dossiers.csv')).buffer(true).expect(200);
    const lines = csvLines(res.text);
    expect(lines[0]).toBe(
      'Regel;Dossiernummer;Werknemer;INSZ (afgeschermd);Opleiding;Schooljaar;Uren;Indicatief bedrag;Status',
    );
    expect(lines.slice(1).map((l) => cellsOf(l)[0])).toEqual(['2', '3', '4']);
  });
});
