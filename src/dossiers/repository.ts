import type { Knex } from 'knex';
import type { Db } from '../db/knex.js';

/** Reading dossiers: one by its number, and the follow-up overview's lists, filtered and searched, a page at a time. */

type Conn = Db | Knex.Transaction;

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

export interface DossierFilter {
  organisationId: number;
  schoolYearStart: number | null;
  status: string | null;
  /** A dossiernummer (or part of it) or an employee's name (or part of it); case does not matter. */
  search: string | null;
}

export type DossierListRow = Omit<DossierRow, 'snapshot'> & {
  /** When the status last changed (null: never since filing). */
  status_changed_at: Date | null;
  approved_hours: string | null;
  approved_amount_cents: number | null;
};

const LIST_COLUMNS = [
  'id',
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
  'submitted_at',
  'submitted_by',
  'status_changed_at',
  'approved_hours',
  'approved_amount_cents',
];

/** The text as a LIKE pattern that matches it anywhere, with %, _ and \ taken literally. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filtered(db: Conn, f: DossierFilter) {
  return db('dossier')
    .where({ organisation_id: f.organisationId })
    .modify((q) => {
      if (f.schoolYearStart !== null) q.where('school_year_start', f.schoolYearStart);
      if (f.status !== null) q.where('status', f.status);
      if (f.search !== null) {
        const pattern = containing(f.search);
        q.where((w) =>
          w
            .whereRaw('dossiernummer ILIKE ?', [pattern])
            .orWhereRaw(`concat_ws(' ', employee_first_name, employee_last_name) ILIKE ?`, [pattern])
            .orWhereRaw(`concat_ws(' ', employee_last_name, employee_first_name) ILIKE ?`, [pattern]),
        );
      }
    });
}

const NEWEST_FIRST = [
  { column: 'submitted_at', order: 'desc' },
  { column: 'id', order: 'desc' },
] as const;

/**
 * How many dossiers match, counted up to `limit` + 1 only: the list says "meer dan 1.000" rather than reading
 * every dossier of a large organisation for an exact number.
 */
export async function countDossiersUpTo(db: Conn, f: DossierFilter, limit: number): Promise<number> {
  const row = await db
    // In the list's order, so PostgreSQL reads the list's index (index-only) rather than the table.
    .from(
      filtered(db, f)
        .select(db.raw('1'))
        .orderBy([...NEWEST_FIRST])
        .limit(limit + 1)
        .as('x'),
    )
    .count<{ n: string }[]>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

/** Where a page starts: after (older than) or before (newer than) the dossier with this dossiernummer. */
export type DossierCursor = { after: string } | { before: string };

export interface DossierPage {
  rows: DossierListRow[];
  /** The dossiernummer to page from for the newer and the older page, null where there is none. */
  newer: string | null;
  older: string | null;
}

/**
 * One page of the list, newest first, by keyset: rows beside the cursor dossier in the list's index order, so
 * page 4 000 costs what page 1 costs. An unknown cursor (a dossier purged meanwhile) gives the first page.
 */
export async function findDossierPage(
  db: Conn,
  f: DossierFilter,
  cursor: DossierCursor | null,
  size: number,
): Promise<DossierPage> {
  const read = (c: DossierCursor | null) => {
    const q = filtered(db, f)
      .select<DossierListRow[]>(LIST_COLUMNS)
      .limit(size + 1);
    if (c === null) return q.orderBy([...NEWEST_FIRST]);
    const before = 'before' in c;
    const anchor = db('dossier')
      .where({ organisation_id: f.organisationId, dossiernummer: before ? c.before : c.after })
      .select('submitted_at', 'id');
    q.whereRaw(`(submitted_at, id) ${before ? '>' : '<'} (?)`, [anchor]);
    return before
      ? q.orderBy([
          { column: 'submitted_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ])
      : q.orderBy([...NEWEST_FIRST]);
  };
  const firstPage = async (): Promise<DossierPage> => {
    const rows = await read(null);
    return { rows: rows.slice(0, size), newer: null, older: rows.length > size ? rows[size - 1].dossiernummer : null };
  };
  if (cursor === null) return firstPage();
  const rows = await read(cursor);
  if ('after' in cursor) {
    if (rows.length === 0) return firstPage();
    const page = rows.slice(0, size);
    return {
      rows: page,
      newer: page[0].dossiernummer,
      older: rows.length > size ? page[size - 1].dossiernummer : null,
    };
  }
  // Going back to the first page (or from an unknown cursor): the first page as it is now, full.
  if (rows.length <= size) return firstPage();
  const page = rows.slice(0, size).reverse();
  return { rows: page, newer: page[0].dossiernummer, older: page[size - 1].dossiernummer };
}

/** Every matching dossier, newest first, streamed from a server-side cursor (the CSV export: flat memory). */
export function streamDossiers(db: Conn, f: DossierFilter): NodeJS.ReadableStream & AsyncIterable<DossierListRow> {
  return filtered(db, f)
    .orderBy([...NEWEST_FIRST])
    .select(LIST_COLUMNS)
    .stream() as unknown as NodeJS.ReadableStream & AsyncIterable<DossierListRow>;
}

/**
 * The school years the organisation has dossiers in, newest first: one index probe per year (a loose index
 * scan over dossier_school_year_idx) instead of reading every dossier.
 */
export async function dossierSchoolYears(db: Conn, organisationId: number): Promise<number[]> {
  const { rows } = await db.raw<{ rows: { year: number }[] }>(
    `WITH RECURSIVE y(year) AS (
       (SELECT school_year_start FROM dossier WHERE organisation_id = :org ORDER BY school_year_start DESC LIMIT 1)
       UNION ALL
       SELECT (SELECT d.school_year_start FROM dossier d
                WHERE d.organisation_id = :org AND d.school_year_start < y.year
                ORDER BY d.school_year_start DESC LIMIT 1)
         FROM y WHERE y.year IS NOT NULL)
     SELECT year FROM y WHERE year IS NOT NULL`,
    { org: organisationId },
  );
  return rows.map((r) => r.year);
}

export async function findDossierByNumber(
  db: Conn,
  organisationId: number,
  dossiernummer: string,
): Promise<DossierRow | undefined> {
  return db('dossier').where({ dossiernummer, organisation_id: organisationId }).first();
}
