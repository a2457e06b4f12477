import { z } from 'zod';
import { parseDateNl, type IsoDate } from '../domain/dates.js';
import { parseDecimalNl } from '../domain/money.js';
import { pickFields } from '../http/form-body.js';

/**
 * One object schema per field list, made once: zod compiles an object schema on its first parse, which costs
 * more than the parse itself when a schema is built per request, or per row of a 5 000-row CSV upload.
 */
const inputObjects = new WeakMap<readonly string[], z.ZodObject>();

function inputObject<F extends string>(fields: readonly F[]) {
  let schema = inputObjects.get(fields);
  if (!schema) {
    schema = z.object(Object.fromEntries(fields.map((f) => [f, z.string()])));
    inputObjects.set(fields, schema);
  }
  return schema as z.ZodObject<Record<F, z.ZodString>>;
}

/** The zod input shape of a step: the listed fields as strings (missing ones become ''). */
export function stepInput<F extends string>(fields: readonly F[]) {
  return z.preprocess((body) => pickFields(fields, body), inputObject(fields));
}

/** A step schema bound to the context of one judgement (see contextStep): what steps.ts and the tests parse with. */
export interface StepSchema<T> {
  safeParse(input: unknown): z.ZodSafeParseResult<T>;
  parse(input: unknown): T;
}

/**
 * A step whose rules read a context (the organisation's units, the steps before, the prior dossiers …): the
 * zod schema is built ONCE, over the pair { input, context }, and each judgement binds its context with
 * `schema(context)`. Building a schema per judgement cost more than the parse itself (a form page judges four
 * of them, a 5 000-row upload twenty thousand). Issues keep the field as their path, as with stepInput.
 */
export function contextStep<F extends string, C, T>(
  fields: readonly F[],
  judge: (raw: Record<F, string>, zctx: z.RefinementCtx, context: C) => T,
) {
  const schema = z
    .object({ input: stepInput(fields), context: z.custom<C>() })
    .transform(({ input, context }, zctx) => judge(input as Record<F, string>, zctx, context as C));
  return (context: C): StepSchema<T> => ({
    safeParse: (input) => schema.safeParse({ input, context }) as z.ZodSafeParseResult<T>,
    parse: (input) => schema.parse({ input, context }) as T,
  });
}

const EMAIL = z.email();
const MAX_TEXT = 200;

/**
 * Reads typed values out of a step's raw strings inside a zod transform, recording one Dutch issue per
 * field (with the field as path). All problems of a page are found in one pass, so the user sees them
 * all at once instead of one after the other.
 */
export class FieldReader<F extends string> {
  private readonly failedFields = new Set<string>();

  constructor(
    private readonly raw: Record<F, string>,
    private readonly ctx: z.RefinementCtx,
  ) {}

  get ok(): boolean {
    return this.failedFields.size === 0;
  }

  /** Records a problem on a field (the first one per field is what the user sees). */
  issue(field: F, message: string): null {
    this.ctx.addIssue({ code: 'custom', message, path: [field] });
    this.failedFields.add(field);
    return null;
  }

  /** Records a problem at a field of another step (a channel that shows all steps at once, e.g. a CSV row). */
  issueAt(path: string, message: string): null {
    this.ctx.addIssue({ code: 'custom', message, path: [path] });
    this.failedFields.add(path);
    return null;
  }

  failed(field: F): boolean {
    return this.failedFields.has(field);
  }

  value(field: F): string {
    return this.raw[field].trim();
  }

  isEmpty(field: F): boolean {
    return this.value(field) === '';
  }

  text(field: F, requiredMessage: string, max = MAX_TEXT): string | null {
    const v = this.value(field);
    if (v === '') return this.issue(field, requiredMessage);
    if (v.length > max) return this.issue(field, `Gebruik hoogstens ${max} tekens.`);
    return v;
  }

  optionalText(field: F, max = MAX_TEXT): string | null {
    const v = this.value(field);
    if (v.length > max) return this.issue(field, `Gebruik hoogstens ${max} tekens.`);
    return v === '' ? null : v;
  }

  choice<T extends string>(field: F, options: readonly T[], message: string): T | null {
    const v = this.value(field);
    return (options as readonly string[]).includes(v) ? (v as T) : this.issue(field, message);
  }

  /** A date typed as dd/mm/jjjj; `label` completes "Vul … in", e.g. 'de startdatum'. */
  date(field: F, label: string, options: { optional?: boolean } = {}): IsoDate | null {
    const v = this.value(field);
    if (v === '')
      return options.optional ? null : this.issue(field, `Vul ${label} in als dd/mm/jjjj, bijvoorbeeld 01/09/2025.`);
    return (
      parseDateNl(v) ??
      this.issue(
        field,
        `${capitalise(label)} is geen bestaande datum. Vul ze in als dd/mm/jjjj, bijvoorbeeld 01/09/2025.`,
      )
    );
  }

  /** A decimal number typed with a comma or a point, within bounds; messages complete "Vul … in". */
  decimal(
    field: F,
    label: string,
    bounds: { min: number; max: number; minExclusive?: boolean; integer?: boolean },
  ): number | null {
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

  email(field: F, label: string, options: { optional?: boolean } = {}): string | null {
    const v = this.value(field);
    if (v === '') return options.optional ? null : this.issue(field, `Vul ${label} in.`);
    if (v.length > 254 || !EMAIL.safeParse(v).success)
      return this.issue(field, `Vul ${label} in zoals naam@voorbeeld.be.`);
    return v;
  }

  /** An identifier checked by a domain normaliser (KBO, INSZ, IBAN …): null from it means "not valid". */
  identifier(
    field: F,
    normalise: (v: string) => string | null,
    messages: { required?: string; invalid: string },
  ): string | null {
    const v = this.value(field);
    if (v === '') return messages.required ? this.issue(field, messages.required) : null;
    return normalise(v) ?? this.issue(field, messages.invalid);
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
