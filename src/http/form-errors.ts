import type { z } from 'zod';
import { pickFields } from './form-body.js';

/** The one error shape of every form: it feeds both the error summary and the message above each field. */
export interface FormError {
  text: string;
  href: string;
}

/** zod issues → form errors: the first message per field, in the order the schema reported them. */
export function formErrors(error: z.ZodError): FormError[] {
  const seen = new Set<string>();
  const out: FormError[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '');
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ text: issue.message, href: `#${field}` });
  }
  return out;
}

export type FormResult<T> = ({ ok: true; data: T } | { ok: false; errors: FormError[] }) & {
  /** The schema's fields as posted, for showing the form again: strings only (a repeated field is ''). */
  values: Record<string, string>;
};

/** Validates a posted form: only the schema's fields, each a single string (the CSRF token is not one of them). */
export function parseForm<S extends z.ZodObject>(schema: S, body: unknown): FormResult<z.output<S>> {
  const values = pickFields(Object.keys(schema.shape), body);
  const parsed = schema.safeParse(values);
  return parsed.success
    ? { ok: true, data: parsed.data, values }
    : { ok: false, errors: formErrors(parsed.error), values };
}
