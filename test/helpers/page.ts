import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';

/** Text as a reader hears it: whitespace collapsed, ends trimmed. */
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** An accessible name that is `text`, or `text` followed by more words (a visually hidden "voor Eva Werknemer"). */
const named = (name: string, text: string): boolean => name === text || name.startsWith(`${text} `);

export interface Link {
  text: string;
  href: string;
}

export interface Form {
  action: string;
  method: string;
  /** Every named field with the value the browser would send (checked radios and boxes only). */
  fields: Record<string, string>;
  /** The form's own CSRF token. */
  csrf: string;
}

export interface Table {
  caption: string;
  headers: string[];
  /** The body rows, each a list of cell texts. */
  rows: string[][];
}

/**
 * A rendered page read the way a user (or a screen reader) meets it: headings, the error summary, the message of a
 * field found by its label, links and buttons by their text, forms, tables and notices. Tests assert on these
 * instead of on raw HTML, so a class rename or a wrapper element does not break them.
 */
export class Page {
  readonly $: cheerio.CheerioAPI;

  constructor(html: string) {
    this.$ = cheerio.load(html);
    this.$('br').replaceWith(' '); // a line break separates words for a reader
  }

  private textOf(node: cheerio.Cheerio<AnyNode>): string {
    return squash(node.text());
  }

  /** The document title (the browser tab). */
  get title(): string {
    return this.textOf(this.$('title'));
  }

  /** The text of the page's h1. */
  get h1(): string {
    return this.textOf(this.$('h1').first());
  }

  /** Every heading (h1–h4) in document order. */
  get headings(): string[] {
    return this.$('h1, h2, h3, h4')
      .toArray()
      .map((h) => this.textOf(this.$(h)));
  }

  /** The visible text of the main content (whitespace collapsed). */
  get main(): string {
    return this.textOf(this.$('main').length ? this.$('main') : this.$('body'));
  }

  /** The text of the site header (who is logged in, for which organisation). */
  get header(): string {
    return this.textOf(this.$('header').first());
  }

  /** The messages of the error summary, each with the field it links to. */
  get errors(): string[] {
    return this.errorLinks.map((l) => l.text);
  }

  get errorLinks(): Link[] {
    return this.$('[role=alert] li a')
      .toArray()
      .map((a) => ({ text: this.textOf(this.$(a)), href: this.$(a).attr('href') ?? '' }));
  }

  /** Status messages and notices (role=status/alert, and the notice boxes), the error summary excluded. */
  get notices(): string[] {
    return this.$('[role=status], [role=alert], .notice')
      .not('[role=alert]:has(li a)')
      .toArray()
      .map((el) => this.textOf(this.$(el)));
  }

  /** The form control (or fieldset) whose label or legend reads `label` (exactly, or followed by more words). */
  control(label: string): cheerio.Cheerio<AnyNode> {
    const labels = this.$('label, legend').toArray();
    const found =
      labels.find((l) => this.textOf(this.$(l)) === label) ??
      labels.find((l) => this.textOf(this.$(l)).startsWith(`${label} `));
    if (!found) throw new Error(`no field labelled "${label}"; labels: ${labels.map((l) => this.textOf(this.$(l)))}`);
    if (found.tagName === 'legend') return this.$(found).closest('fieldset');
    const id = this.$(found).attr('for');
    return id ? this.$(`[id="${id}"]`) : this.$(found).find('input, select, textarea').first();
  }

  /** The error message a screen reader reads with the field (through aria-describedby), without "Fout:". */
  fieldError(label: string): string | undefined {
    const ids = (this.control(label).attr('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    const message = ids.map((id) => this.textOf(this.$(`[id="${id}"]`))).find((t) => t.startsWith('Fout:'));
    return message?.replace(/^Fout:\s*/, '');
  }

  /** The value a field shows: its text for inputs and text areas, the chosen option or radio for the others. */
  value(label: string): string | undefined {
    const control = this.control(label);
    if (control.is('fieldset')) return control.find('input:checked').attr('value');
    if (control.is('select')) return control.find('option[selected]').attr('value');
    if (control.is('textarea')) return control.text();
    if (control.is('[type=checkbox], [type=radio]')) return control.is('[checked]') ? control.attr('value') : undefined;
    return control.attr('value');
  }

  /** The choices of a radio group (by its legend) or a select (by its label): value and label text. */
  choices(label: string): { value: string; text: string }[] {
    const control = this.control(label);
    if (control.is('select'))
      return control
        .find('option')
        .toArray()
        .map((o) => ({ value: this.$(o).attr('value') ?? '', text: this.textOf(this.$(o)) }));
    return control
      .find('input[type=radio], input[type=checkbox]')
      .toArray()
      .map((i) => ({
        value: this.$(i).attr('value') ?? '',
        text: this.textOf(this.$(`label[for="${this.$(i).attr('id')}"]`)),
      }));
  }

  /** Every link with its accessible text and href. */
  get links(): Link[] {
    return this.$('a[href]')
      .toArray()
      .map((a) => ({ text: this.textOf(this.$(a)), href: this.$(a).attr('href')! }));
  }

  /** The href of the first link named `text` (exactly, else followed by more words); undefined if none. */
  link(text: string): string | undefined {
    const links = this.links;
    return (links.find((l) => l.text === text) ?? links.find((l) => named(l.text, text)))?.href;
  }

  /** The labels of every button (submit buttons and inputs). */
  get buttons(): string[] {
    return this.$('button, input[type=submit]')
      .toArray()
      .map((b) => (b.tagName === 'input' ? (this.$(b).attr('value') ?? '') : this.textOf(this.$(b))));
  }

  /** The form that holds the button labelled `button`, or the form posting to `action` (a path). */
  form(buttonOrAction: string): Form {
    const forms = this.$('form').toArray();
    const form =
      forms.find((f) => this.$(f).attr('action') === buttonOrAction) ??
      forms.find((f) =>
        this.$(f)
          .find('button, input[type=submit]')
          .toArray()
          .some((b) => named(this.textOf(this.$(b)) || this.$(b).attr('value') || '', buttonOrAction)),
      );
    if (!form) throw new Error(`no form with a button or action "${buttonOrAction}"`);
    const fields: Record<string, string> = {};
    for (const el of this.$(form).find('input[name], select[name], textarea[name]').toArray()) {
      const field = this.$(el);
      if (field.is('[type=checkbox], [type=radio]') && !field.is('[checked]')) continue;
      if (field.is('[type=submit], [type=file]')) continue;
      const name = field.attr('name')!;
      if (field.is('select')) fields[name] = field.find('option[selected]').attr('value') ?? '';
      else if (field.is('textarea')) fields[name] = field.text();
      else fields[name] = field.attr('value') ?? '';
    }
    return {
      action: this.$(form).attr('action') ?? '',
      method: (this.$(form).attr('method') ?? 'get').toLowerCase(),
      fields,
      csrf: fields._csrf ?? '',
    };
  }

  /** The CSRF token of the page's first form. */
  get csrf(): string {
    const token = this.$('input[name=_csrf]').first().attr('value');
    if (!token) throw new Error(`no CSRF token in page "${this.title}"`);
    return token;
  }

  /** The table with this caption (or the first table): caption, column headers and body rows as text. */
  table(caption?: string): Table {
    const tables = this.$('table').toArray();
    const table =
      caption === undefined
        ? tables[0]
        : tables.find((t) => this.textOf(this.$(t).find('caption')).startsWith(caption));
    if (!table) throw new Error(`no table${caption ? ` "${caption}"` : ''}`);
    const $t = this.$(table);
    const cells = (row: Element) =>
      this.$(row)
        .children('th, td')
        .toArray()
        .map((c) => this.textOf(this.$(c)));
    const bodyRows = $t.find('tbody tr').length ? $t.find('tbody tr') : $t.find('tr').slice(1);
    return {
      caption: this.textOf($t.find('caption')),
      headers: cells($t.find('tr').first().get(0)!),
      rows: bodyRows.toArray().map(cells),
    };
  }

  /** The rows of the summary lists (dl) as [key, value], the "Wijzigen" links left out. */
  get summary(): [string, string][] {
    return this.$('dt')
      .toArray()
      .map((dt) => [this.textOf(this.$(dt)), this.textOf(this.$(dt).nextAll('dd').first())]);
  }
}

/** Parses a rendered page: `page(res.text).h1`, `.errors`, `.fieldError('IBAN')`, `.link('Mijn dossiers')`. */
export const page = (html: string): Page => new Page(html);

/**
 * The part of a page under the heading with this id, up to the next heading of the same or a higher level, as a
 * page of its own (its `.main`, `.links`, …): what a reader finds in that section of a help page.
 */
export function section(p: Page, headingId: string): Page {
  const heading = p.$(`[id="${headingId}"]`);
  const level = /^h([1-6])$/.exec(heading.get(0)?.tagName ?? '')?.[1];
  if (!level) throw new Error(`no heading with id "${headingId}"`);
  const higher = Array.from({ length: Number(level) }, (_, i) => `h${i + 1}`).join(', ');
  const parts = [
    heading,
    ...heading
      .nextUntil(higher)
      .toArray()
      .map((n) => p.$(n)),
  ];
  return page(`<main>${parts.map((n) => p.$.html(n)).join('')}</main>`);
}

/** The words a page sets in bold (strong): the button names and key terms a text points the reader to. */
export function emphasised(p: Page): string[] {
  return p
    .$('strong')
    .toArray()
    .map((s) => squash(p.$(s).text()));
}

/** The hint a screen reader reads with the field labelled `label` (through aria-describedby), the error left out. */
export function hintOf(p: Page, label: string): string | undefined {
  const ids = (p.control(label).attr('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  return ids.map((id) => squash(p.$(`[id="${id}"]`).text())).find((text) => text !== '' && !text.startsWith('Fout:'));
}
