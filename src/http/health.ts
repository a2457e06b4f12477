import { Router } from 'express';
import type { Db } from '../db/knex.js';
import { migrationsApplied } from '../db/migrate.js';
import { paths } from '../paths.js';

/**
 * /healthz: the process answers. /readyz, for a load balancer: the database answers, the schema is current, and
 * the process is not shutting down (`stopping`: a balancer that asks over a kept-alive connection while this
 * instance drains must take it out of rotation, not hear "ready"). `warnings` (e.g. IdP metadata that could not be
 * re-read while its last good copy stays in use) are listed below "ready": worth an operator's look, not a reason to
 * take the instance out.
 */
export function healthRoutes(
  db: Db,
  stopping: () => boolean = () => false,
  warnings: () => string[] = () => [],
): Router {
  const router = Router();
  let schemaCurrent = false;
  router.get(paths.healthz, (_req, res) => {
    res.type('text/plain').send('ok');
  });
  router.get(paths.readyz, async (_req, res) => {
    if (stopping()) {
      res.status(503).type('text/plain').send('shutting down');
      return;
    }
    try {
      await db.raw('SELECT 1');
      if (!schemaCurrent) schemaCurrent = await migrationsApplied(db);
      if (!schemaCurrent) {
        res.status(503).type('text/plain').send('migrations pending');
        return;
      }
      res.type('text/plain').send(['ready', ...warnings().map((w) => `warning: ${w}`)].join('\n'));
    } catch {
      res.status(503).type('text/plain').send('database unavailable');
    }
  });
  return router;
}
