import { Router } from 'express';
import { paths } from '../paths.js';

/** Pages that need no login: the landing page, the accessibility statement, the session time-out notice. */
export function siteRoutes(): Router {
  const router = Router();
  router.get(paths.home, (req, res, next) => {
    if (req.auth) return next(); // logged in: the organisation's home (src/organisations/routes.ts)
    res.render('site/landing.njk');
  });
  router.get(paths.accessibility, (_req, res) => {
    res.render('site/toegankelijkheidsverklaring.njk');
  });
  router.get(paths.sessionExpired, (req, res) => {
    const expired = req.session.expiredNotice === true;
    delete req.session.expiredNotice;
    res.render('site/session-expired.njk', { expired });
  });
  return router;
}
