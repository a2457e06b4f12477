import { Router, type Request, type Response } from 'express';
import 'express-session';
import { organisationAuth, requireLocalAdmin } from '../auth/guards.js';
import { compareIso, formatDateNl, formatDateTimeNl, todayInBrussels } from '../domain/dates.js';
import { maskInsz } from '../domain/insz.js';
import { adminHelpLink } from '../help/anchors.js';
import { HttpError } from '../http/errors.js';
import { positiveId } from '../http/params.js';
import { parseForm, type FormError } from '../http/form-errors.js';
import { noStore } from '../http/security.js';
import { chooseOrganisationFirst } from '../organisations/routes.js';
import { paths, adminPaths, within } from '../paths.js';
import {
  findRightRequestInOrganisation,
  listPendingRightRequests,
  listRightsOfMember,
  listUnrevokedRightsOfOrganisation,
  type RightRequestWithPerson,
  type UserRightRow,
} from '../rights/repository.js';
import { fullName, VOV_RIGHT, type Actor } from '../rights/service.js';
import { accessRecordsForLogbook, recordAccess } from '../privacy/access.js';
import { findMember, listAuditLog, listMembers, type AuditRow } from './repository.js';
import { addUserSchema, grantRightSchema, refuseRequestSchema } from './schemas.js';
import { addUser, describeAuditAction } from './service.js';
import type { Services } from '../services.js';

declare module 'express-session' {
  interface SessionData {
    /** A one-time confirmation for the next gebruikersbeheer page (post/redirect/get). */
    adminNotice?: string;
  }
}

const AUDIT_LOG_LIMIT = 200;

const subjectName = (r: AuditRow) => ({ first_name: r.subject_first_name, last_name: r.subject_last_name });

const REQUEST_STATUS: Record<string, string> = {
  pending: 'Wacht op beslissing',
  granted: 'Toegekend',
  refused: 'Geweigerd',
  withdrawn: 'Ingetrokken door de aanvrager',
};

function actorOf(req: Request): Actor {
  return {
    personId: req.auth!.person.id,
    organisationId: organisationAuth(req).organisation.id,
    requestId: String(req.id ?? ''),
  };
}

function noticeAndRedirect(req: Request, res: Response, notice: string, to: string): void {
  req.session.adminNotice = notice;
  res.redirect(303, to);
}

/**
 * Gebruikersbeheer: only local administrators of the chosen organisation, checked on every request from
 * the database (the auth context). Every lookup by id is limited to that organisation, so another
 * organisation's ids are "not found".
 */
export function adminRoutes({ db, rights, now }: Pick<Services, 'db' | 'rights' | 'now'>): Router {
  const router = Router();
  const today = () => todayInBrussels(now());

  const at = (path: string) => within(paths.admin, path);
  router.use(chooseOrganisationFirst, requireLocalAdmin, noStore, (req, res, next) => {
    res.locals.adminPaths = adminPaths;
    res.locals.notice = req.session.adminNotice;
    delete req.session.adminNotice;
    next();
  });

  const rightView = (r: UserRightRow) => {
    const expired = r.valid_until !== null && compareIso(r.valid_until, today()) < 0;
    return {
      id: r.id,
      label: `${r.role} – ${r.context}`,
      grantedAt: formatDateNl(todayInBrussels(new Date(r.granted_at))),
      validUntil: r.valid_until ? formatDateNl(r.valid_until) : 'Geen einddatum',
      status: r.revoked_at
        ? `Ingetrokken op ${formatDateNl(todayInBrussels(new Date(r.revoked_at)))}`
        : expired
          ? 'Verlopen'
          : 'Actief',
      active: !r.revoked_at && !expired,
      revocable: !r.revoked_at,
    };
  };

  const requestView = (r: RightRequestWithPerson) => ({
    id: r.id,
    name: fullName(r),
    insz: maskInsz(r.insz),
    email: r.email,
    right: `${r.role} – ${r.context}`,
    requestedAt: formatDateTimeNl(new Date(r.requested_at)),
    status: r.status,
    statusText: REQUEST_STATUS[r.status] ?? r.status,
    decidedAt: r.decided_at ? formatDateTimeNl(new Date(r.decided_at)) : null,
    refusalReason: r.refusal_reason,
  });

  router.get(at(adminPaths.overview), async (req, res) => {
    const organisationId = organisationAuth(req).organisation.id;
    const [members, unrevoked, pending] = await Promise.all([
      listMembers(db, organisationId),
      listUnrevokedRightsOfOrganisation(db, organisationId),
      listPendingRightRequests(db, organisationId),
    ]);
    const currentRights = unrevoked.map((r) => ({ personId: r.person_id, ...rightView(r) }));
    res.render('admin/overview.njk', {
      pending: pending.map(requestView),
      users: members.map((m) => ({
        personId: m.person_id,
        name: fullName(m),
        insz: maskInsz(m.insz),
        email: m.email,
        isLocalAdmin: m.is_local_admin,
        rights: currentRights.filter((r) => r.personId === m.person_id),
      })),
      helpLink: adminHelpLink('openUserManagement'),
    });
  });

  // --- a right request: detail (the e-mail links here), grant, refuse ---

  async function renderRequest(
    req: Request,
    res: Response,
    status = 200,
    form: { errors?: FormError[]; values?: Record<string, unknown> } = {},
  ) {
    const request = await findRightRequestInOrganisation(
      db,
      positiveId(req.params.id),
      organisationAuth(req).organisation.id,
    );
    if (!request) throw new HttpError(404);
    res.status(status).render('admin/request.njk', {
      request: requestView(request),
      errors: form.errors,
      values: form.values ?? {},
      endDateHelp: adminHelpLink('endDate'),
    });
  }

  router.get(at(adminPaths.request(':id')), (req, res) => renderRequest(req, res));

  router.post(at(adminPaths.grantRequest(':id')), async (req, res) => {
    const requestId = positiveId(req.params.id);
    const form = parseForm(grantRightSchema(today()), req.body);
    if (!form.ok) return renderRequest(req, res, 400, { errors: form.errors, values: form.values });
    const outcome = await rights.grantRequest(actorOf(req), requestId, form.data.validUntil);
    if (outcome === 'not-found') throw new HttpError(404);
    const notice =
      outcome === 'ok'
        ? 'Het gebruikersrecht is toegekend. De aanvrager krijgt een e-mail en kan meteen aan de slag.'
        : 'Over deze aanvraag werd al beslist.';
    noticeAndRedirect(req, res, notice, adminPaths.request(requestId));
  });

  router.post(at(adminPaths.refuseRequest(':id')), async (req, res) => {
    const requestId = positiveId(req.params.id);
    const form = parseForm(refuseRequestSchema, req.body);
    if (!form.ok) return renderRequest(req, res, 400, { errors: form.errors, values: form.values });
    const outcome = await rights.refuseRequest(actorOf(req), requestId, form.data.reason);
    if (outcome === 'not-found') throw new HttpError(404);
    const notice =
      outcome === 'ok'
        ? 'De aanvraag is geweigerd. De aanvrager krijgt een e-mail met de reden.'
        : 'Over deze aanvraag werd al beslist.';
    noticeAndRedirect(req, res, notice, adminPaths.request(requestId));
  });

  // --- users: add, detail with rights, grant directly, revoke ---

  const renderNewUser = (
    res: Response,
    status = 200,
    form: { errors?: FormError[]; values?: Record<string, unknown> } = {},
  ) =>
    res.status(status).render('admin/new-user.njk', {
      errors: form.errors,
      values: form.values ?? {},
      helpLink: adminHelpLink('addUser'),
    });

  router.get(at(adminPaths.newUser), (_req, res) => renderNewUser(res));

  router.post(at(adminPaths.users), async (req, res) => {
    const form = parseForm(addUserSchema, req.body);
    if (!form.ok) return renderNewUser(res, 400, { errors: form.errors, values: form.values });
    const result = await addUser(db, actorOf(req), form.data);
    if (result.outcome === 'already-member') {
      return renderNewUser(res, 400, {
        errors: [
          { text: `Deze persoon is al gebruiker van ${organisationAuth(req).organisation.name}.`, href: '#insz' },
        ],
        values: form.values,
      });
    }
    noticeAndRedirect(
      req,
      res,
      `${form.data.firstName} ${form.data.lastName} is toegevoegd als gebruiker. Ken hieronder het gebruikersrecht toe als dat nodig is.`,
      adminPaths.user(result.personId),
    );
  });

  async function renderUser(
    req: Request,
    res: Response,
    status = 200,
    form: { errors?: FormError[]; values?: Record<string, unknown> } = {},
  ) {
    const organisationId = organisationAuth(req).organisation.id;
    const member = await findMember(db, organisationId, positiveId(req.params.personId));
    if (!member) throw new HttpError(404);
    await recordAccess(db, req, now(), { what: 'person', subjectPersonId: member.person_id });
    const rightsOfMember = (await listRightsOfMember(db, organisationId, member.person_id)).map(rightView);
    res.status(status).render('admin/user.njk', {
      user: {
        personId: member.person_id,
        name: fullName(member),
        insz: maskInsz(member.insz),
        email: member.email,
        isLocalAdmin: member.is_local_admin,
        since: formatDateNl(todayInBrussels(new Date(member.created_at))),
      },
      rights: rightsOfMember,
      hasActiveRight: rightsOfMember.some((r) => r.active),
      right: VOV_RIGHT,
      errors: form.errors,
      values: form.values ?? {},
      endDateHelp: adminHelpLink('endDate'),
    });
  }

  router.get(at(adminPaths.user(':personId')), (req, res) => renderUser(req, res));

  router.post(at(adminPaths.grantRight(':personId')), async (req, res) => {
    const personId = positiveId(req.params.personId);
    const form = parseForm(grantRightSchema(today()), req.body);
    if (!form.ok) return renderUser(req, res, 400, { errors: form.errors, values: form.values });
    const outcome = await rights.grantDirectly(actorOf(req), personId, form.data.validUntil);
    if (outcome === 'not-found') throw new HttpError(404);
    const notice =
      outcome === 'ok'
        ? 'Het gebruikersrecht is toegekend. De gebruiker krijgt een e-mail.'
        : 'Deze gebruiker heeft het gebruikersrecht al.';
    noticeAndRedirect(req, res, notice, adminPaths.user(personId));
  });

  router.post(at(adminPaths.revokeRight(':rightId')), async (req, res) => {
    const result = await rights.revoke(actorOf(req), positiveId(req.params.rightId));
    if (result.outcome === 'not-found') throw new HttpError(404);
    const notice =
      result.outcome === 'ok'
        ? 'Het gebruikersrecht is ingetrokken. Dat geldt meteen.'
        : 'Dit gebruikersrecht was al ingetrokken.';
    noticeAndRedirect(req, res, notice, adminPaths.user(result.personId!));
  });

  router.get(at(adminPaths.auditLog), async (req, res) => {
    const organisationId = organisationAuth(req).organisation.id;
    const [rows, accessRecords] = await Promise.all([
      listAuditLog(db, organisationId, AUDIT_LOG_LIMIT),
      accessRecordsForLogbook(db, organisationId, AUDIT_LOG_LIMIT),
    ]);
    res.render('admin/audit-log.njk', {
      entries: rows.map((r) => ({
        at: formatDateTimeNl(new Date(r.at)),
        action: describeAuditAction(r.action),
        actor: r.actor_first_name
          ? `${r.actor_first_name} ${r.actor_last_name}`
          : 'Het WSE-loket (beheerder van het portaal)',
        subject: r.subject_insz ? `${fullName(subjectName(r))} (${maskInsz(r.subject_insz)})` : null,
      })),
      accessRecords,
      limit: AUDIT_LOG_LIMIT,
      helpLink: adminHelpLink('auditLog'),
    });
  });

  return router;
}
