import { formatCount } from '../domain/money.js';
import { COLUMNS, columnForHeader, ERRORS_HEADER, normaliseHeader, type ColumnKey } from './columns.js';
import { decodeWindows1252 } from '../domain/windows-1252.js';

/**
 * Reading an uploaded CSV file: bytes → text (encoding), text → records (RFC 4180 with `;`), records →
 * rows keyed by column (header check). Every refusal is one Dutch sentence that says what to do.
 */

export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_ROWS = 5000;

export type Encoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

export interface ParsedRow {
  /** The line in the file where the row starts (the header is line 1). */
  line: number;
  cells: Record<ColumnKey, string>;
  /** A problem with the row as a whole (more values than columns). */
  rowProblem: string | null;
}

export type ReadResult =
  { ok: true; rows: ParsedRow[]; encoding: Encoding; notices: string[] } | { ok: false; message: string };

const TEMPLATE_ADVICE =
  'Gebruik het sjabloon van deze pagina en bewaar het in Excel als "CSV UTF-8 (gescheiden door lijstscheidingstekens)".';

// ---------------------------------------------------------------------------------------------
// Bytes → text

function startsWith(data: Buffer, bytes: number[]): boolean {
  return data.length >= bytes.length && bytes.every((b, i) => data[i] === b);
}

type Decoded = { ok: true; text: string; encoding: Encoding; notice: string | null } | { ok: false; message: string };

/**
 * UTF-8 (with or without BOM) as the template is; UTF-16 with a BOM (Excel's "Unicode-tekst"); anything
 * else that is not valid UTF-8 is read as Windows-1252, Excel's "CSV (gescheiden door lijstscheidingsteken)"
 * on a Belgian Windows PC, with a notice to check the accents. Spreadsheets and other binary files are refused.
 */
export function decodeUpload(data: Buffer): Decoded {
  if (data.length === 0) return { ok: false, message: 'Het bestand is leeg. Kies het ingevulde CSV-bestand.' };
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04]) || startsWith(data, [0xd0, 0xcf, 0x11, 0xe0])) {
    return {
      ok: false,
      message: `Dit is een Excel-bestand, geen CSV-bestand. Kies in Excel "Opslaan als" en dan "CSV UTF-8 (gescheiden door lijstscheidingstekens)", en laad dat bestand op.`,
    };
  }
  if (startsWith(data, [0x25, 0x50, 0x44, 0x46]))
    return { ok: false, message: `Dit is een PDF-bestand, geen CSV-bestand. ${TEMPLATE_ADVICE}` };

  let decoded: Decoded;
  if (startsWith(data, [0xef, 0xbb, 0xbf])) {
    try {
      decoded = {
        ok: true,
        text: new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(3)),
        encoding: 'utf-8',
        notice: null,
      };
    } catch {
      return {
        ok: false,
        message: `Het bestand zegt dat het UTF-8 is, maar het bevat tekens die geen geldige UTF-8 zijn. ${TEMPLATE_ADVICE}`,
      };
    }
  } else if (startsWith(data, [0xff, 0xfe]) || startsWith(data, [0xfe, 0xff])) {
    const encoding = data[0] === 0xff ? 'utf-16le' : 'utf-16be';
    decoded = { ok: true, text: new TextDecoder(encoding).decode(data.subarray(2)), encoding, notice: null };
  } else {
    try {
      decoded = {
        ok: true,
        text: new TextDecoder('utf-8', { fatal: true }).decode(data),
        encoding: 'utf-8',
        notice: null,
      };
    } catch {
      decoded = {
        ok: true,
        text: decodeWindows1252(data),
        encoding: 'windows-1252',
        notice:
          'Uw bestand is niet als UTF-8 bewaard. We hebben het gelezen als Windows-1252 (ANSI), zoals Excel op Windows bewaart. ' +
          'Controleer hieronder of namen met accenten (zoals é, ë of ç) juist staan. Bewaar het bestand de volgende keer als "CSV UTF-8".',
      };
    }
  }
  if (looksBinary(decoded.text))
    return {
      ok: false,
      message: `Dit bestand is geen CSV-bestand (het bevat geen leesbare tekst). ${TEMPLATE_ADVICE}`,
    };
  return decoded;
}

/** NUL bytes, or more than 1 % control characters other than tab and line ends. */
function looksBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  // eslint-disable-next-line no-control-regex
  const controls = text.match(/[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/g)?.length ?? 0;
  return controls > 0 && controls > text.length / 100;
}

// ---------------------------------------------------------------------------------------------
// Text → records

export interface CsvRecord {
  line: number;
  cells: string[];
}

export type ParsedCsv = { ok: true; records: CsvRecord[]; separator: string } | { ok: false; message: string };

/** `;` unless the first line has none and has tabs or commas instead (a file saved with other settings). */
export function detectSeparator(text: string): string {
  let inQuotes = false;
  const counts: Record<string, number> = { ';': 0, '\t': 0, ',': 0 };
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && ch in counts) counts[ch]++;
  }
  if (counts[';'] > 0) return ';';
  if (counts['\t'] > 0) return '\t';
  if (counts[','] > 0) return ',';
  return ';';
}

/**
 * RFC 4180 with a chosen separator: quoted cells may hold separators, line breaks and doubled quotes; line
 * ends are CRLF, LF or CR. Each record carries the line it starts on. A quote that is never closed is an
 * error with that line; a stray quote inside an unquoted cell is kept as text (as Excel does).
 */
export function parseCsv(text: string, separator: string): ParsedCsv {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let cellStart = true;
  const endRecord = () => {
    cells.push(cell);
    records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
    cellStart = true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cellStart) {
      quoted = true;
      quoteLine = line;
      cellStart = false;
    } else if (ch === separator) {
      cells.push(cell);
      cell = '';
      cellStart = true;
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += ch;
      cellStart = false;
    }
  }
  if (quoted) {
    return {
      ok: false,
      message: `Op regel ${formatCount(quoteLine)} begint een waarde met een aanhalingsteken (") dat nergens gesloten wordt. Sluit het aanhalingsteken, of verwijder het.`,
    };
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return { ok: true, records, separator };
}

// ---------------------------------------------------------------------------------------------
// Records → rows

/** Our CSV exports put a quote before a value a spreadsheet would run (=, +, -, @); read it back without. */
function withoutFormulaGuard(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

function isBlank(cells: readonly string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

function headerList(headers: string[]): string {
  return headers.map((h) => `"${h}"`).join(', ');
}

/** Reads an uploaded file into rows, or gives the one reason it can't be read. */
export function readBulkFile(data: Buffer): ReadResult {
  if (data.length > MAX_FILE_BYTES) {
    return {
      ok: false,
      message: `Het bestand is groter dan 5 MB. Verdeel de aanvragen over meerdere bestanden van hoogstens 5 MB en ${formatCount(MAX_ROWS)} regels.`,
    };
  }
  const decoded = decodeUpload(data);
  if (!decoded.ok) return decoded;
  let text = decoded.text.replace(/^\uFEFF/, '');
  let separator: string | null = null;
  // Excel's own hint line "sep=;" names the separator.
  const sepLine = /^sep=(.)\r?\n/i.exec(text);
  let lineOffset = 0;
  if (sepLine) {
    separator = sepLine[1];
    text = text.slice(sepLine[0].length);
    lineOffset = 1;
  }
  if (text.trim() === '') return { ok: false, message: 'Het bestand is leeg. Kies het ingevulde CSV-bestand.' };
  const parsed = parseCsv(text, separator ?? detectSeparator(text));
  if (!parsed.ok) return parsed;
  const records = parsed.records.map((r) => ({ ...r, line: r.line + lineOffset }));
  const headerIndex = records.findIndex((r) => !isBlank(r.cells));
  if (headerIndex < 0) return { ok: false, message: 'Het bestand is leeg. Kies het ingevulde CSV-bestand.' };
  const header = records[headerIndex];

  if (header.cells.length > COLUMNS.length + 20) {
    return {
      ok: false,
      message: `De kopregel heeft ${formatCount(header.cells.length)} kolommen; het sjabloon heeft er ${COLUMNS.length}. ${TEMPLATE_ADVICE}`,
    };
  }
  // The header: every column of the layout exactly once, in any order; our own error column is ignored.
  const indexOf = new Map<ColumnKey, number>();
  const unknown: string[] = [];
  const duplicate: string[] = [];
  const unnamed: number[] = [];
  header.cells.forEach((text, i) => {
    if (text.trim() === '') return unnamed.push(i);
    if (normaliseHeader(text) === normaliseHeader(ERRORS_HEADER)) return;
    const column = columnForHeader(text);
    if (!column) unknown.push(text.trim());
    else if (indexOf.has(column.key)) duplicate.push(column.header);
    else indexOf.set(column.key, i);
  });
  const missing = COLUMNS.filter((c) => !indexOf.has(c.key)).map((c) => c.header);
  if (indexOf.size === 0) {
    return {
      ok: false,
      message: `De eerste regel van het bestand moet de kopregel van het sjabloon zijn, met de namen van de kolommen. ${TEMPLATE_ADVICE}`,
    };
  }
  const headerProblems: string[] = [];
  if (missing.length)
    headerProblems.push(
      `${missing.length === 1 ? 'Deze kolom ontbreekt' : `Deze ${missing.length} kolommen ontbreken`}: ${headerList(missing)}.`,
    );
  if (unknown.length)
    headerProblems.push(
      `${unknown.length === 1 ? 'Deze kolom kennen we niet' : 'Deze kolommen kennen we niet'}: ${headerList(unknown)}. Verwijder ze of geef ze de naam uit het sjabloon.`,
    );
  if (duplicate.length)
    headerProblems.push(
      `${duplicate.length === 1 ? 'Deze kolom staat' : 'Deze kolommen staan'} twee keer in de kopregel: ${headerList(duplicate)}.`,
    );
  if (headerProblems.length)
    return {
      ok: false,
      message: `De kopregel van het bestand klopt niet. ${headerProblems.join(' ')} De volgorde van de kolommen mag u kiezen.`,
    };

  const dataRecords = records.slice(headerIndex + 1).filter((r) => !isBlank(r.cells));
  for (const i of unnamed) {
    const used = dataRecords.find((r) => (r.cells[i] ?? '').trim() !== '');
    if (used)
      return {
        ok: false,
        message: `Kolom ${i + 1} heeft geen naam in de kopregel, maar op regel ${formatCount(used.line)} staat er een waarde in. Geef de kolom de naam uit het sjabloon, of maak ze leeg.`,
      };
  }
  if (dataRecords.length === 0)
    return {
      ok: false,
      message:
        'Het bestand bevat alleen de kopregel en nog geen aanvragen. Vul per aanvraag één regel in onder de kopregel.',
    };
  if (dataRecords.length > MAX_ROWS) {
    return {
      ok: false,
      message: `Het bestand bevat ${formatCount(dataRecords.length)} aanvragen. U kunt er hoogstens ${formatCount(MAX_ROWS)} per bestand opladen. Verdeel ze over meerdere bestanden.`,
    };
  }

  const width = header.cells.length;
  const rows = dataRecords.map((r): ParsedRow => {
    const cells = {} as Record<ColumnKey, string>;
    for (const c of COLUMNS) cells[c.key] = withoutFormulaGuard(r.cells[indexOf.get(c.key)!] ?? '');
    const extra = r.cells.slice(width).filter((c) => c.trim() !== '').length;
    const rowProblem = extra
      ? `Deze regel heeft ${r.cells.length} waarden, maar de kopregel heeft ${width} kolommen. Staat er een ${parsed.separator === '\t' ? 'tab' : parsed.separator} te veel, of een tekst met een ${parsed.separator === '\t' ? 'tab' : parsed.separator} zonder aanhalingstekens?`
      : null;
    return { line: r.line, cells, rowProblem };
  });
  return { ok: true, rows, encoding: decoded.encoding, notices: decoded.notice ? [decoded.notice] : [] };
}
