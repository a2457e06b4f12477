/**
 * CSV for Excel in nl-BE: UTF-8 with a byte-order mark (else Excel guesses Windows-1252), `;` as separator
 * (the Belgian list separator) and CRLF line ends.
 */
export const CSV_BOM = '\uFEFF';
const SEPARATOR = ';';

/**
 * Cells that a spreadsheet would run as a formula get a leading quote (CSV/formula injection, OWASP): also
 * the fullwidth ＝ ＋ － ＠, which spreadsheets in East Asian locales read as = + - @. Every CSV file of the
 * portal is written through this one rule.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[";\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row with its line end (a streamed file is CSV_BOM, then the header's line, then a line per row). */
export function csvLine(row: ReadonlyArray<string | number | null | undefined>): string {
  return `${row.map(csvCell).join(SEPARATOR)}\r\n`;
}

export function toCsv(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>,
): string {
  return `${CSV_BOM}${[header, ...rows].map(csvLine).join('')}`;
}
