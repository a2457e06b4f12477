import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLUMNS } from '../../src/bulk/columns.js';
import { PAGE_SIZE } from '../../src/bulk/routes.js';
import { paths } from '../../src/paths.js';
import type { TestApp } from '../helpers/app.js';
import { memberLoggedIn } from '../helpers/fixture.js';
import type { Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import {
  confirmPreview,
  csvFile,
  csvLines,
  EMPLOYEES,
  inszFor,
  NEW_EMPLOYEE_ROUTE,
  previewOf,
  previewRows,
  uploadFile,
  validRow,
} from './fixtures.js';

let t: TestApp;
let jan: Agent;

// Each test on a database of its own, with the files it uploads itself.
beforeEach(async () => {
  ({ t, agent: jan } = await memberLoggedIn());
});

afterEach(async () => {
  await t.close();
});

const FORMULA = "=cmd|' /C calc'!A0";

describe('a file with valid and invalid rows', () => {
  /** Uploads five rows: two in order (one with a formula as training name), three with problems; the preview's path. */
  const previewOfMixedFile = () =>
    previewOf(
      jan,
      csvFile([
        validRow(), // line 2: in order
        validRow({ ...EMPLOYEES[1], iban: 'BE68 5390 0754 7035', startDate: '01/06/2025', endDate: '30/06/2025' }), // line 3
        validRow({ ...EMPLOYEES[2], trainingName: FORMULA }), // line 4: in order (a name is text), the formula only matters in exports
        validRow(), // line 5: duplicate of line 2
        validRow({ ...EMPLOYEES[3], insz: '90.06.21-178.58', firstName: '@SUM(1+1)' }), // line 6
      ]),
    );

  it('shows every row with its problems by line and column; the title says "Fout: "; one h1', async () => {
    const previewPath = await previewOfMixedFile();
    const res = await jan.get(previewPath).expect(200);
    const shown = page(res.text);
    expect(shown.title).toBe('Fout: Controleer de aanvragen uit uw bestand – WSE-loket');
    expect(shown.$('h1')).toHaveLength(1);
    const rows = previewRows(res.text);
    expect([...rows.keys()]).toEqual([2, 3, 4, 5, 6]);
    expect(rows.get(2)).toEqual([]);
    expect(rows.get(3)).toEqual([
      'IBAN: Dit rekeningnummer klopt niet. Vul BE en 14 cijfers in, bijvoorbeeld BE68 5390 0754 7034, en controleer de cijfers.',
      'Startdatum: De aanvraag moest ten laatste op 01/09/2025 ingediend zijn (3 maanden na de startdatum van de opleiding).' +
        NEW_EMPLOYEE_ROUTE,
    ]);
    expect(rows.get(4)).toEqual([]);
    expect(rows.get(5)).toEqual([
      'ODB-nummer: Voor deze werknemer is er al een aanvraag voor deze opleiding in het schooljaar 2025-2026 (regel 2 van dit bestand). Per werknemer, opleiding en schooljaar kunt u maar één aanvraag indienen.',
    ]);
    expect(rows.get(6)?.[0]).toMatch(/^INSZ werknemer: Dit INSZ-nummer klopt niet/);
    // The error summary names each column once, with the number of rows, and links to the first row.
    expect(shown.errors).toEqual([
      'Kolom "IBAN": een probleem op regel 3',
      'Kolom "INSZ werknemer": een probleem op regel 6',
      'Kolom "ODB-nummer": een probleem op regel 5',
      'Kolom "Startdatum": een probleem op regel 3',
    ]);
    expect(shown.errorLinks[0].href).toBe(`${previewPath}?toon=fouten#regel-3`);
    expect(shown.main).toContain('2 in orde');
    expect(shown.main).toContain('3 met fouten');
    // What was typed is shown as text, escaped.
    expect(res.text).toContain('=cmd|&#39; /C calc&#39;!A0');
    const table = shown.table('Alle regels uit het bestand');
    expect(table.rows[2][2]).toContain(FORMULA);
    expect(table.rows[4][1]).toContain('@SUM(1+1)');
  });

  it('shows only the rows with problems on request (a GET link, without JavaScript)', async () => {
    const previewPath = await previewOfMixedFile();
    const res = await jan.get(`${previewPath}?toon=fouten`).expect(200);
    expect([...previewRows(res.text).keys()]).toEqual([3, 5, 6]);
    const shown = page(res.text);
    expect(shown.table().caption).toBe('Regels met fouten uit het bestand');
    expect(shown.$('a[aria-current=page]').text()).toBe('Alleen regels met fouten (3)');
  });

  it('the invalid rows download as CSV with an error column; formulas are neutralised', async () => {
    const previewPath = await previewOfMixedFile();
    const res = await jan.get(`${previewPath}/fouten.csv`).buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename=fouten-aanvragen.csv');
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    const lines = csvLines(res.text);
    expect(lines[0]).toBe(['Fouten', ...COLUMNS.map((c) => c.header)].join(';'));
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(
      /^"?Regel 3: IBAN: Dit rekeningnummer klopt niet\..* \| Startdatum: De aanvraag moest ten laatste op 01\/09\/2025/,
    );
    expect(lines[3]).toContain(";'@SUM(1+1);");
    expect(lines.join('\n')).not.toMatch(/(^|;)"?[=+\-@]/m);
  });

  it('the corrected error file can be uploaded as it is (the error column is ignored)', async () => {
    const previewPath = await previewOfMixedFile();
    const errors = (await jan.get(`${previewPath}/fouten.csv`).buffer(true)).text;
    const fixed = errors
      .replace('BE68 5390 0754 7035', 'BE68 5390 0754 7034')
      .replace(/01\/06\/2025/, '01/10/2025')
      .replace('30/06/2025', '30/06/2026')
      .replace('90.06.21-178.58', '90.06.21-178.57');
    const again = await previewOf(jan, Buffer.from(fixed, 'utf8'));
    // Every row is in order now; the former duplicate too, as its first row is in another file, not a dossier.
    const res = await jan.get(again);
    expect([...previewRows(res.text).entries()]).toEqual([
      [2, []],
      [3, []],
      [4, []],
    ]);
    expect(page(res.text).errors).toEqual([]);
    expect(page(res.text).title).toBe('Controleer de aanvragen uit uw bestand – WSE-loket');
  });

  it('Bevestigen files only the valid rows; the formula stays neutralised in every export', async () => {
    const previewPath = await previewOfMixedFile();
    const res = await confirmPreview(jan, previewPath);
    expect(res.status).toBe(303);
    const dossiers = await t.database.db('dossier').orderBy('id').select('dossiernummer', 'training_name');
    expect(dossiers.map((d) => d.training_name)).toEqual(['Veiligheidscoördinator niveau A', FORMULA]);
    const receiptCsv = csvLines((await jan.get(`${previewPath}/dossiers.csv`).buffer(true).expect(200)).text);
    expect(receiptCsv[2]).toContain(`;'=cmd|' /C calc'!A0;`);
    const overview = csvLines((await jan.get(paths.dossiersExport).buffer(true).expect(200)).text);
    expect(overview.find((l) => l.includes('cmd|'))).toContain(`;'=cmd|' /C calc'!A0;`);
    for (const text of [receiptCsv, overview].flat()) expect(text).not.toMatch(/(^|;)"?[=+\-@]/);
  });
});

describe('files that can not be read are refused on the upload page with a clear message', () => {
  async function refusal(data: Buffer, filename = 'aanvragen.csv'): Promise<string[]> {
    const res = await uploadFile(jan, data, filename);
    expect(res.status).toBe(400);
    const shown = page(res.text);
    expect(shown.title).toBe('Fout: Meerdere aanvragen via CSV-bestand – WSE-loket');
    expect(shown.errorLinks.map((l) => l.href)).toEqual(['#bestand']);
    expect(shown.fieldError('CSV-bestand met uw aanvragen')).toBe(shown.errors[0]);
    return shown.errors;
  }

  it('no file chosen', async () => {
    const token = page((await jan.get(paths.bulk)).text).csrf;
    const res = await jan.post(paths.bulk).field('_csrf', token);
    expect(res.status).toBe(400);
    expect(page(res.text).errors).toEqual(['Kies het CSV-bestand met uw aanvragen.']);
  });

  it('an empty file and a binary file', async () => {
    expect(await refusal(Buffer.alloc(0))).toEqual(['Het bestand is leeg. Kies het ingevulde CSV-bestand.']);
    expect(
      (await refusal(Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31 + 7) % 256)), 'foto.csv'))[0],
    ).toMatch(/^Dit bestand is geen CSV-bestand/);
    expect((await refusal(Buffer.from('PK\x03\x04xlsx', 'latin1'), 'aanvragen.xlsx'))[0]).toMatch(
      /^Dit is een Excel-bestand/,
    );
  });

  it('missing and extra columns', async () => {
    const keys = COLUMNS.map((c) => c.key).filter((k) => k !== 'iban');
    expect(await refusal(csvFile([validRow()], { keys: [...keys, 'Kostenplaats'] }))).toEqual([
      'De kopregel van het bestand klopt niet. Deze kolom ontbreekt: "IBAN". Deze kolom kennen we niet: "Kostenplaats". Verwijder ze of geef ze de naam uit het sjabloon. De volgorde van de kolommen mag u kiezen.',
    ]);
  });

  it('more than 5 000 rows', async () => {
    const rows = Array.from({ length: 5001 }, (_, i) => validRow({ insz: inszFor(i) }));
    expect(await refusal(csvFile(rows))).toEqual([
      'Het bestand bevat 5.001 aanvragen. U kunt er hoogstens 5.000 per bestand opladen. Verdeel ze over meerdere bestanden.',
    ]);
  });

  it('more than 5 MB (up to the 10 MB any upload may have)', async () => {
    const big = Buffer.concat([csvFile([validRow()]), Buffer.alloc(5 * 1024 * 1024, 0x0a)]);
    expect(await refusal(big)).toEqual([
      'Het bestand is groter dan 5 MB. Verdeel de aanvragen over meerdere bestanden van hoogstens 5 MB en 5.000 regels.',
    ]);
  });

  it('more than 10 MB: the upload is cut off, and the page speaks of the CSV limit', async () => {
    const token = page((await jan.get(paths.bulk)).text).csrf;
    const res = await jan
      .post(paths.bulk)
      .field('_csrf', token)
      .attach('bestand', Buffer.alloc(11 * 1024 * 1024, 0x41), 'groot.csv');
    expect(res.status).toBe(413);
    expect(page(res.text).main).toContain(
      'Een CSV-bestand met aanvragen mag hoogstens 5 MB groot zijn en 5.000 regels hebben.',
    );
  });

  it('nothing of a refused file is stored', async () => {
    const before = await t.database.db('bulk_upload').count({ n: '*' }).first();
    await refusal(Buffer.alloc(0));
    expect(await t.database.db('bulk_upload').count({ n: '*' }).first()).toEqual(before);
  });
});

describe('a file saved by Excel on Windows (Windows-1252) is read with a notice', () => {
  it('shows the accents right and asks to check them', async () => {
    const text = csvFile([validRow({ ...EMPLOYEES[4], firstName: 'Zoë', lastName: 'Françoise', odbNumber: '4444' })], {
      bom: false,
    }).toString('utf8');
    const latin = Buffer.from(text, 'latin1');
    // 'latin1' would have mangled the ë of "coördinator" too: rebuild it byte by byte as Windows-1252.
    const cp1252 = Buffer.from([...text].map((ch) => ch.charCodeAt(0)));
    expect(latin.equals(cp1252)).toBe(true);
    const previewPath = await previewOf(jan, cp1252);
    const res = await jan.get(previewPath).expect(200);
    const shown = page(res.text);
    expect(shown.notices[0]).toContain(
      'Uw bestand is niet als UTF-8 bewaard. We hebben het gelezen als Windows-1252 (ANSI)',
    );
    const [row] = shown.table('Alle regels uit het bestand').rows;
    expect(row[1]).toContain('Zoë Françoise');
    expect(row[2]).toContain('Veiligheidscoördinator niveau A');
    expect([...previewRows(res.text).values()]).toEqual([[]]);
  });
});

describe('paging of a large preview', () => {
  it(`shows ${PAGE_SIZE} rows a page with links that keep the filter`, async () => {
    const rows = Array.from({ length: PAGE_SIZE + 5 }, (_, i) =>
      validRow({ insz: inszFor(i), iban: i % 2 ? 'BE00' : 'BE68 5390 0754 7034', odbNumber: '7777' }),
    );
    const previewPath = await previewOf(jan, csvFile(rows));
    const first = await jan.get(previewPath).expect(200);
    expect(previewRows(first.text).size).toBe(PAGE_SIZE);
    const pager = page(first.text).$('nav.pager');
    expect(pager.find('p').text()).toBe(`1 tot ${PAGE_SIZE} van ${PAGE_SIZE + 5}`);
    expect(page(first.text).link('Volgende pagina')).toBe(`${previewPath}?pagina=2`);
    const second = await jan.get(`${previewPath}?pagina=2`).expect(200);
    expect([...previewRows(second.text).keys()]).toEqual([102, 103, 104, 105, 106]);
    const invalid = await jan.get(`${previewPath}?toon=fouten`).expect(200);
    expect(previewRows(invalid.text).size).toBe(52);
    expect(page(invalid.text).link('Volgende pagina')).toBeUndefined();
    // A page number past the end shows the last page.
    expect([...previewRows((await jan.get(`${previewPath}?pagina=99`)).text).keys()][0]).toBe(102);
  });
});

describe('what newcomers stumbled on in the preview (issue 19)', () => {
  it('puts each problem on the column it is about, all of a row at once, in the row, the summary and the download', async () => {
    const file = csvFile([
      // line 2: 40 % in 2024-2025 (under 50 %) and a start date too long ago: each at its own column.
      validRow({ ...EMPLOYEES[1], twp: '40', startDate: '01/06/2025', endDate: '30/06/2025' }),
      // line 3: an invalid INSZ does not hide a training below the minimum size.
      validRow({ ...EMPLOYEES[2], insz: '98.47.28-997.66', sizeAmount: '20' }),
      // line 4: 70 % and 20 hours a week in 2025-2026: the percentage and the hours, each at its column.
      validRow({ ...EMPLOYEES[3], twp: '70', weeklyHours: '20' }),
    ]);
    const previewPath = await previewOf(jan, file);
    const res = await jan.get(previewPath).expect(200);
    const rows = previewRows(res.text);
    expect(rows.get(2)).toEqual([
      expect.stringMatching(
        /^Tewerkstellingspercentage: Het tewerkstellingspercentage van de werknemer \(40 %\) is te laag\. Voor het schooljaar 2024-2025 moet de werknemer minstens 50 %/,
      ),
      'Startdatum: De aanvraag moest ten laatste op 01/09/2025 ingediend zijn (3 maanden na de startdatum van de opleiding).' +
        NEW_EMPLOYEE_ROUTE,
    ]);
    expect(rows.get(3)).toEqual([
      expect.stringMatching(/^INSZ werknemer: Dit INSZ-nummer klopt niet/),
      expect.stringMatching(/^Omvang: De opleiding is te klein/),
    ]);
    expect(rows.get(4)).toEqual([
      expect.stringMatching(
        /^Tewerkstellingspercentage: Het tewerkstellingspercentage van de werknemer \(70 %\) is te laag\. Voor het schooljaar 2025-2026/,
      ),
      expect.stringMatching(/^Arbeidsuren per week: De werknemer werkt gemiddeld 20 uur per week; dat is te weinig\./),
    ]);
    expect(page(res.text).errors).toEqual([
      'Kolom "INSZ werknemer": een probleem op regel 3',
      'Kolom "Tewerkstellingspercentage": een probleem op 2 regels, de eerste op regel 2',
      'Kolom "Arbeidsuren per week": een probleem op regel 4',
      'Kolom "Startdatum": een probleem op regel 2',
      'Kolom "Omvang": een probleem op regel 3',
    ]);
    const download = csvLines((await jan.get(`${previewPath}/fouten.csv`).buffer(true).expect(200)).text);
    expect(download[1]).toMatch(/^"?Regel 2: Tewerkstellingspercentage: .* \| Startdatum: /);
    expect(download[3]).toMatch(/^"?Regel 4: Tewerkstellingspercentage: .* \| Arbeidsuren per week: /);
  });

  it('explains hours capped at what is left of the personal maximum, as the form does', async () => {
    // 80 %: a maximum of 100 hours; the first row takes 80, the second training of 40 hours gets the 20 left.
    const file = csvFile([
      validRow({ ...EMPLOYEES[4], twp: '80', odbNumber: '801', sizeAmount: '80' }),
      validRow({ ...EMPLOYEES[4], twp: '80', odbNumber: '802', sizeAmount: '40' }),
    ]);
    const [first, second] = page((await jan.get(await previewOf(jan, file)).expect(200)).text).table(
      'Alle regels uit het bestand',
    ).rows;
    expect(second[5]).toBe(
      'In orde 20 uur van de 40 uur van de opleiding: beperkt tot wat overblijft van het persoonlijk maximum.',
    );
    expect(first[5]).toBe('In orde');
  });
});
