import type { RequestHandler } from 'express';

// eslint-disable-next-line no-control-regex
const NUL = /\u0000/g;

const clean = (v: unknown): unknown =>
  typeof v === 'string' ? v.replace(NUL, '') : Array.isArray(v) ? v.map(clean) : v;

/**
 * After the body parsers: req.body is always an object of form fields (Express 5 leaves it undefined for a POST
 * without a form body, e.g. JSON with the token in the X-CSRF-Token header, and handlers read fields from it),
 * and no field holds U+0000: PostgreSQL refuses it in text and jsonb (a 500), and no form needs it.
 */
export const formBody: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    req.body = {};
  } else {
    for (const [key, value] of Object.entries(body)) (body as Record<string, unknown>)[key] = clean(value);
  }
  next();
};

/** A form's known fields, each as a string ('' when absent or not a single string, e.g. repeated), nothing else. */
export function pickFields<F extends string>(fields: readonly F[], body: unknown): Record<F, string> {
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const out = {} as Record<F, string>;
  for (const f of fields) {
    const v = source[f];
    out[f] = typeof v === 'string' ? v : '';
  }
  return out;
}
