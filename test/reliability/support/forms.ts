/**
 * Hostile form input: values, bodies (urlencoded with repeated keys, or multipart written by hand), and the
 * checks every answer to them must pass (no server error, no internals, Dutch messages, answers kept).
 */
import fc from 'fast-check';
import { page, type Page } from '../../helpers/page.js';

/** Strings an attacker or a clumsy paste produces. */
export const SPECIAL_VALUES = [
  "O'Brien",
  `Robert'); DROP TABLE dossier;--`,
  `' OR '1'='1`,
  `1; SELECT pg_sleep(5); --`,
  `\\'; DELETE FROM person WHERE ''='`,
  '%_\\%',
  '$1 $$ ?? ::jsonb',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(document.cookie)>',
  "javascript:alert('x')",
  '{{ 7*7 }} {% raw %}',
  'Jan\r\nBcc: evil@attacker.example',
  'a\u0000b',
  '\u202Eevil\u202C',
  '𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧 ﷽',
  '   ',
  '',
  '-1',
  '1e309',
  'NaN',
  '99999999999999999999999',
  '31/02/2025',
  '00/00/0000',
  '../../etc/passwd',
  "=cmd|' /C calc'!A0",
  'x'.repeat(201),
  'é'.repeat(3000),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_VALUES) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 150, maxLength: 4000 }) },
);

/** One field's hostile shape: a scalar, the key repeated (an array on the server), or the field left out. */
export type HostileValue =
  { kind: 'scalar'; value: string } | { kind: 'array'; values: string[] } | { kind: 'missing' };

export const hostileValue: fc.Arbitrary<HostileValue> = fc.oneof(
  { weight: 5, arbitrary: hostileString.map((value) => ({ kind: 'scalar' as const, value })) },
  {
    weight: 1,
    arbitrary: fc
      .array(hostileString, { minLength: 2, maxLength: 3 })
      .map((values) => ({ kind: 'array' as const, values })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const }) },
);

/** Keys a form does not have (extra fields), some with a meaning in JavaScript. */
export const extraKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'admin',
    'organisation_id',
    'status',
    'a[b]',
    'x.y',
    '',
  ),
  fc.string({ minLength: 1, maxLength: 20 }).filter((k) => k !== '_csrf'),
);

export interface HostileForm {
  /** Which of the form's fields were replaced, and how. */
  replaced: Record<string, HostileValue>;
  extra: [string, string][];
  multipart: boolean;
}

/** A form: a non-empty set of its fields replaced by hostile values, the others valid; extra fields; urlencoded or multipart. */
export function hostileForm(fields: readonly string[]): fc.Arbitrary<HostileForm> {
  const replaced =
    fields.length === 0
      ? fc.constant({})
      : fc.dictionary(fc.constantFrom(...fields), hostileValue, { minKeys: 1, maxKeys: Math.min(fields.length, 5) });
  return fc.record({
    replaced,
    extra: fc.array(fc.tuple(extraKey, hostileString), { maxLength: 3 }),
    multipart: fc.boolean(),
  }) as fc.Arbitrary<HostileForm>;
}

/** The posted entries: valid values for the untouched fields, the hostile ones, the extra ones and the token. */
export function entriesOf(
  form: HostileForm,
  valid: Record<string, string>,
  token: string,
  fixed: Record<string, string> = {},
): [string, string][] {
  const entries: [string, string][] = [];
  for (const [k, v] of Object.entries(valid)) if (!(k in form.replaced)) entries.push([k, v]);
  for (const [k, v] of Object.entries(form.replaced)) {
    if (v.kind === 'scalar') entries.push([k, v.value]);
    else if (v.kind === 'array') for (const x of v.values) entries.push([k, x]);
  }
  for (const [k, v] of Object.entries(fixed)) entries.push([k, v]);
  entries.push(...form.extra.filter(([k]) => !(k in valid) && !(k in fixed)));
  entries.push(['_csrf', token]);
  return entries;
}

/**
 * The string the server reads for a field after the body parsers: as sent, without NUL characters. A repeated
 * key is a list in a urlencoded body (no string: null) and its first value in a multipart one; a missing field is null.
 */
export function postedValue(form: HostileForm, valid: Record<string, string>, field: string): string | null {
  const v = form.replaced[field];
  if (!v) return field in valid ? valid[field] : null;
  if (v.kind === 'missing') return null;
  const s = v.kind === 'scalar' ? v.value : form.multipart ? v.values[0] : null;
  // eslint-disable-next-line no-control-regex -- the NUL the app removes
  return s === null ? null : wellFormed(s).replace(/\u0000/g, '');
}

/** What a refund step stores for a field: the posted string, or '' when there was none. */
export function expectedField(form: HostileForm, valid: Record<string, string>, field: string): string {
  return postedValue(form, valid, field) ?? '';
}

/** Whether the value shown back can be checked (a urlencoded list has no "as typed" form a browser could send). */
export function checkable(form: HostileForm, field: string): boolean {
  const v = form.replaced[field];
  return !(v?.kind === 'array' && !form.multipart);
}

/** Lone surrogates cannot travel in UTF-8: the encoders send U+FFFD instead. */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export function urlencoded(entries: [string, string][]): string {
  const p = new URLSearchParams();
  for (const [k, v] of entries) p.append(k, v);
  return p.toString();
}

/** A multipart/form-data body written by hand (so repeated keys, odd names and raw bytes are possible). */
export function multipartBody(
  entries: [string, string][],
  files: { field: string; filename: string; type: string; data: Buffer }[] = [],
): { body: Buffer; contentType: string } {
  const boundary = `----hostile${Math.random().toString(16).slice(2)}`;
  // As browsers write names and file names (HTML standard): " CR LF percent-encoded, nothing else escaped.
  const quote = (s: string) => s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const parts: Buffer[] = [];
  for (const [k, v] of entries)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(k)}"\r\n\r\n${wellFormed(v)}\r\n`,
        'utf8',
      ),
    );
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(f.field)}"; filename="${quote(f.filename)}"\r\nContent-Type: ${f.type}\r\n\r\n`,
        'utf8',
      ),
      f.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const STACK =
  /\bat [\w.$<>]+ \(|\bat (file|node):|node_modules|\/src\/[\w/-]+\.ts|\.ts:\d+:\d+|TypeError|ReferenceError|SyntaxError|ZodError|Knex|pg-protocol/;
const ENGLISH =
  /Invalid input|Invalid (string|email|date)|Expected |expected (string|number|array)|Required\b|Too (small|big)|must (be|contain)|received (undefined|array|object)|String must/i;

/** Whether a page shows the error summary ("Er is een probleem met uw antwoorden"), with or without messages. */
export function hasErrorSummary(p: Page): boolean {
  return p
    .$('[role=alert] h2')
    .toArray()
    .some((h) =>
      /^Er (is een probleem|zijn \d+ problemen) met uw antwoorden$/.test(p.$(h).text().replace(/\s+/g, ' ').trim()),
    );
}

/**
 * What of a page could show internals: the text a reader gets and every attribute value (decoded, as the browser
 * has them), the page's scripts left out. A leak check, so it looks at more than the visible text.
 */
function readableSource(p: Page): string[] {
  const $ = p.$;
  $('script').remove();
  const attributes = $('*')
    .toArray()
    .flatMap((el) => ('attribs' in el ? Object.values(el.attribs) : []));
  return [$.root().text(), ...attributes];
}

/** Problems with an answer to hostile input: a server error, internals on the page, or a message not in Dutch. */
export function answerProblems(status: number, html: string, allowed: number[]): string[] {
  const problems: string[] = [];
  if (!allowed.includes(status)) problems.push(`status ${status} (allowed: ${allowed.join(', ')})`);
  const shown = page(html);
  const messages = shown.errors;
  const summary = hasErrorSummary(shown);
  const internals = readableSource(shown)
    .map((text) => STACK.exec(text)?.[0])
    .find(Boolean);
  if (internals) problems.push(`internals on the page: ${internals}`);
  if (status === 400 && summary && messages.length === 0) problems.push('an error summary without messages');
  for (const m of messages) if (ENGLISH.test(m)) problems.push(`a message not in Dutch: "${m}"`);
  return problems;
}

/** A value as the browser holds it after parsing the page: line breaks as LF (an HTML parser turns CR LF and CR into LF). */
const asParsed = (value: string): string => value.replace(/\r\n?/g, '\n');

/**
 * Whether a page shows `expected` back in the field named `field` (its name attribute, as the form posts it), read
 * from the parsed page: a text field holds it as its value; of radios and check boxes the one with that value is
 * checked (none when no option has it). Null when all is well or the field is not on the page (a hidden field, one
 * shown only for another choice, or a select).
 */
export function shownProblem(html: string, field: string, expected: string): string | null {
  const { $ } = page(html);
  const named = (selector: string) =>
    $(selector)
      .toArray()
      .filter((el) => $(el).attr('name') === field && $(el).attr('type') !== 'hidden');
  const differs = (shown: string, typed: string) =>
    `${field}: shows ${JSON.stringify(shown.slice(0, 80))}, typed ${JSON.stringify(typed.slice(0, 80))}`;
  const inputs = named('input');
  if (inputs.length) {
    const choices = inputs.filter((el) => $(el).is('[type=radio], [type=checkbox]'));
    if (choices.length) {
      const checked = choices.filter((el) => $(el).is('[checked]')).map((el) => $(el).attr('value') ?? '');
      const want = choices.map((el) => $(el).attr('value') ?? '').includes(expected) ? [expected] : [];
      return JSON.stringify(checked) === JSON.stringify(want)
        ? null
        : `${field}: checked ${JSON.stringify(checked)}, expected ${JSON.stringify(want)}`;
    }
    const shown = $(inputs[0]).attr('value') ?? '';
    return shown === asParsed(expected) ? null : differs(shown, expected);
  }
  const [area] = named('textarea');
  if (!area) return null;
  const shown = $(area).text();
  return shown === asParsed(expected) ? null : differs(shown, expected);
}
