/**
 * CSV for Excel in nl-BE: UTF-8 with a byte-order mark (else Excel guesses Windows-1252), `;` as separator
 * (the Belgian list separator) and CRLF line ends.
 */
const BOM = '\uFEFF';
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

export function toCsv(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>,
): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(SEPARATOR));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
