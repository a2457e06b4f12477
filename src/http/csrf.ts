import type { Request } from 'express';
import { csrfSync } from 'csrf-sync';

/** Synchroniser-token CSRF protection: the token lives in the session and comes back as the `_csrf` form field. */
export const csrf = csrfSync({
  size: 32,
  getTokenFromRequest: (req: Request) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof fromBody === 'string' ? fromBody : (req.headers['x-csrf-token'] as string | undefined);
  },
});

export const CSRF_ERROR_CODE = 'EBADCSRFTOKEN';
