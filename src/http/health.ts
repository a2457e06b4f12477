import { Router } from 'express';
import type { Db } from '../db/knex.js';
import { migrationsApplied } from '../db/migrate.js';
import { paths } from '../paths.js';

/** /healthz: the process answers. /readyz: the database answers and the schema is current (for a load balancer). */
export function healthRoutes(db: Db): Router {
  const router = Router();
  let schemaCurrent = false;
  router.get(paths.healthz, (_req, res) => {
    res.type('text/plain').send('ok');
  });
  router.get(paths.readyz, async (_req, res) => {
    try {
      await db.raw('SELECT 1');
      if (!schemaCurrent) schemaCurrent = await migrationsApplied(db);
      if (!schemaCurrent) {
        res.status(503).type('text/plain').send('migrations pending');
        return;
      }
      res.type('text/plain').send('ready');
    } catch {
      res.status(503).type('text/plain').send('database unavailable');
    }
  });
  return router;
}
