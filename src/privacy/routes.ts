import { Router } from 'express';
import { formatPeriodNl } from '../domain/retention-data.js';
import { paths } from '../paths.js';
import type { Services } from '../services.js';

/** The privacyverklaring: public, the same for anyone, its retention periods rendered from the table the purge enforces. */
export function privacyRoutes({ retention }: Pick<Services, 'retention'>): Router {
  const router = Router();
  const periods = retention.rules.map((r) => ({ ...r, period: formatPeriodNl(r.period) }));
  router.get(paths.privacy, (req, res) => {
    // The layout shows a logged-in user's name and organisation: never keep such a page in a cache.
    if (req.auth) res.setHeader('Cache-Control', 'no-store');
    res.render('privacy/privacyverklaring.njk', { periods, retention, controller: retention.controller });
  });
  return router;
}
