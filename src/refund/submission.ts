import type { Knex } from 'knex';
import { prepared } from '../db/knex.js';
import { todayInBrussels } from '../domain/dates.js';
import type { RulesData } from '../domain/rules-data.js';
import { enqueueMailsSql, type DeferredMail } from '../mail/outbox.js';
import type { RefundMailer } from './mail.js';
import { receiptModel } from './receipt.js';
import { dossiernummer, nextDossierNumbers, type AttachmentRow, type NewDossier } from './repository.js';
import type { InitiatiefData } from './steps/initiatief.js';
import type { OpleidingData } from './steps/opleiding.js';
import type { WerkgeverData } from './steps/werkgever.js';
import type { WerknemerData } from './steps/werknemer.js';
import type { OrganisationAuth } from '../auth/guards.js';
import { receiptPath } from '../paths.js';

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

/** One validated request to file: its draft and the typed output of its steps. */
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
  /** A dossier number per item, already drawn from dossier_number_seq (fileDrafts reads them with its other reads); drawn here when absent. */
  numbers?: readonly number[];
  /** Extra audit details per dossier (e.g. the CSV upload and line it came from). */
  auditDetails?: (draftId: number) => Record<string, unknown>;
}

/** Dossiers per statement: bounds the memory of a CSV upload's filing (each statement carries its rows and mails as JSON). */
const CHUNK = 200;

/** The columns a new dossier row sets (NewDossier); the rest are the table's defaults. */
const DOSSIER_COLUMNS: readonly (keyof NewDossier)[] = [
  'dossiernummer',
  'organisation_id',
  'draft_id',
  'status',
  'employee_insz',
  'employee_first_name',
  'employee_last_name',
  'employee_email',
  'training_type',
  'training_name',
  'odb_number',
  'training_key',
  'training_start_date',
  'school_year_start',
  'initiative',
  'training_hours',
  'vov_hours',
  'forfait_cents',
  'amount_cents',
  'snapshot',
  'submitted_at',
  'submitted_by',
];

/**
 * Writes validated requests as dossiers: a dossiernummer each from the sequence, the immutable snapshot, the
 * drafts marked submitted, an audit entry and both receipt mails per dossier (outbox); per chunk of requests ONE
 * statement writes it all, never one query per row. Call it in a transaction that holds the drafts' locks
 * (fileDrafts in service.ts, the one way Bevestigen files). A duplicate (a concurrent filing of another draft
 * for the same employee, training and school year) fails on the unique index.
 */
export async function fileDossiers(
  conn: Knex | Knex.Transaction,
  deps: { rules: RulesData; mailer: RefundMailer },
  input: FileDossiersInput,
): Promise<FiledDossier[]> {
  const { auth, items, submittedAt, requestId } = input;
  if (items.length === 0) return [];
  const organisationId = auth.organisation.id;
  const year = Number(todayInBrussels(submittedAt).slice(0, 4));
  const numbers = input.numbers ?? (await nextDossierNumbers(conn, items.length));
  const dossiernummers = numbers.map((n) => dossiernummer(year, n));

  // Made per chunk (below): the rendered receipt mails of a 5 000-row upload would not fit a small heap at once.
  const toDossier = (item: DossierToFile, i: number): NewDossier => {
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
      bijlagen: item.attachments.map((a) => ({
        id: a.id,
        kind: a.kind,
        filename: a.filename,
        contentType: a.content_type,
        sizeBytes: a.size_bytes,
      })),
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
  };

  const filed: FiledDossier[] = [];
  for (let start = 0; start < items.length; start += CHUNK) {
    const part = items.slice(start, start + CHUNK);
    const newDossiers = part.map((item, j) => toDossier(item, start + j));
    const mails = part.flatMap((item, j): DeferredMail[] => {
      const receipt = receiptModel(newDossiers[j], deps.rules);
      // The contact person typed in this request: never an address stored for the person elsewhere.
      const dossierPath = receiptPath(newDossiers[j].dossiernummer);
      const employer = deps.mailer.employerReceipt(item.werkgever.contact.email, receipt, dossierPath);
      return item.werknemer.email ? [employer, deps.mailer.employeeReceipt(item.werknemer.email, receipt)] : [employer];
    });
    const audits = part.map((item, j) => ({
      actor_person_id: auth.person.id,
      organisation_id: organisationId,
      action: 'refund.submitted',
      details: {
        draftId: item.draftId,
        dossiernummer: newDossiers[j].dossiernummer,
        ...input.auditDetails?.(item.draftId),
      },
      request_id: requestId,
    }));
    const outbox = enqueueMailsSql(mails);
    const { rows } = await conn
      .raw<{ rows: { id: number; dossiernummer: string; draft_id: number }[] }>(
        `WITH submitted AS (UPDATE refund_draft SET submitted_at = ? WHERE id = ANY(?::bigint[])),
       filed AS (
         INSERT INTO dossier (${DOSSIER_COLUMNS.join(', ')})
         SELECT ${DOSSIER_COLUMNS.join(', ')} FROM jsonb_populate_recordset(NULL::dossier, ?::jsonb)
         RETURNING id, dossiernummer, draft_id),
       audits AS (
         INSERT INTO audit_log (actor_person_id, organisation_id, action, details, request_id)
         SELECT actor_person_id, organisation_id, action, details, request_id FROM jsonb_populate_recordset(NULL::audit_log, ?::jsonb)),
       mails AS (${outbox.sql})
       SELECT id, dossiernummer, draft_id FROM filed`,
        [
          submittedAt,
          part.map((item) => item.draftId),
          JSON.stringify(newDossiers),
          JSON.stringify(audits),
          ...outbox.bindings,
        ],
      )
      .options(prepared('filing-write'));
    filed.push(...rows.map((r) => ({ draftId: r.draft_id, dossierId: r.id, dossiernummer: r.dossiernummer })));
  }
  return filed;
}
