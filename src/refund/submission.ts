import type { Knex } from 'knex';
import { todayInBrussels } from '../domain/dates.js';
import type { RulesData } from '../domain/rules-data.js';
import type { OutgoingMail } from '../mail/outbox.js';
import type { RefundMailer } from './mail.js';
import { receiptModel } from './receipt.js';
import { nextDossierNumbers, type AttachmentRow, type DossierRow, type NewDossier } from './repository.js';
import type { InitiatiefData, OpleidingData, WerkgeverData, WerknemerData } from './schemas.js';
import type { OrganisationAuth } from './service.js';
import { receiptPath } from './urls.js';

/** What was submitted, frozen in the dossier row: the receipt and any later treatment read this, never the draft. */
export interface DossierSnapshot {
  version: 1;
  submittedAt: string;
  submittedBy: { personId: number; name: string };
  organisation: { id: number; kbo: string; name: string };
  werkgever: WerkgeverData;
  werknemer: WerknemerData;
  opleiding: OpleidingData;
  initiatief: InitiatiefData;
  bijlagen: { id: number; kind: string; filename: string; contentType: string; sizeBytes: number }[];
  declaration: true;
}

/** One validated request to file: its draft (locked or created by the caller) and the typed output of its steps. */
export interface DossierToFile {
  draftId: number;
  werkgever: WerkgeverData;
  werknemer: WerknemerData;
  opleiding: OpleidingData;
  initiatief: InitiatiefData;
  attachments: readonly AttachmentRow[];
}

export interface FiledDossier {
  draftId: number;
  dossierId: number;
  dossiernummer: string;
}

export interface FileDossiersInput {
  auth: OrganisationAuth;
  requestId: string;
  submittedAt: Date;
  items: readonly DossierToFile[];
  /** Extra audit details per dossier (e.g. the CSV upload and line it came from). */
  auditDetails?: (item: DossierToFile, index: number) => Record<string, unknown>;
}

/** Rows per INSERT: well under PostgreSQL's 65 535 bind parameters for the widest table here. */
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Files validated requests as dossiers inside the caller's transaction: a dossiernummer each from the
 * sequence, the immutable snapshot, the drafts marked submitted, an audit entry and both receipt mails per
 * dossier (outbox). The one way a dossier is made: the form's Bevestigen passes one request, the CSV upload's
 * Bevestigen thousands; both in batches of statements, never one query per row. The caller validates first
 * and holds the locks that make it exactly-once; a duplicate that slipped through (a concurrent submission)
 * fails the whole transaction on the unique index.
 */
export async function fileDossiers(trx: Knex.Transaction, deps: { rules: RulesData; mailer: RefundMailer }, input: FileDossiersInput): Promise<FiledDossier[]> {
  const { auth, items, submittedAt, requestId } = input;
  if (items.length === 0) return [];
  const organisationId = auth.organisation.id;
  const year = Number(todayInBrussels(submittedAt).slice(0, 4));

  const dossiernummers = await nextDossierNumbers(trx, year, items.length);

  const newDossiers: NewDossier[] = items.map((item, i) => {
    const { werkgever, werknemer, opleiding, initiatief } = item;
    const snapshot: DossierSnapshot = {
      version: 1,
      submittedAt: submittedAt.toISOString(),
      submittedBy: { personId: auth.person.id, name: `${auth.person.firstName} ${auth.person.lastName}` },
      organisation: { ...auth.organisation },
      werkgever,
      werknemer,
      opleiding,
      initiatief,
      bijlagen: item.attachments.map((a) => ({ id: a.id, kind: a.kind, filename: a.filename, contentType: a.content_type, sizeBytes: a.size_bytes })),
      declaration: true,
    };
    const { calculation } = initiatief;
    return {
      dossiernummer: dossiernummers[i],
      organisation_id: organisationId,
      draft_id: item.draftId,
      status: 'ingediend',
      employee_insz: werknemer.insz,
      employee_first_name: werknemer.firstName,
      employee_last_name: werknemer.lastName,
      employee_email: werknemer.email,
      training_type: opleiding.type,
      training_name: opleiding.name,
      odb_number: opleiding.odbNumber,
      training_key: opleiding.trainingKey,
      training_start_date: opleiding.startDate,
      school_year_start: opleiding.schoolYearStart,
      initiative: initiatief.initiative,
      training_hours: calculation.trainingHours,
      vov_hours: calculation.vovHours,
      forfait_cents: calculation.forfaitCents,
      amount_cents: calculation.amountCents,
      snapshot,
      submitted_at: submittedAt,
      submitted_by: auth.person.id,
    };
  });

  const inserted: DossierRow[] = [];
  for (const part of chunks(newDossiers)) {
    const rows = await trx('dossier')
      .insert(part.map((d) => ({ ...d, snapshot: JSON.stringify(d.snapshot) })))
      .returning<DossierRow[]>('*');
    inserted.push(...rows);
  }
  const byNumber = new Map(inserted.map((d) => [d.dossiernummer, d]));

  await trx('refund_draft')
    .whereRaw('id = ANY(?::bigint[])', [items.map((i) => i.draftId)])
    .update({ submitted_at: submittedAt });

  const audits = items.map((item, i) => ({
    actor_person_id: auth.person.id,
    organisation_id: organisationId,
    action: 'refund.submitted',
    details: JSON.stringify({ draftId: item.draftId, dossiernummer: dossiernummers[i], ...input.auditDetails?.(item, i) }),
    request_id: requestId,
  }));
  for (const part of chunks(audits)) await trx('audit_log').insert(part);

  const mails: OutgoingMail[] = [];
  items.forEach((item, i) => {
    const receipt = receiptModel(byNumber.get(dossiernummers[i])!, deps.rules);
    mails.push(deps.mailer.employerReceipt(auth.person.email ?? item.werkgever.contact.email, receipt, receiptPath(dossiernummers[i])));
    if (item.werknemer.email) mails.push(deps.mailer.employeeReceipt(item.werknemer.email, receipt));
  });
  await enqueueMails(trx, mails);

  return items.map((item, i) => ({ draftId: item.draftId, dossierId: byNumber.get(dossiernummers[i])!.id, dossiernummer: dossiernummers[i] }));
}

/**
 * enqueueMail (src/mail/outbox.ts) for many mails at once: the same columns of the mail_outbox contract,
 * in multi-row INSERTs, so that 10 000 receipts of a CSV upload are not 10 000 round trips.
 */
async function enqueueMails(trx: Knex.Transaction, mails: readonly OutgoingMail[]): Promise<void> {
  for (const part of chunks(mails)) {
    await trx('mail_outbox').insert(part.map((m) => ({ to_address: m.to, subject: m.subject, text_body: m.text, html_body: m.html, kind: m.kind })));
  }
}
