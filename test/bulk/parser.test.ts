import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COLUMNS } from '../../src/bulk/columns.js';
import {
  decodeUpload,
  detectSeparator,
  MAX_FILE_BYTES,
  MAX_ROWS,
  parseCsv,
  readBulkFile,
} from '../../src/bulk/parser.js';
import { templateCsv } from '../../src/bulk/service.js';
import { toCsv } from '../../src/dossiers/csv.js';
import { csvFile, manyRows, validRow } from './fixtures.js';
import { decodeWindows1252 } from '../../src/domain/windows-1252.js';

function refused(data: Buffer): string {
  const r = readBulkFile(data);
  if (r.ok) throw new Error('the file was accepted');
  return r.message;
}

function accepted(data: Buffer) {
  const r = readBulkFile(data);
  if (!r.ok) throw new Error(r.message);
  return r;
}

describe('CSV records', () => {
  it('reads quoted cells with separators, doubled quotes and line breaks; each record knows its first line', () => {
    const r = parseCsv('a;b\r\n"x;y";"zeg ""ja"""\r\n"regel 1\nregel 2";z\nlaatste;"\r\n"\r\n', ';');
    expect(r).toEqual({
      ok: true,
      separator: ';',
      records: [
        { line: 1, cells: ['a', 'b'] },
        { line: 2, cells: ['x;y', 'zeg "ja"'] },
        { line: 3, cells: ['regel 1\nregel 2', 'z'] },
        { line: 5, cells: ['laatste', '\r\n'] },
      ],
    });
  });

  it('takes CR, LF and CRLF line ends and a missing last line end', () => {
    expect(parseCsv('a\rb\nc\r\nd', ';')).toMatchObject({
      records: [{ line: 1 }, { line: 2 }, { line: 3 }, { line: 4, cells: ['d'] }],
    });
  });

  it('keeps a stray quote inside a cell as text, and refuses a quote that is never closed, with its line', () => {
    expect(parseCsv('5" scherm;b', ';')).toMatchObject({ records: [{ cells: ['5" scherm', 'b'] }] });
    expect(parseCsv('a;b\r\nc;"open\r\nnog open', ';')).toEqual({
      ok: false,
      message: expect.stringMatching(/^Op regel 2 begint een waarde met een aanhalingsteken/),
    });
  });

  it('reads back what our CSV export writes, whatever the text (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', ';', '"', '\n', '\r', ' ', '=', '€', '1', ',') });
    fc.assert(
      fc.property(fc.array(fc.array(text, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 }), (rows) => {
        const csv = toCsv(['kolom 1', 'kolom 2'], rows).replace(/^\uFEFF/, '');
        const parsed = parseCsv(csv, ';');
        if (!parsed.ok) return false;
        const unguard = (v: string) => (/^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v);
        expect(parsed.records.slice(1).map((r) => r.cells.map(unguard))).toEqual(rows);
        return true;
      }),
    );
  });

  it('uses ; unless the first line has only tabs or commas', () => {
    expect(detectSeparator('a;b,c\r\n')).toBe(';');
    expect(detectSeparator('a,b,"c;d"\r\n1;2')).toBe(',');
    expect(detectSeparator('a\tb\r\n')).toBe('\t');
  });
});

describe('encodings', () => {
  const row = validRow({ firstName: 'Zoë', lastName: 'Françoise', trainingName: 'Opleiding € en “quotes”' });

  it('reads UTF-8 with or without BOM', () => {
    for (const bom of [true, false]) {
      const r = accepted(csvFile([row], { bom }));
      expect(r.encoding).toBe('utf-8');
      expect(r.notices).toEqual([]);
      expect(r.rows[0].cells.firstName).toBe('Zoë');
    }
  });

  it('reads a file that is not UTF-8 as Windows-1252 (Excel "CSV" on Windows), with a notice to check the accents', () => {
    const text = csvFile([row], { bom: false }).toString('utf8');
    const cp1252 = Buffer.from([...text].map((ch) => ({ '€': 0x80, '“': 0x93, '”': 0x94 })[ch] ?? ch.charCodeAt(0)));
    const r = accepted(cp1252);
    expect(r.encoding).toBe('windows-1252');
    expect(r.notices[0]).toMatch(/^Uw bestand is niet als UTF-8 bewaard\. We hebben het gelezen als Windows-1252/);
    expect(r.rows[0].cells).toMatchObject({
      firstName: 'Zoë',
      lastName: 'Françoise',
      trainingName: 'Opleiding € en “quotes”',
    });
    expect(decodeWindows1252(Buffer.from([0x80, 0x85, 0xe9]))).toBe('€…é');
  });

  it('reads UTF-16 with a BOM (Excel "Unicode-tekst", separated by tabs)', () => {
    const text = csvFile([row], { bom: false, separator: '\t' }).toString('utf8');
    const r = accepted(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(r.encoding).toBe('utf-16le');
    expect(r.rows[0].cells.lastName).toBe('Françoise');
  });

  it('refuses a file that claims UTF-8 with its BOM but is not', () => {
    expect(refused(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Naam;\xe9', 'latin1')]))).toMatch(
      /^Het bestand zegt dat het UTF-8 is/,
    );
  });

  it('refuses spreadsheets, PDFs and other binary files with what to do', () => {
    expect(refused(Buffer.from('PK\x03\x04rest of a zip', 'latin1'))).toMatch(
      /^Dit is een Excel-bestand, geen CSV-bestand\. Kies in Excel "Opslaan als"/,
    );
    expect(refused(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]))).toMatch(/^Dit is een Excel-bestand/);
    expect(refused(Buffer.from('%PDF-1.7\n...'))).toMatch(/^Dit is een PDF-bestand/);
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    expect(refused(random)).toMatch(/^Dit bestand is geen CSV-bestand \(het bevat geen leesbare tekst\)/);
    expect(decodeUpload(Buffer.from('a;b\u0000c'))).toMatchObject({ ok: false });
  });
});

describe('the file as a whole', () => {
  it('the template is the header row; filled in, it maps every column to its field', () => {
    const r = accepted(Buffer.from(templateCsv() + COLUMNS.map((c) => validRow()[c.key]).join(';') + '\r\n', 'utf8'));
    expect(r.rows).toEqual([{ line: 2, cells: validRow(), rowProblem: null }]);
  });

  it('takes the columns in any order, headers without case or extra spaces, and skips empty lines', () => {
    const keys = [...COLUMNS.map((c) => c.key)].reverse();
    const headers = keys.map((k) => `  ${COLUMNS.find((c) => c.key === k)!.header.toUpperCase()} `);
    const file = Buffer.from(
      csvFile([validRow(), validRow({ firstName: 'Tweede' })], { keys, headers })
        .toString('utf8')
        .replace('\r\n', '\r\n;;;\r\n\r\n'),
    );
    const r = accepted(file);
    expect(r.rows.map((x) => [x.line, x.cells.firstName])).toEqual([
      [4, 'Eva'],
      [5, 'Tweede'],
    ]);
  });

  it('refuses an empty file, a file with only the header, and a file without our header', () => {
    expect(refused(Buffer.alloc(0))).toBe('Het bestand is leeg. Kies het ingevulde CSV-bestand.');
    expect(refused(Buffer.from('\uFEFF\r\n;;\r\n'))).toBe('Het bestand is leeg. Kies het ingevulde CSV-bestand.');
    expect(refused(Buffer.from(templateCsv()))).toMatch(/^Het bestand bevat alleen de kopregel en nog geen aanvragen/);
    expect(refused(Buffer.from('Eva;Peeters;85.07.30-033.28\r\n'))).toMatch(
      /^De eerste regel van het bestand moet de kopregel van het sjabloon zijn/,
    );
  });

  it('names the missing columns', () => {
    const keys = COLUMNS.map((c) => c.key).filter((k) => k !== 'bic' && k !== 'startDate');
    expect(refused(csvFile([validRow()], { keys }))).toBe(
      'De kopregel van het bestand klopt niet. Deze 2 kolommen ontbreken: "BIC", "Startdatum". De volgorde van de kolommen mag u kiezen.',
    );
  });

  it('names the columns it does not know, and columns that appear twice', () => {
    const keys = [...COLUMNS.map((c) => c.key), 'Opmerking', 'iban'];
    expect(refused(csvFile([validRow()], { keys }))).toBe(
      'De kopregel van het bestand klopt niet. Deze kolom kennen we niet: "Opmerking". Verwijder ze of geef ze de naam uit het sjabloon. ' +
        'Deze kolom staat twee keer in de kopregel: "IBAN". De volgorde van de kolommen mag u kiezen.',
    );
  });

  it('refuses a header with far more columns than the template', () => {
    expect(refused(Buffer.from(`${'x;'.repeat(100_000)}x\r\n`))).toBe(
      `De kopregel heeft 100.001 kolommen; het sjabloon heeft er ${COLUMNS.length}. Gebruik het sjabloon van deze pagina en bewaar het in Excel als "CSV UTF-8 (gescheiden door lijstscheidingstekens)".`,
    );
  });

  it('ignores our own error column and empty unnamed columns; refuses an unnamed column with values', () => {
    const keys = ['Fouten', ...COLUMNS.map((c) => c.key), ''];
    const ok = accepted(csvFile([{ ...validRow(), Fouten: 'Regel 2: IBAN: …' }], { keys }));
    expect(ok.rows[0].cells.iban).toBe('BE68 5390 0754 7034');
    expect(refused(csvFile([{ ...validRow(), '': 'iets' }], { keys }))).toBe(
      `Kolom ${COLUMNS.length + 2} heeft geen naam in de kopregel, maar op regel 2 staat er een waarde in. Geef de kolom de naam uit het sjabloon, of maak ze leeg.`,
    );
  });

  it('flags a line with more values than the header as a problem of that row', () => {
    const text = csvFile([validRow()]).toString('utf8').replace(/\r\n$/, ';extra\r\n');
    const r = accepted(Buffer.from(text));
    expect(r.rows[0].rowProblem).toBe(
      `Deze regel heeft ${COLUMNS.length + 1} waarden, maar de kopregel heeft ${COLUMNS.length} kolommen. Staat er een ; te veel, of een tekst met een ; zonder aanhalingstekens?`,
    );
  });

  it('reads the quote our exports put before a formula-like value back without it', () => {
    const r = accepted(
      csvFile([validRow({ contactPhone: "'+32 9 123 45 67", trainingName: "'=SOM(A1)", providerName: "'t Gasthuis" })]),
    );
    expect(r.rows[0].cells).toMatchObject({
      contactPhone: '+32 9 123 45 67',
      trainingName: '=SOM(A1)',
      providerName: "'t Gasthuis",
    });
  });

  it('takes Excel’s "sep=" line', () => {
    const r = accepted(
      Buffer.from(`sep=,\r\n${csvFile([validRow()], { bom: false, separator: ',' }).toString('utf8')}`),
    );
    expect(r.rows[0].line).toBe(3);
  });

  it(`takes ${MAX_ROWS} rows and refuses ${MAX_ROWS + 1}, saying how many there are`, () => {
    expect(accepted(csvFile(manyRows(MAX_ROWS))).rows).toHaveLength(MAX_ROWS);
    expect(refused(csvFile(manyRows(MAX_ROWS + 1)))).toBe(
      'Het bestand bevat 5.001 aanvragen. U kunt er hoogstens 5.000 per bestand opladen. Verdeel ze over meerdere bestanden.',
    );
  });

  it('refuses a file over 5 MB before reading it', () => {
    const big = Buffer.concat([csvFile([validRow()]), Buffer.alloc(MAX_FILE_BYTES, 0x20)]);
    expect(refused(big)).toBe(
      'Het bestand is groter dan 5 MB. Verdeel de aanvragen over meerdere bestanden van hoogstens 5 MB en 5.000 regels.',
    );
  });
});
