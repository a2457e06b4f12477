import type { z } from 'zod';

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

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FormError[] };

/** Validates a posted form (only string fields; the CSRF token is ignored by the schema). */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const parsed = schema.safeParse(body ?? {});
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, errors: formErrors(parsed.error) };
}
