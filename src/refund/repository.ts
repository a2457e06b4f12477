import type { Knex } from 'knex';
import type { Db } from '../db/knex.js';
import type { AttachmentKind, CheckedUpload } from './attachments.js';

/**
 * Data access for drafts, attachments and dossiers. Every lookup by id takes the organisation id as
 * well: an id of another organisation is simply not found (a 404), never a 403 that confirms it exists.
 */

type Conn = Db | Knex.Transaction;

/** What a user typed per step, exactly as posted: { werknemer: { insz: '…', … }, … }. */
export type StepInputs = Partial<Record<string, Record<string, string>>>;

export interface DraftRow {
  id: number;
  organisation_id: number;
  created_by: number | null;
  updated_by: number | null;
  created_at: Date;
  updated_at: Date;
  steps: StepInputs;
  submitted_at: Date | null;
}

export interface DraftListRow {
  id: number;
  updated_at: Date;
  updated_by_name: string | null;
  employee_name: string | null;
  training_name: string | null;
}

export interface AttachmentRow {
  id: number;
  draft_id: number;
  kind: AttachmentKind;
  filename: string;
  content_type: string;
  size_bytes: number;
  uploaded_at: Date;
}

export interface DossierRow {
  id: number;
  dossiernummer: string;
  organisation_id: number;
  draft_id: number;
  status: string;
  employee_insz: string;
  employee_first_name: string;
  employee_last_name: string;
  employee_email: string | null;
  training_type: string;
  training_name: string;
  odb_number: string | null;
  training_key: string;
  training_start_date: string;
  school_year_start: number;
  initiative: string;
  training_hours: string;
  vov_hours: string;
  forfait_cents: number;
  amount_cents: number;
  snapshot: unknown;
  submitted_at: Date;
  submitted_by: number;
}

export type NewDossier = Omit<DossierRow, 'id' | 'submitted_at' | 'training_hours' | 'vov_hours' | 'snapshot'> & {
  training_hours: number;
  vov_hours: number;
  snapshot: unknown;
  submitted_at: Date;
};

/** A dossier of the same employee that the hour and duplicate rules look at. */
export interface PriorDossier {
  dossiernummer: string;
  trainingKey: string;
  odbNumber: string | null;
  schoolYearStart: number;
  initiative: string;
  vovHours: number;
}

/** Statuses under which a dossier still counts: uses hours and blocks a second request (see the unique index in 004). */
export const BLOCKING_STATUSES = ['ingediend', 'goedgekeurd', 'stopgezet'] as const;

// ---- drafts ----

export async function createDraft(db: Conn, organisationId: number, personId: number, steps: StepInputs): Promise<number> {
  const [row] = await db('refund_draft')
    .insert({ organisation_id: organisationId, created_by: personId, updated_by: personId, steps: JSON.stringify(steps) })
    .returning<{ id: number }[]>('id');
  return row.id;
}

export async function findDraft(db: Conn, organisationId: number, draftId: number, options: { forUpdate?: boolean } = {}): Promise<DraftRow | undefined> {
  const query = db('refund_draft').where({ id: draftId, organisation_id: organisationId }).first<DraftRow | undefined>();
  return options.forUpdate ? query.forUpdate() : query;
}

/** Stores one step's input; a draft that was submitted meanwhile is left alone (returns false). */
export async function saveStepInput(db: Conn, organisationId: number, draftId: number, stepId: string, input: Record<string, string>, personId: number): Promise<boolean> {
  const changed = await db('refund_draft')
    .where({ id: draftId, organisation_id: organisationId })
    .whereNull('submitted_at')
    .update({
      steps: db.raw('steps || jsonb_build_object(?::text, ?::jsonb)', [stepId, JSON.stringify(input)]),
      updated_at: db.fn.now(),
      updated_by: personId,
    });
  return changed === 1;
}

export async function touchDraft(db: Conn, organisationId: number, draftId: number, personId: number): Promise<void> {
  await db('refund_draft').where({ id: draftId, organisation_id: organisationId }).whereNull('submitted_at').update({ updated_at: db.fn.now(), updated_by: personId });
}

export async function deleteDraft(db: Conn, organisationId: number, draftId: number): Promise<boolean> {
  return (await db('refund_draft').where({ id: draftId, organisation_id: organisationId }).whereNull('submitted_at').delete()) === 1;
}

/** The organisation's unsubmitted drafts, newest first, with what identifies them to a person. */
export async function listDrafts(db: Conn, organisationId: number): Promise<DraftListRow[]> {
  return db('refund_draft as d')
    .leftJoin('person as p', 'p.id', 'd.updated_by')
    .where('d.organisation_id', organisationId)
    .whereNull('d.submitted_at')
    .orderBy([{ column: 'd.updated_at', order: 'desc' }, { column: 'd.id', order: 'desc' }])
    .select<DraftListRow[]>(
      'd.id',
      'd.updated_at',
      db.raw(`nullif(concat_ws(' ', p.first_name, p.last_name), '') as updated_by_name`),
      db.raw(`nullif(btrim(concat_ws(' ', d.steps->'werknemer'->>'firstName', d.steps->'werknemer'->>'lastName')), '') as employee_name`),
      db.raw(`nullif(btrim(d.steps->'opleiding'->>'trainingName'), '') as training_name`),
    );
}

export async function markDraftSubmitted(trx: Knex.Transaction, draftId: number, at: Date): Promise<void> {
  await trx('refund_draft').where({ id: draftId }).update({ submitted_at: at });
}

// ---- establishment units ----

export interface EstablishmentUnitRow {
  id: number;
  number: string;
  name: string;
  street: string | null;
  postcode: string | null;
  city: string | null;
}

export async function listEstablishmentUnits(db: Conn, organisationId: number): Promise<EstablishmentUnitRow[]> {
  return db('establishment_unit').where({ organisation_id: organisationId }).orderBy('name').select('id', 'number', 'name', 'street', 'postcode', 'city');
}

export interface OrganisationRow {
  id: number;
  kbo: string;
  name: string;
}

export async function findOrganisation(db: Conn, organisationId: number): Promise<OrganisationRow> {
  return db('organisation').where({ id: organisationId }).first('id', 'kbo', 'name');
}

// ---- attachments ----

const ATTACHMENT_COLUMNS = ['id', 'draft_id', 'kind', 'filename', 'content_type', 'size_bytes', 'uploaded_at'];

export async function listAttachments(db: Conn, organisationId: number, draftId: number): Promise<AttachmentRow[]> {
  return db('attachment').where({ organisation_id: organisationId, draft_id: draftId }).orderBy('id').select(ATTACHMENT_COLUMNS);
}

export async function addAttachment(db: Conn, organisationId: number, draftId: number, upload: CheckedUpload, personId: number): Promise<number> {
  const [row] = await db('attachment')
    .insert({
      organisation_id: organisationId,
      draft_id: draftId,
      kind: upload.kind,
      filename: upload.filename,
      content_type: upload.contentType,
      size_bytes: upload.data.length,
      sha256: upload.sha256,
      content: upload.data,
      uploaded_by: personId,
    })
    .returning<{ id: number }[]>('id');
  return row.id;
}

export async function findAttachmentContent(db: Conn, organisationId: number, draftId: number, attachmentId: number): Promise<(AttachmentRow & { content: Buffer }) | undefined> {
  return db('attachment').where({ id: attachmentId, draft_id: draftId, organisation_id: organisationId }).first([...ATTACHMENT_COLUMNS, 'content']);
}

/** Removes an attachment of a draft that is not submitted yet; what was submitted stays. */
export async function deleteAttachment(db: Conn, organisationId: number, draftId: number, attachmentId: number): Promise<boolean> {
  const deleted = await db('attachment')
    .where({ id: attachmentId, draft_id: draftId, organisation_id: organisationId })
    .whereIn('draft_id', db('refund_draft').select('id').where({ id: draftId, organisation_id: organisationId }).whereNull('submitted_at'))
    .delete();
  return deleted === 1;
}

// ---- dossiers ----

type PriorDossierRow = Pick<DossierRow, 'dossiernummer' | 'employee_insz' | 'training_key' | 'odb_number' | 'school_year_start' | 'initiative' | 'vov_hours'>;
const PRIOR_DOSSIER_COLUMNS = ['dossiernummer', 'employee_insz', 'training_key', 'odb_number', 'school_year_start', 'initiative', 'vov_hours'];

function toPriorDossier(r: PriorDossierRow): PriorDossier {
  return {
    dossiernummer: r.dossiernummer,
    trainingKey: r.training_key,
    odbNumber: r.odb_number,
    schoolYearStart: r.school_year_start,
    initiative: r.initiative,
    vovHours: Number(r.vov_hours),
  };
}

export async function priorDossiers(db: Conn, organisationId: number, insz: string, exceptDraftId: number | null): Promise<PriorDossier[]> {
  const rows = await db('dossier')
    .where({ organisation_id: organisationId, employee_insz: insz })
    .whereIn('status', BLOCKING_STATUSES)
    .modify((q) => {
      if (exceptDraftId !== null) q.whereNot('draft_id', exceptDraftId);
    })
    .orderBy('id')
    .select<PriorDossierRow[]>(PRIOR_DOSSIER_COLUMNS);
  return rows.map(toPriorDossier);
}

/** priorDossiers for many employees in ONE query (the CSV upload checks thousands of rows at once), by INSZ. */
export async function priorDossiersOfEmployees(db: Conn, organisationId: number, insz: readonly string[]): Promise<Map<string, PriorDossier[]>> {
  const byInsz = new Map<string, PriorDossier[]>();
  if (insz.length === 0) return byInsz;
  const rows = await db('dossier')
    .where({ organisation_id: organisationId })
    .whereRaw('employee_insz = ANY(?::char(11)[])', [[...new Set(insz)]])
    .whereIn('status', BLOCKING_STATUSES)
    .orderBy('id')
    .select<PriorDossierRow[]>(PRIOR_DOSSIER_COLUMNS);
  for (const r of rows) {
    const list = byInsz.get(r.employee_insz) ?? [];
    list.push(toPriorDossier(r));
    byInsz.set(r.employee_insz, list);
  }
  return byInsz;
}

/**
 * The next `count` dossiernummers, VOV-<year>-<6 digits>, from the database sequence in one round trip
 * (never handed out twice, also across instances; never reused, even after a rollback).
 */
export async function nextDossierNumbers(trx: Conn, year: number, count: number): Promise<string[]> {
  const { rows } = await trx.raw<{ rows: { n: string }[] }>(`SELECT nextval('dossier_number_seq') AS n FROM generate_series(1, ?::int) ORDER BY 1`, [count]);
  return rows.map((r) => `VOV-${year}-${String(r.n).padStart(6, '0')}`);
}

export async function insertDossier(trx: Knex.Transaction, dossier: NewDossier): Promise<number> {
  const [row] = await trx('dossier')
    .insert({ ...dossier, snapshot: JSON.stringify(dossier.snapshot) })
    .returning<{ id: number }[]>('id');
  return row.id;
}

export async function findDossierByDraft(db: Conn, organisationId: number, draftId: number): Promise<DossierRow | undefined> {
  return db('dossier').where({ draft_id: draftId, organisation_id: organisationId }).first();
}

export async function findDossierByNumber(db: Conn, organisationId: number, dossiernummer: string): Promise<DossierRow | undefined> {
  return db('dossier').where({ dossiernummer, organisation_id: organisationId }).first();
}

/** The list columns (not the snapshot) of the organisation's dossiers, newest first. */
export async function listDossiers(db: Conn, organisationId: number, schoolYearStart: number | null): Promise<Omit<DossierRow, 'snapshot'>[]> {
  return db('dossier')
    .where({ organisation_id: organisationId })
    .modify((q) => {
      if (schoolYearStart !== null) q.where('school_year_start', schoolYearStart);
    })
    .orderBy([{ column: 'submitted_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .select(
      'id', 'dossiernummer', 'organisation_id', 'draft_id', 'status', 'employee_insz', 'employee_first_name', 'employee_last_name', 'employee_email',
      'training_type', 'training_name', 'odb_number', 'training_key', 'training_start_date', 'school_year_start', 'initiative',
      'training_hours', 'vov_hours', 'forfait_cents', 'amount_cents', 'submitted_at', 'submitted_by',
    );
}

export async function dossierSchoolYears(db: Conn, organisationId: number): Promise<number[]> {
  const rows = await db('dossier').where({ organisation_id: organisationId }).distinct('school_year_start').orderBy('school_year_start', 'desc');
  return rows.map((r: { school_year_start: number }) => r.school_year_start);
}

/** True when the error is the one-request-per-employee-training-school-year constraint. */
export function isDuplicateDossierError(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === 'dossier_one_per_training_idx';
}
