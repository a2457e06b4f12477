import type { RequestHandler } from 'express';
import type { Db } from '../db/knex.js';
import { HttpError } from './errors.js';

export interface RateLimitOptions {
  name: string;
  limit: number;
  windowSeconds: number;
  /** The app's clock (tests pin it). */
  now: () => Date;
  /** What is counted: by default the client address, req.ip (which proxies' X-Forwarded-For counts: TRUST_PROXY). */
  key?: (req: Parameters<RequestHandler>[0]) => string;
}

/**
 * Counts a hit in the key's window, which opens at the first hit after the previous window ended; returns the
 * hits so far and when the window ends. In PostgreSQL, so every instance behind the load balancer shares it;
 * the privacy job deletes old rows.
 */
export async function hit(
  db: Db,
  key: string,
  windowSeconds: number,
  now: Date,
): Promise<{ hits: number; endsAt: Date }> {
  const { rows } = await db.raw<{ rows: { hits: number; window_start: Date }[] }>(
    `INSERT INTO rate_limit AS r (key, window_start, hits) VALUES (:key, :now, 1)
     ON CONFLICT (key) DO UPDATE
        SET window_start = CASE WHEN r.window_start > :opened THEN r.window_start ELSE :now END,
            hits = CASE WHEN r.window_start > :opened THEN r.hits + 1 ELSE 1 END
     RETURNING hits, window_start`,
    { key, now, opened: new Date(now.getTime() - windowSeconds * 1000) },
  );
  return { hits: rows[0].hits, endsAt: new Date(rows[0].window_start.getTime() + windowSeconds * 1000) };
}

export function rateLimit(db: Db, options: RateLimitOptions): RequestHandler {
  return async (req, res, next) => {
    try {
      const who = options.key ? options.key(req) : (req.ip ?? 'unknown');
      const now = options.now();
      const { hits, endsAt } = await hit(db, `${options.name}:${who}`, options.windowSeconds, now);
      if (hits > options.limit) {
        // The window frees its slots when it ends.
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil((endsAt.getTime() - now.getTime()) / 1000))));
        return next(new HttpError(429));
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}
