import { Router } from 'express';
import { formatPeriodNl, type RetentionData } from '../domain/retention-data.js';
import { paths } from '../paths.js';

export interface PrivacyRouteDeps {
  /** The same table the purge enforces: the statement shows its periods. */
  retention: RetentionData;
}

/** The privacyverklaring: public, the same for anyone, its retention periods rendered from the retention data. */
export function privacyRoutes({ retention }: PrivacyRouteDeps): Router {
  const router = Router();
  const periods = retention.rules.map((r) => ({ ...r, period: formatPeriodNl(r.period) }));
  router.get(paths.privacy, (req, res) => {
    // The layout shows a logged-in user's name and organisation: never keep such a page in a cache.
    if (req.auth) res.setHeader('Cache-Control', 'no-store');
    res.render('privacy/privacyverklaring.njk', { periods, retention, controller: retention.controller });
  });
  return router;
}
