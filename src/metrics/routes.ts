import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { Gauge, Registry } from 'prom-client';
import type { Db } from '../db/knex.js';
import { paths } from '../paths.js';
import { collectProcessMetrics, httpRequestDuration, processRegistry } from './registry.js';

/** Observes every request's duration under its route pattern (`/mijn-dossiers/:id`), never its concrete URL. */
export const measureRequests: RequestHandler = (req, res, next) => {
  const end = httpRequestDuration.startTimer();
  res.once('finish', () => {
    // Requests no route answered (static files, 404s) share one label, so scanners cannot grow the label set.
    const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : '(no route)';
    end({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
};

interface PoolStats {
  numUsed(): number;
  numPendingAcquires(): number;
}

/** The app's database gauges: read when Prometheus scrapes, so they cost nothing in between. */
function databaseRegistry(db: Db): Registry {
  const registry = new Registry();
  const pool = () => (db.client as { pool?: PoolStats }).pool;
  new Gauge({
    name: 'wse_db_pool_connections_in_use',
    help: 'Database connections lent out by the pool.',
    registers: [registry],
    collect() {
      this.set(pool()?.numUsed() ?? 0);
    },
  });
  new Gauge({
    name: 'wse_db_pool_connections_waiting',
    help: 'Requests waiting for a database connection.',
    registers: [registry],
    collect() {
      this.set(pool()?.numPendingAcquires() ?? 0);
    },
  });
  let outbox: Promise<{ size: number; age: number }> | undefined;
  const readOutbox = () =>
    (outbox ??= db('mail_outbox')
      .whereNull('sent_at')
      .first(
        db.raw('count(*) AS size'),
        db.raw('coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS age'),
      )
      .then((row: { size: number; age: number }) => ({ size: Number(row.size), age: Number(row.age) }))
      .finally(() => (outbox = undefined)));
  new Gauge({
    name: 'wse_mail_outbox_unsent',
    help: 'Mails in the outbox not sent yet.',
    registers: [registry],
    async collect() {
      this.set((await readOutbox()).size);
    },
  });
  new Gauge({
    name: 'wse_mail_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest mail not sent yet (0 when the outbox is empty).',
    registers: [registry],
    async collect() {
      this.set((await readOutbox()).age);
    },
  });
  return registry;
}

function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** GET /metrics in the Prometheus text format, for a scraper holding the Bearer token METRICS_TOKEN. */
export function metricsRoutes(db: Db, token: string): Router {
  collectProcessMetrics();
  const appRegistry = databaseRegistry(db);
  const router = Router();
  router.get(paths.metrics, async (req, res, next) => {
    const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
    if (!sameToken(given, token)) {
      res.status(401).setHeader('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('unauthorized');
      return;
    }
    try {
      const text = (await processRegistry.metrics()) + (await appRegistry.metrics());
      res.setHeader('Cache-Control', 'no-store');
      res.type(processRegistry.contentType).send(text);
    } catch (err) {
      next(err); // the database gauges could not be read: a 503 like any database outage
    }
  });
  return router;
}
