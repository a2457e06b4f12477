import { Router } from 'express';
import { requireOrganisation } from '../auth/guards.js';
import { compareIso, formatDateNl, formatDateTimeNl, todayInBrussels } from '../domain/dates.js';
import { defaultRules } from '../domain/rules-data.js';
import { helpLink } from '../help/anchors.js';
import { rateLimit } from '../http/rate-limit.js';
import { noStore } from '../http/security.js';
import { chooseOrganisationFirst } from '../organisations/routes.js';
import { listLocalAdmins } from '../organisations/repository.js';
import { paths } from '../paths.js';
import { findLatestRight } from './repository.js';
import { VOV_RIGHT } from './service.js';
import type { Services } from '../services.js';

/** Right requests per person per hour (a second click or tab is no new request anyway). */
const REQUESTS_PER_HOUR = 10;

/** The Aanvraag page (Aanvragen, or Gebruikersrecht aanvragen) and the right request itself. */
export function rightsRoutes({ db, rights, now }: Pick<Services, 'db' | 'rights' | 'now'>): Router {
  const router = Router();
  router.use([paths.aanvraag, paths.rightRequest], chooseOrganisationFirst, requireOrganisation, noStore);

  router.get(paths.aanvraag, async (req, res) => {
    const auth = req.auth!;
    const organisationId = auth.organisation!.id;
    if (auth.hasVovRight) return res.render('rights/aanvraag.njk', { state: 'has-right', right: VOV_RIGHT });
    const [request, lastRight] = await Promise.all([
      rights.latestRequest(auth.person.id, organisationId),
      findLatestRight(db, auth.person.id, organisationId, VOV_RIGHT),
    ]);
    // Why a right the person once had is gone: revoked, or past its end date.
    const rightEnded = lastRight
      ? lastRight.revoked_at
        ? { revokedOn: formatDateNl(todayInBrussels(new Date(lastRight.revoked_at))) }
        : lastRight.valid_until && compareIso(lastRight.valid_until, todayInBrussels(now())) < 0
          ? { expiredOn: formatDateNl(lastRight.valid_until) }
          : null
      : null;
    res.render('rights/aanvraag.njk', {
      state: request?.status === 'pending' ? 'pending' : 'can-request',
      right: VOV_RIGHT,
      request: request && {
        status: request.status,
        requestedAt: formatDateTimeNl(new Date(request.requested_at)),
        decidedAt: request.decided_at ? formatDateTimeNl(new Date(request.decided_at)) : null,
        refusalReason: request.refusal_reason,
      },
      rightEnded,
      helpRightRequest: helpLink('rightRequest'),
    });
  });

  // The "no right" page links here; the request itself is a POST from the Aanvraag page.
  router.get(paths.rightRequest, (_req, res) => res.redirect(303, paths.aanvraag));

  router.post(
    paths.rightRequest,
    rateLimit(db, {
      name: 'right-request',
      limit: REQUESTS_PER_HOUR,
      windowSeconds: 3600,
      now,
      key: (req) => String(req.auth!.person.id),
    }),
    async (req, res) => {
      const auth = req.auth!;
      const result = await rights.requestRight({
        personId: auth.person.id,
        organisationId: auth.organisation!.id,
        requestId: String(req.id ?? ''),
      });
      // Already pending or already granted: the Aanvraag page says so; no second request.
      res.redirect(303, result.outcome === 'ok' ? paths.rightRequestSent : paths.aanvraag);
    },
  );

  router.post(paths.rightRequestWithdraw, async (req, res) => {
    const auth = req.auth!;
    await rights.withdrawRequest({
      personId: auth.person.id,
      organisationId: auth.organisation!.id,
      requestId: String(req.id ?? ''),
    });
    // Withdrawn, or nothing pending any more (withdrawn twice, decided meanwhile): the Aanvraag page says which.
    res.redirect(303, paths.aanvraag);
  });

  router.get(paths.rightRequestSent, async (req, res) => {
    const auth = req.auth!;
    const request = await rights.latestRequest(auth.person.id, auth.organisation!.id);
    if (request?.status !== 'pending') return res.redirect(303, paths.aanvraag);
    const admins = await listLocalAdmins(db, auth.organisation!.id);
    res.render('rights/request-sent.njk', {
      right: VOV_RIGHT,
      requestedAt: formatDateTimeNl(new Date(request.requested_at)),
      adminsNotified: admins.some((a) => a.mail_to && a.id !== auth.person.id),
      infoline: defaultRules.contact.infoline,
      infolineTeam: defaultRules.contact.infolineTeam,
      helpAfterRequest: helpLink('afterRightRequest'),
    });
  });

  return router;
}
