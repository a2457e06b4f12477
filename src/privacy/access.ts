import type { Request } from 'express';
import type { Db } from '../db/knex.js';
import { formatDateTimeNl } from '../domain/dates.js';
import { maskInsz } from '../domain/insz.js';
import { insertAccessRecord, listAccessRecords, type AccessRecordInput, type AccessRecordRow } from './repository.js';

/** What was opened: the dossier (by number), a draft's attachment, or a person in gebruikersbeheer. Never an INSZ. */
export type AccessTarget =
  | { what: 'dossier' | 'dossier-pdf'; dossiernummer: string }
  | { what: 'attachment'; draftId: number; attachmentId: number }
  | { what: 'person'; subjectPersonId: number };

/**
 * Records that the logged-in user, acting for their chosen organisation, opened a person's data. Called by
 * the routes that show it, after the lookup found it (a 404 opens nothing), before the answer is sent.
 */
export async function recordAccess(db: Db, req: Request, at: Date, target: AccessTarget): Promise<void> {
  const auth = req.auth;
  if (!auth?.organisation) throw new Error('recordAccess needs a user acting for an organisation');
  const record: AccessRecordInput = {
    at,
    personId: auth.person.id,
    organisationId: auth.organisation.id,
    requestId: String(req.id ?? '') || null,
    ...target,
  };
  await insertAccessRecord(db, record);
}

function describe(r: AccessRecordRow): string {
  switch (r.what) {
    case 'dossier':
      return `Dossier ${r.dossiernummer} geopend`;
    case 'dossier-pdf':
      return `Ontvangstbevestiging van dossier ${r.dossiernummer} gedownload (pdf)`;
    case 'attachment':
      if (!r.dossiernummer) return 'Bijlage van een aanvraag in opmaak gedownload';
      return `Bijlage van dossier ${r.dossiernummer} gedownload`;
    case 'person':
      return 'Gebruiker bekeken in gebruikersbeheer';
  }
}

/** The organisation's access records as the logbook shows them (the INSZ of a person masked). */
export async function accessRecordsForLogbook(db: Db, organisationId: number, limit: number) {
  const rows = await listAccessRecords(db, organisationId, limit);
  return rows.map((r) => ({
    at: formatDateTimeNl(new Date(r.at)),
    what: describe(r),
    actor: r.actor_first_name ? `${r.actor_first_name} ${r.actor_last_name}` : '—',
    subject: r.subject_first_name
      ? `${r.subject_first_name} ${r.subject_last_name} (${maskInsz(r.subject_insz ?? '')})`
      : null,
  }));
}
