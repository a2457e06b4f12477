import { Router, type RequestHandler } from 'express';
import { requireLogin } from '../auth/guards.js';
import { safeLocalPath } from '../auth/return-path.js';
import { defaultRules } from '../domain/rules-data.js';
import { helpLink } from '../help/anchors.js';
import { HttpError } from '../http/errors.js';
import { parseForm } from '../http/form-errors.js';
import { noStore } from '../http/security.js';
import { paths } from '../paths.js';
import { countPendingRightRequests } from '../rights/repository.js';
import { markLoggedIn } from './repository.js';
import { chooseOrganisationSchema, OWN_NAME } from './schemas.js';
import { mayActFor, organisationsOf } from './service.js';
import type { Services } from '../services.js';

/**
 * Logged in without a chosen organisation: a GET goes to the choice page and comes back here after it
 * (a mail link to gebruikersbeheer works straight after login). Use before the auth guards.
 */
export const chooseOrganisationFirst: RequestHandler = (req, res, next) => {
  if (!req.auth || req.auth.organisation || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
  const back = safeLocalPath(req.originalUrl);
  res.redirect(303, back ? `${paths.chooseOrganisation}?terug=${encodeURIComponent(back)}` : paths.chooseOrganisation);
};

/** What the "only your own name" guidance needs on every page that shows it. */
const ownNameGuidance = () => ({
  infoline: defaultRules.contact.infoline,
  infolineTeam: defaultRules.contact.infolineTeam,
  ownNameHelp: helpLink('ownNameOnly'),
});

/** Organisation choice right after login, the personal home (own name) and the organisation's home page. */
export function organisationRoutes({ db }: Pick<Services, 'db'>): Router {
  const router = Router();

  router.get(paths.chooseOrganisation, requireLogin, noStore, async (req, res) => {
    const organisations = await organisationsOf(db, req.auth!.person.id);
    const chosen = req.session.organisationId;
    res.render('organisations/choose.njk', {
      organisations,
      // The own name is preselected when it is the only choice.
      current: chosen === null || organisations.length === 0 ? OWN_NAME : chosen,
      terug: safeLocalPath(req.query.terug),
      ...ownNameGuidance(),
    });
  });

  router.post(paths.chooseOrganisation, requireLogin, async (req, res) => {
    const personId = req.auth!.person.id;
    const form = parseForm(chooseOrganisationSchema, req.body);
    const back = safeLocalPath((req.body as Record<string, unknown>)?.terug);
    if (!form.ok) {
      const organisations = await organisationsOf(db, personId);
      return res
        .status(400)
        .render('organisations/choose.njk', { organisations, errors: form.errors, terug: back, ...ownNameGuidance() });
    }
    const organisationId = form.data.keuze;
    // The session only ever holds an organisation the person belongs to; the auth context re-checks it on every request.
    if (organisationId !== null && !(await mayActFor(db, personId, organisationId))) {
      throw new HttpError(
        403,
        'U bent geen gebruiker van deze organisatie. Kies een organisatie uit de lijst op de pagina "Kies voor wie u werkt".',
      );
    }
    if (organisationId !== null) await markLoggedIn(db, personId, organisationId);
    req.session.organisationId = organisationId;
    res.redirect(303, organisationId === null ? paths.personalHome : (back ?? paths.home));
  });

  router.get(paths.personalHome, requireLogin, noStore, async (req, res) => {
    const organisations = await organisationsOf(db, req.auth!.person.id);
    res.render('organisations/personal-home.njk', { hasOrganisations: organisations.length > 0, ...ownNameGuidance() });
  });

  // Anonymous visitors get the landing page (src/site/routes.ts); logged-in users their organisation's home.
  router.get(paths.home, noStore, async (req, res, next) => {
    const auth = req.auth;
    if (!auth) return next();
    if (!auth.organisation)
      return res.redirect(303, req.session.organisationId === null ? paths.personalHome : paths.chooseOrganisation);
    const pendingRequests = auth.isLocalAdmin ? await countPendingRightRequests(db, auth.organisation.id) : 0;
    res.render('organisations/home.njk', { pendingRequests, right: defaultRules.access });
  });

  return router;
}
