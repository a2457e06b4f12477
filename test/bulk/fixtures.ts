import type { AnyNode } from 'domhandler';
import { COLUMNS, type ColumnKey } from '../../src/bulk/columns.js';
import { paths } from '../../src/paths.js';
import { csrfTokenFrom } from '../helpers/app.js';
import type { Agent } from '../helpers/login.js';
import { validInput } from '../refund/fixtures.js';
import { page } from '../helpers/page.js';

/** How a refusal for a late start goes on in a file: the route for an employee who is new in service. */
export const NEW_EMPLOYEE_ROUTE =
  ' Een aanvraag na die datum is niet meer mogelijk, tenzij de werknemer tijdens het schooljaar bij u in dienst kwam: ' +
  'vul dan ja in de kolom "Nieuw in dienst" en de datum in de kolom "Datum in dienst". De termijn telt dan ook vanaf die datum.';

export type Cells = Partial<Record<ColumnKey, string>>;

/**
 * A complete, valid row on 15 October 2025 (the refund tests' clock): the form's valid input of every step
 * (test/refund/fixtures.ts), with the unit by its number as the CSV names it, for employee Eva Peeters.
 */
export function validRow(overrides: Cells = {}): Record<ColumnKey, string> {
  const { unitChoice: _byForm, ...werkgever } = validInput.werkgever('');
  return {
    ...werkgever,
    unitNumber: '2.147.812.701',
    ...validInput.werknemer,
    lastName: 'Peeters',
    email: 'eva.peeters@example.be',
    ...validInput.opleiding,
    ...validInput.initiatief,
    ...overrides,
  };
}

/** More valid INSZ numbers (check digits right), for rows of different employees. */
export const EMPLOYEES = [
  { insz: '85.07.30-033.28', firstName: 'Eva', lastName: 'Peeters' },
  { insz: '17.07.30-033.84', firstName: 'Lotte', lastName: 'Janssens' },
  { insz: '98.47.28-997.65', firstName: 'Ahmed', lastName: 'El Amrani' },
  { insz: '90.06.21-178.57', firstName: 'Eva', lastName: 'Werknemer' },
  { insz: '75.04.12-123.53', firstName: 'An', lastName: 'Beheerder' },
  { insz: '68.11.03-045.12', firstName: 'Jan', lastName: 'Werkgever' },
] as const;

function cell(value: string): string {
  return /[";\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A CSV file as Excel in nl-BE writes it: BOM, `;`, CRLF; `headers` to leave out, rename or add columns. */
export function csvFile(
  rows: readonly Record<string, string>[],
  options: { headers?: string[]; keys?: string[]; bom?: boolean; separator?: string; eol?: string } = {},
): Buffer {
  const keys = options.keys ?? COLUMNS.map((c) => c.key);
  const headers = options.headers ?? keys.map((k) => COLUMNS.find((c) => c.key === k)?.header ?? k);
  const sep = options.separator ?? ';';
  const eol = options.eol ?? '\r\n';
  const lines = [headers.map(cell).join(sep), ...rows.map((r) => keys.map((k) => cell(r[k] ?? '')).join(sep))];
  return Buffer.from(`${options.bom === false ? '' : '\uFEFF'}${lines.join(eol)}${eol}`, 'utf8');
}

/** GETs the upload page for its token, then POSTs the file as a browser does (multipart). */
export async function uploadFile(agent: Agent, data: Buffer, filename = 'aanvragen.csv') {
  const form = await agent.get(paths.bulk);
  if (form.status !== 200) throw new Error(`GET ${paths.bulk} answered ${form.status}`);
  return agent
    .post(paths.bulk)
    .field('_csrf', csrfTokenFrom(form.text))
    .attach('bestand', data, { filename, contentType: 'text/csv' });
}

/** Uploads a file that must be accepted; returns the preview's path. */
export async function previewOf(agent: Agent, data: Buffer): Promise<string> {
  const res = await uploadFile(agent, data);
  if (res.status !== 303) throw new Error(`upload answered ${res.status}: ${errorSummaryOf(res.text).join(' | ')}`);
  return res.headers.location as string;
}

/** Bevestigen on the preview (with the declaration unless told otherwise). */
export async function confirmPreview(
  agent: Agent,
  previewPath: string,
  fields: Record<string, string> = { declaration: 'ja' },
) {
  return agent
    .post(`${previewPath}/bevestigen`)
    .type('form')
    .send({ ...fields, _csrf: await tokenOf(agent) });
}

/** The session's CSRF token, from a page every logged-in user can open (the upload page's form). */
export async function tokenOf(agent: Agent): Promise<string> {
  return csrfTokenFrom((await agent.get(paths.bulk)).text);
}

/** The texts of the error summary's links. */
export function errorSummaryOf(html: string): string[] {
  return page(html).errors;
}

/**
 * The rows of the preview's table ("… uit het bestand") as a reader meets them: the line in the row header →
 * the problems listed in its Resultaat cell ("Kolom: message"), [] when the row is in order.
 */
export function previewRows(html: string): Map<number, string[]> {
  const { $ } = page(html);
  const table = $('table').filter((_, t) => $(t).find('caption').text().includes('uit het bestand'));
  const result = table
    .find('thead th')
    .toArray()
    .findIndex((th) => $(th).text().trim() === 'Resultaat');
  if (result < 0) throw new Error('no preview table with a Resultaat column');
  const text = (el: AnyNode) => $(el).text().replace(/\s+/g, ' ').trim();
  return new Map(
    table
      .find('tbody tr')
      .toArray()
      .map((tr) => [
        Number(text($(tr).children('th').get(0)!)),
        $(tr).children('th, td').eq(result).find('li').toArray().map(text),
      ]),
  );
}

/** The lines of a CSV download, without BOM. */
export function csvLines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n$/, '')
    .split('\r\n');
}

/** The i-th of many valid INSZ numbers (born in 1980–1999, counter SSS), written as on the identity card. */
export function inszFor(i: number): string {
  const year = 80 + (i % 20);
  const month = 1 + (Math.floor(i / 20) % 12);
  const day = 1 + (Math.floor(i / 240) % 28);
  const serial = 1 + (Math.floor(i / 6720) % 997);
  const base = `${String(year).padStart(2, '0')}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(serial).padStart(3, '0')}`;
  const check = String(97 - (Number(base) % 97)).padStart(2, '0');
  return `${base.slice(0, 2)}.${base.slice(2, 4)}.${base.slice(4, 6)}-${base.slice(6, 9)}.${check}`;
}

/** `n` valid rows, each a different employee. */
export function manyRows(n: number): Record<string, string>[] {
  return Array.from({ length: n }, (_, i) =>
    validRow({
      insz: inszFor(i),
      firstName: `Werknemer${i}`,
      lastName: `Nummer ${i}`,
      odbNumber: String(10_000 + (i % 50)),
    }),
  );
}
