import { HttpError } from './errors.js';

/** A numeric id from the URL (1, 2, …); anything that is not one is simply "not found". */
export function positiveId(raw: unknown): number {
  const id = typeof raw === 'string' && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw new HttpError(404);
  return id;
}
