import type { RequestHandler } from 'express';
import type { Db } from '../db/knex.js';
import { HttpError } from './errors.js';

export interface RateLimitOptions {
  name: string;
  limit: number;
  windowSeconds: number;
  /** What is counted: by default the client address, req.ip (which proxies' X-Forwarded-For counts: TRUST_PROXY). */
  key?: (req: Parameters<RequestHandler>[0]) => string;
}

/** Fixed-window counter in PostgreSQL, so every instance behind the load balancer shares it. */
export async function hit(db: Db, key: string, windowSeconds: number): Promise<number> {
  const { rows } = await db.raw<{ rows: { hits: number }[] }>(
    `INSERT INTO rate_limit (key, window_start, hits)
     VALUES (?, to_timestamp(floor(extract(epoch FROM now()) / ?) * ?), 1)
     ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit.hits + 1
     RETURNING hits`,
    [key, windowSeconds, windowSeconds],
  );
  // Old windows are useless; a rare cleanup keeps the table small without a timer.
  if (Math.random() < 0.01)
    await db('rate_limit').where('window_start', '<', db.raw("now() - interval '1 day'")).delete();
  return rows[0].hits;
}

export function rateLimit(db: Db, options: RateLimitOptions): RequestHandler {
  return async (req, res, next) => {
    try {
      const who = options.key ? options.key(req) : (req.ip ?? 'unknown');
      const hits = await hit(db, `${options.name}:${who}`, options.windowSeconds);
      if (hits > options.limit) {
        res.setHeader('Retry-After', String(options.windowSeconds));
        return next(new HttpError(429));
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}
