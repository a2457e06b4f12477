import { z } from 'zod';
import { parseDateNl, type IsoDate } from '../../domain/dates.js';
import { parseDecimalNl } from '../../domain/money.js';
import type { FormError } from '../../http/form-errors.js';

/** What judging a step gives: its typed data, or the problems to show (the first one per field). */
export type StepResult<T> = { ok: true; data: T } | { ok: false; errors: FormError[] };

const EMAIL = z.email();
const MAX_TEXT = 200;

/**
 * Reads typed values out of a step's typed strings, recording one Dutch problem per field. Every read returns
 * undefined when its field has a problem, so all problems of a page are found in one pass and the user sees
 * them all at once; null is an optional answer left empty.
 */
export class FieldReader<F extends string> {
  readonly errors: FormError[] = [];
  private readonly failedFields = new Set<string>();

  constructor(private readonly raw: Record<F, string>) {}

  /**
   * The step's data when no problem was recorded. Values are undefined only for a field with a problem, so
   * without problems none is.
   */
  result<V extends object>(values: V): StepResult<{ [K in keyof V]: Exclude<V[K], undefined> }> {
    if (this.errors.length > 0) return { ok: false, errors: this.errors };
    return { ok: true, data: values as { [K in keyof V]: Exclude<V[K], undefined> } };
  }

  /**
   * Records a problem at a field; the first one per field is what the user sees. A field of another step is
   * possible too (a channel that shows all steps at once, e.g. a CSV row).
   */
  issue(field: string, message: string): undefined {
    if (!this.failedFields.has(field)) this.errors.push({ text: message, href: `#${field}` });
    this.failedFields.add(field);
    return undefined;
  }

  failed(field: F): boolean {
    return this.failedFields.has(field);
  }

  value(field: F): string {
    return this.raw[field].trim();
  }

  text(field: F, requiredMessage: string, max = MAX_TEXT): string | undefined {
    const v = this.value(field);
    if (v === '') return this.issue(field, requiredMessage);
    if (v.length > max) return this.issue(field, `Gebruik hoogstens ${max} tekens.`);
    return v;
  }

  optionalText(field: F, max = MAX_TEXT): string | null | undefined {
    const v = this.value(field);
    if (v.length > max) return this.issue(field, `Gebruik hoogstens ${max} tekens.`);
    return v === '' ? null : v;
  }

  choice<T extends string>(field: F, options: readonly T[], message: string): T | undefined {
    const v = this.value(field);
    return options.find((o) => o === v) ?? this.issue(field, message);
  }

  /** A date typed as dd/mm/jjjj; `label` completes "Vul … in", e.g. 'de startdatum'. */
  date(field: F, label: string): IsoDate | undefined {
    const v = this.value(field);
    if (v === '') return this.issue(field, `Vul ${label} in als dd/mm/jjjj, bijvoorbeeld 01/09/2025.`);
    return (
      parseDateNl(v) ??
      this.issue(
        field,
        `${label.charAt(0).toUpperCase()}${label.slice(1)} is geen bestaande datum. Vul ze in als dd/mm/jjjj, bijvoorbeeld 01/09/2025.`,
      )
    );
  }

  optionalDate(field: F, label: string): IsoDate | null | undefined {
    return this.value(field) === '' ? null : this.date(field, label);
  }

  /** A decimal number typed with a comma or a point, within bounds; messages complete "Vul … in". */
  decimal(
    field: F,
    label: string,
    bounds: { min: number; max: number; minExclusive?: boolean; integer?: boolean },
  ): number | undefined {
    const v = this.value(field);
    if (v === '') return this.issue(field, `Vul ${label} in.`);
    const n = parseDecimalNl(v);
    const tooLow = n !== null && (bounds.minExclusive ? n <= bounds.min : n < bounds.min);
    if (n === null || tooLow || n > bounds.max || (bounds.integer && !Number.isInteger(n))) {
      const kind = bounds.integer ? 'een geheel getal' : 'een getal';
      const lower = bounds.minExclusive ? `groter dan ${bounds.min}` : `van minstens ${bounds.min}`;
      return this.issue(field, `Vul ${label} in als ${kind} ${lower} en hoogstens ${bounds.max}.`);
    }
    return n;
  }

  email(field: F, label: string): string | undefined {
    const v = this.value(field);
    if (v === '') return this.issue(field, `Vul ${label} in.`);
    if (v.length > 254 || !EMAIL.safeParse(v).success)
      return this.issue(field, `Vul ${label} in zoals naam@voorbeeld.be.`);
    return v;
  }

  optionalEmail(field: F, label: string): string | null | undefined {
    return this.value(field) === '' ? null : this.email(field, label);
  }

  /** An identifier checked by a domain normaliser (KBO, INSZ, IBAN …): null from it means "not valid". */
  identifier(field: F, normalise: (v: string) => string | null, messages: { required: string; invalid: string }) {
    const v = this.value(field);
    if (v === '') return this.issue(field, messages.required);
    return normalise(v) ?? this.issue(field, messages.invalid);
  }

  /** An identifier that may be left empty (null). */
  optionalIdentifier(field: F, normalise: (v: string) => string | null, invalid: string): string | null | undefined {
    const v = this.value(field);
    return v === '' ? null : (normalise(v) ?? this.issue(field, invalid));
  }
}
