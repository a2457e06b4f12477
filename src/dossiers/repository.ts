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

export async function countDossiers(db: Conn, f: DossierFilter): Promise<number> {
  const row = await filtered(db, f).count<{ n: string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Newest first; without `page` every matching dossier (the CSV export). */
export async function findDossiers(
  db: Conn,
  f: DossierFilter,
  page?: { offset: number; limit: number },
): Promise<DossierListRow[]> {
  return filtered(db, f)
    .orderBy([
      { column: 'submitted_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .modify((q) => {
      if (page) q.offset(page.offset).limit(page.limit);
    })
    .select<DossierListRow[]>(LIST_COLUMNS);
}

export async function findDossierByNumber(
  db: Conn,
  organisationId: number,
  dossiernummer: string,
): Promise<DossierRow | undefined> {
  return db('dossier').where({ dossiernummer, organisation_id: organisationId }).first();
}

export async function dossierSchoolYears(db: Conn, organisationId: number): Promise<number[]> {
  const rows = await db('dossier')
    .where({ organisation_id: organisationId })
    .distinct('school_year_start')
    .orderBy('school_year_start', 'desc');
  return rows.map((r: { school_year_start: number }) => r.school_year_start);
}
