import type { Knex } from 'knex';
import { prepared, preparedRows, type Db } from '../db/knex.js';
import type { DossierRow } from '../dossiers/repository.js';
import type { EstablishmentUnitRow } from '../organisations/repository.js';
import type { AttachmentKind, CheckedUpload } from './attachments.js';

/**
 * Data access for drafts, attachments and filing dossiers. Every lookup by id takes the organisation id as
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
export const BLOCKING_STATUSES = [
  'ingediend',
  'in_behandeling',
  'aanvulling_gevraagd',
  'goedgekeurd',
  'stopgezet',
] as const;

// ---- drafts ----

export async function createDraft(
  db: Conn,
  organisationId: number,
  personId: number,
  steps: StepInputs,
): Promise<number> {
  const [row] = await db('refund_draft')
    .insert({
      organisation_id: organisationId,
      created_by: personId,
      updated_by: personId,
      steps: JSON.stringify(steps),
    })
    .returning<{ id: number }[]>('id');
  return row.id;
}

/** Stores one step's input; a draft that was submitted meanwhile is left alone (returns false). */
export async function saveStepInput(
  db: Conn,
  organisationId: number,
  draftId: number,
  stepId: string,
  input: Record<string, string>,
  personId: number,
): Promise<boolean> {
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
  await db('refund_draft')
    .where({ id: draftId, organisation_id: organisationId })
    .whereNull('submitted_at')
    .update({ updated_at: db.fn.now(), updated_by: personId });
}

export async function deleteDraft(db: Conn, organisationId: number, draftId: number): Promise<boolean> {
  return (
    (await db('refund_draft')
      .where({ id: draftId, organisation_id: organisationId })
      .whereNull('submitted_at')
      .delete()) === 1
  );
}

/** The organisation's unsubmitted drafts, newest first, with what identifies them to a person. */
export async function listDrafts(db: Conn, organisationId: number): Promise<DraftListRow[]> {
  return db('refund_draft as d')
    .leftJoin('person as p', 'p.id', 'd.updated_by')
    .where('d.organisation_id', organisationId)
    .whereNull('d.submitted_at')
    .orderBy([
      { column: 'd.updated_at', order: 'desc' },
      { column: 'd.id', order: 'desc' },
    ])
    .select<DraftListRow[]>(
      'd.id',
      'd.updated_at',
      db.raw(`nullif(concat_ws(' ', p.first_name, p.last_name), '') as updated_by_name`),
      db.raw(
        `nullif(btrim(concat_ws(' ', d.steps->'werknemer'->>'firstName', d.steps->'werknemer'->>'lastName')), '') as employee_name`,
      ),
      db.raw(`nullif(btrim(d.steps->'opleiding'->>'trainingName'), '') as training_name`),
    );
}

/** Step 1 as it was answered for the organisation's most recently submitted request (a new one starts from it). */
export async function lastSubmittedWerkgever(db: Conn, organisationId: number): Promise<Record<string, string> | null> {
  const row = await db('refund_draft')
    .where({ organisation_id: organisationId })
    .whereNotNull('submitted_at')
    .orderBy([
      { column: 'submitted_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first<{ werkgever: Record<string, string> | null } | undefined>(db.raw(`steps->'werkgever' as werkgever`));
  return row?.werkgever ?? null;
}

// ---- attachments ----

const ATTACHMENT_COLUMNS = ['id', 'draft_id', 'kind', 'filename', 'content_type', 'size_bytes', 'uploaded_at'];

export async function addAttachment(
  db: Conn,
  organisationId: number,
  draftId: number,
  upload: CheckedUpload,
  personId: number,
): Promise<number> {
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

export async function findAttachmentContent(
  db: Conn,
  organisationId: number,
  draftId: number,
  attachmentId: number,
): Promise<(AttachmentRow & { content: Buffer }) | undefined> {
  return db('attachment')
    .where({ id: attachmentId, draft_id: draftId, organisation_id: organisationId })
    .first([...ATTACHMENT_COLUMNS, 'content']);
}

/** Removes an attachment of a draft that is not submitted yet; what was submitted stays. */
export async function deleteAttachment(
  db: Conn,
  organisationId: number,
  draftId: number,
  attachmentId: number,
): Promise<boolean> {
  const deleted = await db('attachment')
    .where({ id: attachmentId, draft_id: draftId, organisation_id: organisationId })
    .whereIn(
      'draft_id',
      // Locked: a removal waits for a filing of the draft in progress (and then finds it submitted).
      db('refund_draft')
        .select('id')
        .where({ id: draftId, organisation_id: organisationId })
        .whereNull('submitted_at')
        .forUpdate(),
    )
    .delete();
  return deleted === 1;
}

// ---- dossiers ----

type PriorDossierRow = Pick<
  DossierRow,
  'dossiernummer' | 'employee_insz' | 'training_key' | 'odb_number' | 'school_year_start' | 'initiative' | 'vov_hours'
>;
const PRIOR_DOSSIER_COLUMNS = [
  'dossiernummer',
  'employee_insz',
  'training_key',
  'odb_number',
  'school_year_start',
  'initiative',
  'vov_hours',
];

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

// ---- everything a form page needs, in one round trip ----

/** A draft with what its rules and page read: the rows of five tables, fetched by ONE statement. */
export interface DraftPage {
  /** null for a request not saved yet, or an id that is not one of the organisation's drafts. */
  draft: DraftRow | null;
  attachments: AttachmentRow[];
  /** Set once the draft was submitted. */
  dossiernummer: string | null;
  units: EstablishmentUnitRow[];
  /** Blocking dossiers (other than the draft's own) of the employee of the stored input and of `insz`, by INSZ. */
  priorDossiers: Map<string, PriorDossier[]>;
}

interface DraftPageRow extends Partial<DraftRow> {
  found: boolean;
  page_attachments: (Omit<AttachmentRow, 'uploaded_at'> & { uploaded_at: string })[];
  page_dossiernummer: string | null;
  page_units: EstablishmentUnitRow[];
  page_prior: PriorDossierRow[];
}

const BLOCKING_STATUSES_SQL = `ARRAY[${BLOCKING_STATUSES.map((s) => `'${s}'`).join(', ')}]`;

/**
 * Every form request reads this, so it is one statement instead of five round trips: the draft, its
 * attachments and dossier, the organisation's units and the prior dossiers of the employee. The employee is
 * whoever the stored input names (digits of its INSZ field) plus `insz` (a value just posted).
 */
export async function loadDraftPage(
  db: Conn,
  organisationId: number,
  draftId: number | null,
  insz: readonly string[] = [],
): Promise<DraftPage> {
  const [row] = await preparedRows<DraftPageRow>(
    db,
    'draft-page',
    `SELECT d.*, d.id IS NOT NULL AS found,
       (SELECT coalesce(json_agg(a ORDER BY a.id), '[]') FROM (
          SELECT ${ATTACHMENT_COLUMNS.join(', ')} FROM attachment
           WHERE organisation_id = prm.organisation_id AND draft_id = d.id) a) AS page_attachments,
       (SELECT dossiernummer FROM dossier WHERE organisation_id = prm.organisation_id AND draft_id = d.id) AS page_dossiernummer,
       (SELECT coalesce(json_agg(u ORDER BY u.name), '[]') FROM (
          SELECT id, number, name, street, postcode, city FROM establishment_unit WHERE organisation_id = prm.organisation_id) u) AS page_units,
       -- char(11) as the column: a text array would make PostgreSQL cast the column and skip its index.
       (SELECT coalesce(json_agg(p ORDER BY p.id), '[]') FROM (
          SELECT id, ${PRIOR_DOSSIER_COLUMNS.join(', ')} FROM dossier
           WHERE organisation_id = prm.organisation_id AND status = ANY(${BLOCKING_STATUSES_SQL}) AND draft_id IS DISTINCT FROM d.id
             AND employee_insz = ANY((prm.insz || regexp_replace(coalesce(d.steps->'werknemer'->>'insz', ''), '\\D', '', 'g'))::char(11)[])) p) AS page_prior
     FROM (SELECT $1::bigint AS draft_id, $2::bigint AS organisation_id, $3::text[] AS insz) prm
     LEFT JOIN refund_draft d ON d.id = prm.draft_id AND d.organisation_id = prm.organisation_id`,
    [draftId ?? 0, organisationId, [...insz]],
  );
  const { found, page_attachments, page_dossiernummer, page_units, page_prior, ...draft } = row;
  const priorDossiers = new Map<string, PriorDossier[]>();
  for (const r of page_prior)
    priorDossiers.set(r.employee_insz, [...(priorDossiers.get(r.employee_insz) ?? []), toPriorDossier(r)]);
  return {
    draft: found ? (draft as DraftRow) : null,
    attachments: page_attachments.map((a) => ({ ...a, uploaded_at: new Date(a.uploaded_at) })),
    dossiernummer: page_dossiernummer,
    units: page_units,
    priorDossiers,
  };
}

// ---- filing (see service.fileDrafts) ----

/**
 * Locks the organisation's drafts with these ids until the transaction ends (in id order, so two filings never
 * wait for each other crosswise); another organisation's id is simply not among them. Only the lock: what the
 * filing reads next (filingReads) is read by a later statement, whose snapshot then includes whatever the
 * filing this one waited for committed.
 */
export async function lockDrafts(
  trx: Knex.Transaction,
  organisationId: number,
  ids: readonly number[],
): Promise<Pick<DraftRow, 'id' | 'steps' | 'submitted_at'>[]> {
  const { rows } = await trx
    .raw<{ rows: Pick<DraftRow, 'id' | 'steps' | 'submitted_at'>[] }>(
      `SELECT id, steps, submitted_at FROM refund_draft WHERE organisation_id = ? AND id = ANY(?::bigint[])
     ORDER BY id FOR UPDATE`,
      [organisationId, [...ids]],
    )
    .options(prepared('filing-lock'));
  return rows;
}

/** What filing locked drafts needs besides them (see service.fileDrafts). */
export interface FilingReads {
  units: EstablishmentUnitRow[];
  /** The attachments of `toFile`, by id. */
  attachments: AttachmentRow[];
  /** Blocking dossiers of `insz`, by INSZ. */
  priorDossiers: Map<string, PriorDossier[]>;
  /** The dossiers of `filed` (drafts a filing before this one submitted). */
  dossiers: { id: number; draft_id: number; dossiernummer: string }[];
  /** `count` new numbers of dossier_number_seq, ascending (never reused, even after a rollback). */
  numbers: number[];
}

interface FilingReadsRow {
  units: EstablishmentUnitRow[];
  attachments: (Omit<AttachmentRow, 'uploaded_at'> & { uploaded_at: string })[];
  prior: PriorDossierRow[];
  dossiers: FilingReads['dossiers'];
  numbers: number[];
}

/**
 * Everything filing reads after the lock, in ONE statement (in the CPU profile of Bevestigen, sending its
 * statements weighed about five times as much as judging the draft): the organisation's units, the attachments of the drafts to file,
 * the blocking dossiers of their employees, the dossiers of drafts filed before, and the new dossier numbers.
 */
export async function filingReads(
  trx: Knex.Transaction,
  organisationId: number,
  ids: { toFile: readonly number[]; filed: readonly number[]; insz: readonly string[]; count: number },
): Promise<FilingReads> {
  const { rows } = await trx
    .raw<{ rows: FilingReadsRow[] }>(
      `SELECT
       (SELECT coalesce(json_agg(u ORDER BY u.name), '[]') FROM (
          SELECT id, number, name, street, postcode, city FROM establishment_unit WHERE organisation_id = prm.org) u) AS units,
       (SELECT coalesce(json_agg(a ORDER BY a.id), '[]') FROM (
          SELECT ${ATTACHMENT_COLUMNS.join(', ')} FROM attachment
           WHERE organisation_id = prm.org AND draft_id = ANY(prm.to_file)) a) AS attachments,
       -- char(11) as the column: a text array would make PostgreSQL cast the column and skip its index.
       (SELECT coalesce(json_agg(p ORDER BY p.id), '[]') FROM (
          SELECT id, ${PRIOR_DOSSIER_COLUMNS.join(', ')} FROM dossier
           WHERE organisation_id = prm.org AND status = ANY(${BLOCKING_STATUSES_SQL}) AND employee_insz = ANY(prm.insz)) p) AS prior,
       (SELECT coalesce(json_agg(f), '[]') FROM (
          SELECT id, draft_id, dossiernummer FROM dossier WHERE organisation_id = prm.org AND draft_id = ANY(prm.filed)) f) AS dossiers,
       (SELECT coalesce(json_agg(n ORDER BY n), '[]') FROM (
          SELECT nextval('dossier_number_seq') AS n FROM generate_series(1, prm.count)) s) AS numbers
     FROM (SELECT ?::bigint AS org, ?::bigint[] AS to_file, ?::bigint[] AS filed, ?::char(11)[] AS insz, ?::int AS count) prm`,
      [organisationId, [...ids.toFile], [...ids.filed], [...new Set(ids.insz)], ids.count],
    )
    .options(prepared('filing-reads'));
  const { units, attachments, prior, dossiers, numbers } = rows[0];
  const priorDossiers = new Map<string, PriorDossier[]>();
  for (const r of prior)
    priorDossiers.set(r.employee_insz, [...(priorDossiers.get(r.employee_insz) ?? []), toPriorDossier(r)]);
  return {
    units,
    attachments: attachments.map((a) => ({ ...a, uploaded_at: new Date(a.uploaded_at) })),
    priorDossiers,
    dossiers,
    numbers,
  };
}

/**
 * Drafts for many requests at once (a CSV upload's rows), in one statement per 500; their ids are taken from
 * the table's sequence first so that each request knows its own draft without relying on the order RETURNING gives.
 */
export async function createDrafts(
  trx: Knex.Transaction,
  organisationId: number,
  personId: number,
  steps: readonly StepInputs[],
): Promise<number[]> {
  if (steps.length === 0) return [];
  const { rows } = await trx.raw<{ rows: { id: number }[] }>(
    `SELECT nextval(pg_get_serial_sequence('refund_draft', 'id')) AS id FROM generate_series(1, ?::int)`,
    [steps.length],
  );
  const ids = rows.map((r) => r.id);
  const all = steps.map((s, i) => ({
    id: ids[i],
    organisation_id: organisationId,
    created_by: personId,
    updated_by: personId,
    steps: JSON.stringify(s),
  }));
  for (let i = 0; i < all.length; i += 500) await trx('refund_draft').insert(all.slice(i, i + 500));
  return ids;
}

/** The blocking dossiers of many employees in ONE query (the CSV upload checks thousands of rows at once), by INSZ. */
export async function priorDossiersOfEmployees(
  db: Conn,
  organisationId: number,
  insz: readonly string[],
): Promise<Map<string, PriorDossier[]>> {
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

/** VOV-<year>-<6 digits>: a number from dossier_number_seq, which never hands one out twice (also across instances). */
export function dossiernummer(year: number, n: number): string {
  return `VOV-${year}-${String(n).padStart(6, '0')}`;
}

/** The next `count` numbers of dossier_number_seq in one round trip (never reused, even after a rollback). */
export async function nextDossierNumbers(trx: Conn, count: number): Promise<number[]> {
  const { rows } = await trx.raw<{ rows: { n: number }[] }>(
    `SELECT nextval('dossier_number_seq') AS n FROM generate_series(1, ?::int) ORDER BY 1`,
    [count],
  );
  return rows.map((r) => r.n);
}

/** True when the error is the one-request-per-employee-training-school-year constraint. */
export function isDuplicateDossierError(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === 'dossier_one_per_training_idx';
}
