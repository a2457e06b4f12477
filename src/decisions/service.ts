import { createHash } from 'node:crypto';
import type { Db } from '../db/knex.js';
import { compareIso, formatDateNl, formatDateTimeNl, todayInBrussels, type IsoDate } from '../domain/dates.js';
import { enqueueMail, mailLink, type DeferredMail } from '../mail/outbox.js';
import type { CheckedUpload } from '../refund/attachments.js';
import { DOSSIER_STATUS_LABELS } from '../refund/receipt.js';
import type { DossierSnapshot } from '../refund/submission.js';
import { receiptPath } from '../paths.js';
import { findDossierState, type DossierStateRow } from './repository.js';
import { isAllowed, statusAfter, type ChangeKind } from './transitions.js';
import { eventLines, mailHeadline, type EventDetails } from './wording.js';

/** Who changes a dossier: a person of its organisation, a back-office API client, or an operator's CLI command. */
export type Actor =
  | { kind: 'werkgever'; personId: number; name: string }
  | { kind: 'backoffice'; clientId: number; name: string }
  | { kind: 'cli'; name: string };

export type Change =
  | { kind: 'in_behandeling' }
  | { kind: 'aanvulling_gevraagd'; question: string; dueDate: IsoDate }
  | { kind: 'goedgekeurd'; hours: number; amountCents?: number | null }
  | { kind: 'geweigerd'; reason: string }
  | { kind: 'geannuleerd'; reason: string }
  | { kind: 'stopgezet'; stopDate: IsoDate }
  | { kind: 'antwoord'; text: string; attachments: readonly CheckedUpload[] };

/** A client's Idempotency-Key: the first answer is stored with the change, a retry gets it back. */
export interface Idempotency {
  clientId: number;
  key: string;
  /** What was asked (method, path, body): the same key with another request is refused. */
  requestHash: string;
  /** The answer to store for a change that was made. */
  answer(dossier: DossierStateRow): { status: number; body: unknown };
}

export interface ChangeRequest {
  dossiernummer: string;
  /** An employer's organisation: a dossier of another organisation is not found. Absent for the back office. */
  organisationId?: number;
  /** The version the caller saw: another version means someone changed the dossier meanwhile. */
  expectedVersion?: number;
  actor: Actor;
  change: Change;
  requestId: string | null;
  idempotency?: Idempotency;
}

export type ChangeOutcome =
  | { outcome: 'done'; dossier: DossierStateRow }
  | { outcome: 'not_found' }
  | { outcome: 'version_conflict'; dossier: DossierStateRow }
  | { outcome: 'not_allowed'; dossier: DossierStateRow }
  | { outcome: 'invalid'; dossier: DossierStateRow; field: string; message: string }
  | { outcome: 'replay'; status: number; body: unknown }
  | { outcome: 'key_reused' };

export interface DossierLifeDeps {
  db: Db;
  now: () => Date;
  publicUrl: string;
}

/** sha256 hex of a text (request fingerprints for idempotency). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function detailsOf(change: Change, dossier: DossierStateRow): EventDetails {
  switch (change.kind) {
    case 'aanvulling_gevraagd':
      return { question: change.question, dueDate: change.dueDate };
    case 'goedgekeurd':
      return {
        hours: change.hours,
        amountCents: change.amountCents ?? Math.round(change.hours * dossier.forfait_cents),
      };
    case 'geweigerd':
    case 'geannuleerd':
      return { reason: change.reason };
    case 'stopgezet':
      return { stopDate: change.stopDate };
    case 'antwoord':
      return { text: change.text };
    default:
      return {};
  }
}

/** A change that the dossier's own data rules out (beyond the status table). */
function invalidFor(
  change: Change,
  dossier: DossierStateRow,
  today: IsoDate,
): { field: string; message: string } | null {
  if (change.kind === 'stopgezet') {
    if (compareIso(change.stopDate, dossier.training_start_date) < 0) {
      return {
        field: 'stopDate',
        message: `De datum van de stopzetting ligt vóór de startdatum van de opleiding (${formatDateNl(dossier.training_start_date)}).`,
      };
    }
    if (compareIso(change.stopDate, today) > 0)
      return {
        field: 'stopDate',
        message:
          'De datum van de stopzetting ligt in de toekomst. Meld de stopzetting wanneer de werknemer gestopt is.',
      };
  }
  return null;
}

/**
 * The mails of a change: to the contact person the employer gave in the form (snapshot) and to the employee's
 * address from the snapshot, when there is one. (Recipients are chosen here and only here.)
 */
export function changeMails(
  publicUrl: string,
  dossier: DossierStateRow,
  kind: ChangeKind,
  details: EventDetails,
  at: Date,
): DeferredMail[] {
  const snapshot = dossier.snapshot as DossierSnapshot;
  const { subject, headline } = mailHeadline(kind, dossier.dossiernummer);
  const common = {
    dossiernummer: dossier.dossiernummer,
    employeeName: `${dossier.employee_first_name} ${dossier.employee_last_name}`,
    organisationName: snapshot.organisation.name,
    trainingName: dossier.training_name,
    statusLabel: DOSSIER_STATUS_LABELS[statusAfter(kind)],
    changedAt: formatDateTimeNl(at),
    headline,
    lines: eventLines(kind, details),
  };
  const mails: DeferredMail[] = [
    {
      to: snapshot.werkgever.contact.email,
      subject,
      kind: `dossier-${kind}-employer`,
      template: 'decisions/mail/change-employer',
      data: {
        ...common,
        contactName: snapshot.werkgever.contact.name,
        link: mailLink(publicUrl, receiptPath(dossier.dossiernummer)),
      },
    },
  ];
  const employee = snapshot.werknemer.email;
  if (employee)
    mails.push({
      to: employee,
      subject,
      kind: `dossier-${kind}-employee`,
      template: 'decisions/mail/change-employee',
      data: common,
    });
  return mails;
}

/**
 * The one way a dossier changes after Bevestigen, for the API, the CLI and the employer's pages: in one
 * transaction the dossier row (locked, its version checked and raised), its history, the audit log and the mails.
 */
export function createDossierLife(deps: DossierLifeDeps) {
  const { db } = deps;

  async function change(req: ChangeRequest): Promise<ChangeOutcome> {
    return db.transaction(async (trx) => {
      const idem = req.idempotency;
      if (idem) {
        // Two retries of one call at once: the second waits here for the first, then finds its stored answer.
        await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`api:${idem.clientId}:${idem.key}`]);
        const stored = await trx('api_idempotency').where({ api_client_id: idem.clientId, key: idem.key }).first();
        if (stored)
          return stored.request_hash === idem.requestHash
            ? { outcome: 'replay', status: stored.status, body: stored.body }
            : { outcome: 'key_reused' };
      }
      const dossier = await findDossierState(trx, req.dossiernummer, req.organisationId, true);
      if (!dossier) return { outcome: 'not_found' };
      if (req.expectedVersion !== undefined && req.expectedVersion !== dossier.version)
        return { outcome: 'version_conflict', dossier };
      const { change: c } = req;
      if (!isAllowed(c.kind, dossier.status)) return { outcome: 'not_allowed', dossier };
      const at = deps.now();
      const invalid = invalidFor(c, dossier, todayInBrussels(at));
      if (invalid) return { outcome: 'invalid', dossier, ...invalid };

      const details = detailsOf(c, dossier);
      const to = statusAfter(c.kind);
      const [updated] = await trx('dossier')
        .where({ id: dossier.id })
        .update({
          status: to,
          version: dossier.version + 1,
          status_changed_at: at,
          feed_xid: trx.raw('pg_current_xact_id()'),
          ...(c.kind === 'goedgekeurd'
            ? { approved_hours: details.hours, approved_amount_cents: details.amountCents }
            : {}),
          ...(c.kind === 'stopgezet' ? { stop_date: c.stopDate } : {}),
        })
        .returning<DossierStateRow[]>('*');
      const [event] = await trx('dossier_event')
        .insert({
          dossier_id: dossier.id,
          organisation_id: dossier.organisation_id,
          at,
          kind: c.kind,
          status_before: dossier.status,
          status_after: to,
          actor_kind: req.actor.kind,
          actor_person_id: req.actor.kind === 'werkgever' ? req.actor.personId : null,
          api_client_id: req.actor.kind === 'backoffice' ? req.actor.clientId : null,
          actor_name: req.actor.name,
          details,
        })
        .returning<{ id: number }[]>('id');
      if (c.kind === 'antwoord' && c.attachments.length) {
        const rows = await trx('attachment')
          .insert(
            c.attachments.map((u) => ({
              draft_id: dossier.draft_id,
              organisation_id: dossier.organisation_id,
              kind: 'aanvulling',
              filename: u.filename,
              content_type: u.contentType,
              size_bytes: u.data.length,
              sha256: u.sha256,
              content: u.data,
              uploaded_by: req.actor.kind === 'werkgever' ? req.actor.personId : null,
              uploaded_at: at,
              event_id: event.id,
            })),
          )
          .returning<{ id: number; filename: string }[]>(['id', 'filename']);
        details.attachments = rows;
        await trx('dossier_event').where({ id: event.id }).update({ details });
      }
      await trx('audit_log').insert({
        actor_person_id: req.actor.kind === 'werkgever' ? req.actor.personId : null,
        organisation_id: dossier.organisation_id,
        action: `dossier.${c.kind}`,
        details: {
          dossiernummer: dossier.dossiernummer,
          from: dossier.status,
          to,
          version: updated.version,
          by: req.actor.kind,
          actor: req.actor.name,
        },
        request_id: req.requestId,
      });
      for (const mail of changeMails(deps.publicUrl, updated, c.kind, details, at)) await enqueueMail(trx, mail);
      if (idem) {
        const answer = idem.answer(updated);
        await trx('api_idempotency').insert({
          api_client_id: idem.clientId,
          key: idem.key,
          request_hash: idem.requestHash,
          status: answer.status,
          body: JSON.stringify(answer.body),
        });
      }
      return { outcome: 'done', dossier: updated };
    });
  }

  return { change };
}

export type DossierLife = ReturnType<typeof createDossierLife>;
