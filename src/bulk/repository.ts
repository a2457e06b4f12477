import type { Knex } from 'knex';
import type { Db } from '../db/knex.js';
import type { ColumnKey } from './columns.js';
import type { RowError, RowSummary } from './validate.js';

/**
 * Data access for uploads and their rows. Every lookup of an upload takes the organisation id: another
 * organisation's upload is simply not found (a 404). Rows are written and updated in multi-row
 * statements: an upload has up to 5 000 of them.
 */

type Conn = Db | Knex.Transaction;

export type UploadStatus = 'voorbeeld' | 'ingediend';

export interface UploadRow {
  id: number;
  organisation_id: number;
  created_by: number | null;
  created_at: Date;
  filename: string;
  encoding: string;
  notices: string[];
  row_count: number;
  valid_count: number;
  status: UploadStatus;
  revalidated_at: Date | null;
  submitted_at: Date | null;
  submitted_by: number | null;
}

export interface StoredRow {
  line: number;
  valid: boolean;
  cells: Record<ColumnKey, string>;
  row_problem: string | null;
  errors: RowError[];
  summary: RowSummary;
  dossier_id: number | null;
}

export interface RowToStore {
  line: number;
  valid: boolean;
  cells: Record<ColumnKey, string>;
  rowProblem: string | null;
  errors: RowError[];
  summary: RowSummary;
}

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function insertUpload(
  trx: Conn,
  u: {
    organisationId: number;
    createdBy: number;
    filename: string;
    encoding: string;
    notices: string[];
    rowCount: number;
    validCount: number;
  },
): Promise<number> {
  const [row] = await trx('bulk_upload')
    .insert({
      organisation_id: u.organisationId,
      created_by: u.createdBy,
      filename: u.filename,
      encoding: u.encoding,
      notices: JSON.stringify(u.notices),
      row_count: u.rowCount,
      valid_count: u.validCount,
    })
    .returning<{ id: number }[]>('id');
  return Number(row.id);
}

export async function insertRows(trx: Conn, uploadId: number, rows: readonly RowToStore[]): Promise<void> {
  for (const part of chunks(rows)) {
    await trx('bulk_upload_row').insert(
      part.map((r) => ({
        upload_id: uploadId,
        line: r.line,
        valid: r.valid,
        cells: JSON.stringify(r.cells),
        row_problem: r.rowProblem,
        errors: JSON.stringify(r.errors),
        summary: JSON.stringify(r.summary),
      })),
    );
  }
}

export async function findUpload(
  db: Conn,
  organisationId: number,
  uploadId: number,
  options: { forUpdate?: boolean } = {},
): Promise<UploadRow | undefined> {
  const query = db('bulk_upload')
    .where({ id: uploadId, organisation_id: organisationId })
    .first<UploadRow | undefined>();
  return options.forUpdate ? query.forUpdate() : query;
}

export interface UploadListRow extends UploadRow {
  created_by_name: string | null;
}

/** The organisation's uploads of the last `days` days, newest first. */
export async function listRecentUploads(
  db: Conn,
  organisationId: number,
  since: Date,
  limit = 20,
): Promise<UploadListRow[]> {
  return db('bulk_upload as u')
    .leftJoin('person as p', 'p.id', 'u.created_by')
    .where('u.organisation_id', organisationId)
    .where('u.created_at', '>=', since)
    .orderBy([
      { column: 'u.created_at', order: 'desc' },
      { column: 'u.id', order: 'desc' },
    ])
    .limit(limit)
    .select<UploadListRow[]>('u.*', db.raw(`nullif(concat_ws(' ', p.first_name, p.last_name), '') as created_by_name`));
}

export async function countRows(db: Conn, uploadId: number, onlyInvalid: boolean): Promise<number> {
  const row = await db('bulk_upload_row')
    .where({ upload_id: uploadId })
    .modify((q) => {
      if (onlyInvalid) q.where({ valid: false });
    })
    .count<{ n: string }[]>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

export async function pageOfRows(
  db: Conn,
  uploadId: number,
  o: { onlyInvalid: boolean; offset: number; limit: number },
): Promise<StoredRow[]> {
  return db('bulk_upload_row')
    .where({ upload_id: uploadId })
    .modify((q) => {
      if (o.onlyInvalid) q.where({ valid: false });
    })
    .orderBy('line')
    .offset(o.offset)
    .limit(o.limit)
    .select<StoredRow[]>('line', 'valid', 'cells', 'row_problem', 'errors', 'summary', 'dossier_id');
}

export async function allRows(db: Conn, uploadId: number, o: { onlyInvalid?: boolean } = {}): Promise<StoredRow[]> {
  return db('bulk_upload_row')
    .where({ upload_id: uploadId })
    .modify((q) => {
      if (o.onlyInvalid) q.where({ valid: false });
    })
    .orderBy('line')
    .select<StoredRow[]>('line', 'valid', 'cells', 'row_problem', 'errors', 'summary', 'dossier_id');
}

/**
 * For each column with problems: how many rows, the first row's line, and that row's position among the
 * invalid rows (to link to the page of the errors-only view it is on). One query.
 */
export async function errorColumns(
  db: Conn,
  uploadId: number,
): Promise<{ column: string | null; rows: number; first_line: number; first_pos: number }[]> {
  const { rows } = await db.raw<{
    rows: { column: string | null; rows: string; first_line: number; first_pos: string }[];
  }>(
    `WITH invalid AS (
       SELECT line, errors, row_number() OVER (ORDER BY line) - 1 AS pos FROM bulk_upload_row WHERE upload_id = ? AND NOT valid
     )
     SELECT e->>'column' AS column, count(DISTINCT line) AS rows, min(line) AS first_line, min(pos) AS first_pos
       FROM invalid CROSS JOIN LATERAL jsonb_array_elements(errors) e
      GROUP BY 1`,
    [uploadId],
  );
  return rows.map((r) => ({
    column: r.column,
    rows: Number(r.rows),
    first_line: r.first_line,
    first_pos: Number(r.first_pos),
  }));
}

/** Stores the outcome of a new validation of every row (a confirmation found that something changed). */
export async function updateRowResults(
  trx: Knex.Transaction,
  uploadId: number,
  rows: readonly { line: number; valid: boolean; errors: RowError[]; summary: RowSummary }[],
): Promise<void> {
  for (const part of chunks(rows)) {
    await trx.raw(
      `UPDATE bulk_upload_row r SET valid = v.valid, errors = v.errors, summary = v.summary
         FROM unnest(?::int[], ?::boolean[], ?::jsonb[], ?::jsonb[]) AS v(line, valid, errors, summary)
        WHERE r.upload_id = ? AND r.line = v.line`,
      [
        part.map((r) => r.line),
        part.map((r) => r.valid),
        part.map((r) => JSON.stringify(r.errors)),
        part.map((r) => JSON.stringify(r.summary)),
        uploadId,
      ],
    );
  }
}

export async function markRevalidated(
  trx: Knex.Transaction,
  uploadId: number,
  validCount: number,
  at: Date,
): Promise<void> {
  await trx('bulk_upload').where({ id: uploadId }).update({ valid_count: validCount, revalidated_at: at });
}

export async function linkDossiers(
  trx: Knex.Transaction,
  uploadId: number,
  links: readonly { line: number; dossierId: number }[],
): Promise<void> {
  for (const part of chunks(links)) {
    await trx.raw(
      `UPDATE bulk_upload_row r SET dossier_id = v.dossier_id
         FROM unnest(?::int[], ?::bigint[]) AS v(line, dossier_id)
        WHERE r.upload_id = ? AND r.line = v.line`,
      [part.map((l) => l.line), part.map((l) => l.dossierId), uploadId],
    );
  }
}

export async function markSubmitted(
  trx: Knex.Transaction,
  uploadId: number,
  personId: number,
  at: Date,
): Promise<void> {
  await trx('bulk_upload')
    .where({ id: uploadId })
    .update({ status: 'ingediend', submitted_at: at, submitted_by: personId });
}

/** Discards a preview; a confirmed upload stays (its summary receipt). */
export async function deletePreview(db: Conn, organisationId: number, uploadId: number): Promise<boolean> {
  return (
    (await db('bulk_upload').where({ id: uploadId, organisation_id: organisationId, status: 'voorbeeld' }).delete()) ===
    1
  );
}

/** Previews nobody confirmed are kept for a while, then removed (they hold personal data), of every organisation. */
export async function deleteStalePreviews(db: Conn, before: Date): Promise<number> {
  return db('bulk_upload').where({ status: 'voorbeeld' }).where('created_at', '<', before).delete();
}

export interface FiledRow {
  line: number;
  dossiernummer: string;
  employee_first_name: string;
  employee_last_name: string;
  employee_insz: string;
  training_name: string;
  school_year_start: number;
  vov_hours: string;
  amount_cents: number;
  status: string;
}

/** The dossiers an upload became, in the order of the file. */
export async function filedRows(
  db: Conn,
  uploadId: number,
  page?: { offset: number; limit: number },
): Promise<FiledRow[]> {
  return db('bulk_upload_row as r')
    .join('dossier as d', 'd.id', 'r.dossier_id')
    .where('r.upload_id', uploadId)
    .orderBy('r.line')
    .modify((q) => {
      if (page) q.offset(page.offset).limit(page.limit);
    })
    .select<FiledRow[]>(
      'r.line',
      'd.dossiernummer',
      'd.employee_first_name',
      'd.employee_last_name',
      'd.employee_insz',
      'd.training_name',
      'd.school_year_start',
      'd.vov_hours',
      'd.amount_cents',
      'd.status',
    );
}

export async function filedTotals(db: Conn, uploadId: number): Promise<{ count: number; amountCents: number }> {
  const row = await db('bulk_upload_row as r')
    .join('dossier as d', 'd.id', 'r.dossier_id')
    .where('r.upload_id', uploadId)
    .first<{ count: string; amount: string | null }>(
      db.raw('count(*) AS count'),
      db.raw('sum(d.amount_cents) AS amount'),
    );
  return { count: Number(row?.count ?? 0), amountCents: Number(row?.amount ?? 0) };
}
