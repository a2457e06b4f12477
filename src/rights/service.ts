import type { Knex } from 'knex';
import { adminPaths, paths } from '../paths.js';
import { audit } from '../auth/service.js';
import type { Db } from '../db/knex.js';
import { compareIso, formatDateNl, formatDateTimeNl, todayInBrussels, type IsoDate } from '../domain/dates.js';
import { formatKbo } from '../domain/kbo.js';
import { defaultRules } from '../domain/rules-data.js';
import { enqueueMail } from '../mail/outbox.js';
import type { MailComposer } from '../mail/templates.js';
import { findMemberPerson, findOrganisationById, listLocalAdmins } from '../organisations/repository.js';
import type { MemberPerson, OrganisationRow } from '../organisations/repository.js';
import {
  closeExpiredRight,
  decideRightRequest,
  findLatestRightRequest,
  findPendingRightRequest,
  findRightInOrganisation,
  findRightRequestInOrganisation,
  findUnrevokedRight,
  insertRight,
  insertRightRequest,
  lockPendingRightRequest,
  revokeRight,
  type RightRequestRow,
  type UserRightRow,
} from './repository.js';

/** Who acts, for which organisation, and the request id for the audit log. */
export interface Actor {
  personId: number;
  organisationId: number;
  requestId?: string;
}

/** The one right this portal manages, as data (src/domain/rules-data.ts). */
export const VOV_RIGHT = defaultRules.access;

/** Outcomes a page explains to the user instead of failing. */
export type RightsOutcome =
  'ok' | 'already-has-right' | 'already-pending' | 'already-decided' | 'already-revoked' | 'not-found';

/** A name as the organisation knows it; a user migrated without one (docs/security-organisations.md) has none. */
export function fullName(p: { first_name: string | null; last_name: string | null }): string {
  return `${p.first_name ?? ''} ${p.last_name ?? ''}`.trim() || 'Naam niet ingevuld';
}

export interface RightsServiceDeps {
  db: Db;
  mail: MailComposer;
  now: () => Date;
}

export function createRightsService({ db, mail, now }: RightsServiceDeps) {
  const today = () => todayInBrussels(now());
  const isCurrent = (right: UserRightRow | undefined): boolean =>
    right !== undefined && (right.valid_until === null || compareIso(right.valid_until, today()) >= 0);

  async function organisationOf(trx: Knex, organisationId: number): Promise<OrganisationRow> {
    const org = await findOrganisationById(trx, organisationId);
    if (!org) throw new Error(`organisation ${organisationId} disappeared`);
    return org;
  }

  /** Mails about this organisation go to the address it entered for the person, else the one their key gave. */
  async function mailGranted(trx: Knex, person: MemberPerson, org: OrganisationRow, validUntil: IsoDate | null) {
    if (!person.mail_to) return;
    await enqueueMail(
      trx,
      mail.compose('right-granted', person.mail_to, `Uw gebruikersrecht voor ${org.name} is toegekend`, {
        requesterName: fullName(person),
        organisationName: org.name,
        kbo: formatKbo(org.kbo),
        ...VOV_RIGHT,
        validUntil: validUntil ? formatDateNl(validUntil) : null,
        link: mail.link(paths.aanvraag),
      }),
    );
  }

  /**
   * Gives the person the right unless they already have a current one (then that one is returned). An
   * unrevoked right past its end date is closed first, so "one unrevoked right per person" (a unique index) holds.
   */
  async function grant(
    trx: Knex,
    actor: Actor,
    personId: number,
    validUntil: IsoDate | null,
  ): Promise<{ right: UserRightRow; created: boolean }> {
    const existing = await findUnrevokedRight(trx, personId, actor.organisationId, VOV_RIGHT);
    if (existing && isCurrent(existing)) return { right: existing, created: false };
    if (existing) await closeExpiredRight(trx, existing.id, actor.personId, now());
    const inserted = await insertRight(trx, {
      personId,
      organisationId: actor.organisationId,
      ...VOV_RIGHT,
      grantedBy: actor.personId,
      validUntil,
    });
    if (inserted) return { right: inserted, created: true };
    // Another administrator granted it at the same moment: theirs stands.
    return { right: (await findUnrevokedRight(trx, personId, actor.organisationId, VOV_RIGHT))!, created: false };
  }

  return {
    /** What the Aanvraag page shows: the latest request for the right (pending, refused, ...). */
    latestRequest(personId: number, organisationId: number): Promise<RightRequestRow | undefined> {
      return findLatestRightRequest(db, personId, organisationId, VOV_RIGHT);
    },

    /** Records a pending request and, in the same transaction, an e-mail to every local administrator. */
    async requestRight(actor: Actor): Promise<{ outcome: RightsOutcome; request?: RightRequestRow; notified: number }> {
      return db.transaction(async (trx) => {
        if (isCurrent(await findUnrevokedRight(trx, actor.personId, actor.organisationId, VOV_RIGHT)))
          return { outcome: 'already-has-right', notified: 0 };
        const request = await insertRightRequest(trx, {
          personId: actor.personId,
          organisationId: actor.organisationId,
          ...VOV_RIGHT,
        });
        if (!request) return { outcome: 'already-pending', notified: 0 };
        // One connection per transaction: its queries run one after the other.
        const org = await organisationOf(trx, actor.organisationId);
        const requester = await findMemberPerson(trx, actor.organisationId, actor.personId);
        const admins = await listLocalAdmins(trx, actor.organisationId);
        const recipients = admins.filter((a) => a.mail_to && a.id !== actor.personId);
        for (const admin of recipients) {
          await enqueueMail(
            trx,
            mail.compose('right-requested', admin.mail_to!, `Aanvraag gebruikersrecht voor ${org.name}`, {
              adminName: fullName(admin),
              requesterName: fullName(requester!),
              organisationName: org.name,
              kbo: formatKbo(org.kbo),
              ...VOV_RIGHT,
              requestedAt: formatDateTimeNl(new Date(request.requested_at)),
              link: mail.link(adminPaths.request(request.id)),
            }),
          );
        }
        await audit(trx, {
          action: 'right.requested',
          personId: actor.personId,
          organisationId: actor.organisationId,
          requestId: actor.requestId,
          details: {
            rightRequestId: request.id,
            subjectPersonId: actor.personId,
            ...VOV_RIGHT,
            notifiedAdmins: recipients.length,
          },
        });
        return { outcome: 'ok', request, notified: recipients.length };
      });
    },

    /**
     * The actor withdraws their own pending request (asked by mistake, or no longer needed): a local administrator
     * who opens it from the mail then sees that it was withdrawn. Only one's own request, so no other check.
     */
    async withdrawRequest(actor: Actor): Promise<'ok' | 'not-pending'> {
      return db.transaction(async (trx) => {
        const pending = await findPendingRightRequest(trx, actor.personId, actor.organisationId, VOV_RIGHT);
        if (!pending) return 'not-pending';
        const request = await lockPendingRightRequest(trx, pending.id, actor.organisationId);
        if (!request) return 'not-pending'; // decided by an administrator meanwhile
        await decideRightRequest(trx, request.id, { status: 'withdrawn', decidedBy: actor.personId, at: now() });
        await audit(trx, {
          action: 'right.request-withdrawn',
          personId: actor.personId,
          organisationId: actor.organisationId,
          requestId: actor.requestId,
          details: { rightRequestId: request.id, subjectPersonId: actor.personId, ...VOV_RIGHT },
        });
        return 'ok';
      });
    },

    /** Grants a pending request of the actor's organisation; the requester is mailed in the same transaction. */
    async grantRequest(actor: Actor, requestId: number, validUntil: IsoDate | null): Promise<RightsOutcome> {
      return db.transaction(async (trx) => {
        const request = await lockPendingRightRequest(trx, requestId, actor.organisationId);
        if (!request)
          return (await findRightRequestInOrganisation(trx, requestId, actor.organisationId))
            ? 'already-decided'
            : 'not-found';
        const { right } = await grant(trx, actor, request.person_id, validUntil);
        await decideRightRequest(trx, request.id, { status: 'granted', decidedBy: actor.personId, at: now() });
        const org = await organisationOf(trx, actor.organisationId);
        const requester = await findMemberPerson(trx, actor.organisationId, request.person_id);
        await mailGranted(trx, requester!, org, right.valid_until);
        await audit(trx, {
          action: 'right.granted',
          personId: actor.personId,
          organisationId: actor.organisationId,
          requestId: actor.requestId,
          details: {
            rightRequestId: request.id,
            rightId: right.id,
            subjectPersonId: request.person_id,
            ...VOV_RIGHT,
            validUntil: right.valid_until,
          },
        });
        return 'ok';
      });
    },

    /** Refuses a pending request with a reason, which the requester receives by e-mail and sees on the Aanvraag page. */
    async refuseRequest(actor: Actor, requestId: number, reason: string): Promise<RightsOutcome> {
      return db.transaction(async (trx) => {
        const request = await lockPendingRightRequest(trx, requestId, actor.organisationId);
        if (!request)
          return (await findRightRequestInOrganisation(trx, requestId, actor.organisationId))
            ? 'already-decided'
            : 'not-found';
        await decideRightRequest(trx, request.id, {
          status: 'refused',
          decidedBy: actor.personId,
          at: now(),
          refusalReason: reason,
        });
        const org = await organisationOf(trx, actor.organisationId);
        const requester = await findMemberPerson(trx, actor.organisationId, request.person_id);
        if (requester!.mail_to) {
          await enqueueMail(
            trx,
            mail.compose(
              'right-refused',
              requester!.mail_to,
              `Uw aanvraag voor een gebruikersrecht voor ${org.name} is geweigerd`,
              {
                requesterName: fullName(requester!),
                organisationName: org.name,
                kbo: formatKbo(org.kbo),
                ...VOV_RIGHT,
                requestedAt: formatDateTimeNl(new Date(request.requested_at)),
                reason,
                link: mail.link(paths.aanvraag),
              },
            ),
          );
        }
        await audit(trx, {
          action: 'right.refused',
          personId: actor.personId,
          organisationId: actor.organisationId,
          requestId: actor.requestId,
          details: { rightRequestId: request.id, subjectPersonId: request.person_id, ...VOV_RIGHT },
        });
        return 'ok';
      });
    },

    /** A local administrator grants the right to a user of the organisation without a request; a pending request is closed with it. */
    async grantDirectly(actor: Actor, personId: number, validUntil: IsoDate | null): Promise<RightsOutcome> {
      return db.transaction(async (trx) => {
        const person = await findMemberPerson(trx, actor.organisationId, personId);
        if (!person) return 'not-found';
        const { right, created } = await grant(trx, actor, personId, validUntil);
        if (!created) return 'already-has-right';
        const pending = await findPendingRightRequest(trx, personId, actor.organisationId, VOV_RIGHT);
        if (pending)
          await decideRightRequest(trx, pending.id, { status: 'granted', decidedBy: actor.personId, at: now() });
        const org = await organisationOf(trx, actor.organisationId);
        await mailGranted(trx, person, org, validUntil);
        await audit(trx, {
          action: 'right.granted',
          personId: actor.personId,
          organisationId: actor.organisationId,
          requestId: actor.requestId,
          details: {
            rightId: right.id,
            rightRequestId: pending?.id ?? null,
            subjectPersonId: personId,
            ...VOV_RIGHT,
            validUntil,
          },
        });
        return 'ok';
      });
    },

    /** Revokes at once: the user's next request no longer has the right, also in the middle of a refund form. */
    async revoke(actor: Actor, rightId: number): Promise<{ outcome: RightsOutcome; personId?: number }> {
      return db.transaction(async (trx) => {
        const right = await findRightInOrganisation(trx, rightId, actor.organisationId);
        if (!right) return { outcome: 'not-found' };
        if (!(await revokeRight(trx, rightId, actor.organisationId, actor.personId, now())))
          return { outcome: 'already-revoked', personId: right.person_id };
        await audit(trx, {
          action: 'right.revoked',
          personId: actor.personId,
          organisationId: actor.organisationId,
          requestId: actor.requestId,
          details: { rightId, subjectPersonId: right.person_id, role: right.role, context: right.context },
        });
        return { outcome: 'ok', personId: right.person_id };
      });
    },
  };
}

export type RightsService = ReturnType<typeof createRightsService>;
