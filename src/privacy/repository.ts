import type { Knex } from 'knex';
import type { Db } from '../db/knex.js';
import { memberNameColumns } from '../organisations/repository.js';

/** Data access of the privacy capability: access records, the purge's queries and its once-a-day claim. */

export type AccessWhat = 'dossier' | 'dossier-pdf' | 'attachment' | 'person';

export interface AccessRecordInput {
  at: Date;
  personId: number;
  organisationId: number;
  what: AccessWhat;
  requestId: string | null;
  dossiernummer?: string;
  draftId?: number;
  attachmentId?: number;
  subjectPersonId?: number;
}

export async function insertAccessRecord(db: Db, r: AccessRecordInput): Promise<void> {
  // An attachment is named by the dossier its draft became (if it did): the logbook shows a dossiernummer.
  const ofDraft = r.draftId ? db('dossier').where('draft_id', r.draftId).select('dossiernummer') : null;
  const dossiernummer = r.dossiernummer ?? ofDraft;
  await db('access_record').insert({
    at: r.at,
    person_id: r.personId,
    organisation_id: r.organisationId,
    what: r.what,
    dossiernummer,
    draft_id: r.draftId ?? null,
    attachment_id: r.attachmentId ?? null,
    subject_person_id: r.subjectPersonId ?? null,
    request_id: r.requestId,
  });
}

export interface AccessRecordRow {
  at: Date;
  what: AccessWhat;
  dossiernummer: string | null;
  actor_first_name: string | null;
  actor_last_name: string | null;
  subject_first_name: string | null;
  subject_last_name: string | null;
  subject_insz: string | null;
}

/** One organisation's access records, newest first: only records made while acting for that organisation. */
export async function listAccessRecords(db: Db, organisationId: number, limit: number): Promise<AccessRecordRow[]> {
  return (
    db('access_record as r')
      .leftJoin('person as actor', 'actor.id', 'r.person_id')
      .leftJoin('person as subject', 'subject.id', 'r.subject_person_id')
      // Names as this organisation knows them: what it typed, or the person's own once they chose it after a login.
      .leftJoin('membership as am', (j) =>
        j.on('am.person_id', 'r.person_id').andOn('am.organisation_id', 'r.organisation_id'),
      )
      .leftJoin('membership as sm', (j) =>
        j.on('sm.person_id', 'r.subject_person_id').andOn('sm.organisation_id', 'r.organisation_id'),
      )
      .where('r.organisation_id', organisationId)
      .orderBy([
        { column: 'r.at', order: 'desc' },
        { column: 'r.id', order: 'desc' },
      ])
      .limit(limit)
      .select<AccessRecordRow[]>(
        'r.at',
        'r.what',
        'r.dossiernummer',
        ...memberNameColumns(db, 'actor', 'am', 'actor_'),
        ...memberNameColumns(db, 'subject', 'sm', 'subject_'),
        'subject.insz as subject_insz',
      )
  );
}

// ---- the purge ----

/** Which rows of a table are past their period: a WHERE clause over the table (aliased `t`) and its bindings. */
export interface Due {
  table: string;
  key: string;
  where: string;
  bindings: readonly Knex.Value[];
}

export async function countDue(db: Db, due: Due): Promise<number> {
  const sql = `SELECT count(*) AS n FROM ${due.table} t WHERE ${due.where}`;
  const { rows } = await db.raw<{ rows: { n: number }[] }>(sql, [...due.bindings]);
  return rows[0].n;
}

/**
 * Locks up to `limit` due rows for the caller's transaction; rows another run holds are skipped, so two
 * runs at once never work on the same row.
 */
export async function lockDue(trx: Knex.Transaction, due: Due, limit: number): Promise<(string | number)[]> {
  const { rows } = await trx.raw<{ rows: { key: string | number }[] }>(
    `SELECT t.${due.key} AS key FROM ${due.table} t WHERE ${due.where}
      ORDER BY t.${due.key} LIMIT ? FOR UPDATE SKIP LOCKED`,
    [...due.bindings, limit],
  );
  return rows.map((r) => r.key);
}

/** Deletes the locked rows; the condition again, as a key need not be unique (a rate-limit key has many windows). */
export async function deleteRows(trx: Knex.Transaction, due: Due, keys: readonly (string | number)[]): Promise<void> {
  const sql = `DELETE FROM ${due.table} t WHERE t.${due.key} = ANY(?) AND ${due.where}`;
  await trx.raw(sql, [keys.map(String), ...due.bindings]);
}

/**
 * Deletes whole dossiers: their rows in confirmed CSV uploads, their history, the dossier, its draft and
 * attachments (by cascade), and a confirmed upload once none of its dossiers is left. One transaction: never half a dossier.
 */
export async function deleteDossiers(trx: Knex.Transaction, ids: readonly number[]): Promise<void> {
  const uploads = await trx('bulk_upload_row')
    .whereIn('dossier_id', ids)
    .delete()
    .returning<{ upload_id: number }[]>('upload_id');
  // The dossier's history after Bevestigen goes with it, answers' attachments first (they name their event).
  const events = trx('dossier_event').whereIn('dossier_id', ids).select('id');
  await trx('attachment').whereIn('event_id', events).delete();
  await trx('dossier_event').whereIn('dossier_id', ids).delete();
  const drafts = await trx('dossier').whereIn('id', ids).delete().returning<{ draft_id: number }[]>('draft_id');
  await trx('refund_draft')
    .whereIn(
      'id',
      drafts.map((d) => d.draft_id),
    )
    .delete();
  const uploadIds = [...new Set(uploads.map((u) => u.upload_id))];
  if (uploadIds.length) {
    await trx('bulk_upload')
      .whereIn('id', uploadIds)
      .whereNotExists(trx('bulk_upload_row as r').whereRaw('r.upload_id = bulk_upload.id').whereNotNull('r.dossier_id'))
      .delete();
  }
}

/** Replaces sent mails' bodies (and queued template data) by a notice; who got which mail when stays. */
export async function eraseMailBodies(
  trx: Knex.Transaction,
  ids: readonly number[],
  notice: { text: string; html: string },
  at: Date,
): Promise<void> {
  const erased = { text_body: notice.text, html_body: notice.html, template: null, data: null, bodies_erased_at: at };
  await trx('mail_outbox').whereIn('id', ids).update(erased);
}

export interface WarnedDraft {
  id: number;
  updated_at: Date;
  organisation_name: string;
  kbo: string;
  owner_first_name: string | null;
  owner_last_name: string | null;
  /** Null when the owner has no address or is no longer a user of the organisation: no mail then. */
  owner_email: string | null;
}

/** Marks drafts as warned and returns what their warning mail needs: the person who last changed each one. */
export async function markDraftsWarned(
  trx: Knex.Transaction,
  ids: readonly number[],
  at: Date,
): Promise<WarnedDraft[]> {
  await trx('refund_draft').whereIn('id', ids).update({ retention_warned_at: at });
  return trx('refund_draft as d')
    .join('organisation as o', 'o.id', 'd.organisation_id')
    .leftJoin('person as p', 'p.id', trx.raw('coalesce(d.updated_by, d.created_by)'))
    .leftJoin('membership as m', (j) => j.on('m.person_id', 'p.id').andOn('m.organisation_id', 'd.organisation_id'))
    .whereIn('d.id', ids)
    .orderBy('d.id')
    .select<WarnedDraft[]>(
      'd.id',
      'd.updated_at',
      'o.name as organisation_name',
      'o.kbo',
      'p.first_name as owner_first_name',
      'p.last_name as owner_last_name',
      trx.raw('CASE WHEN m.person_id IS NOT NULL THEN COALESCE(m.email, p.email) END AS owner_email'),
    );
}

export async function insertRetentionAudit(db: Db, at: Date, details: object): Promise<void> {
  await db('audit_log').insert({ at, action: 'retention.run', details: JSON.stringify(details) });
}

/**
 * Claims today's scheduled run for this instance: true for exactly one caller per day, or again for a later
 * caller when the claiming instance died (no finish after `staleBefore`).
 */
export async function claimRun(db: Db, runDate: string, at: Date, staleBefore: Date): Promise<boolean> {
  const { rows } = await db.raw<{ rows: unknown[] }>(
    `INSERT INTO retention_run (run_date, started_at) VALUES (?, ?)
     ON CONFLICT (run_date) DO UPDATE SET started_at = EXCLUDED.started_at
       WHERE retention_run.finished_at IS NULL AND retention_run.started_at < ?
     RETURNING run_date`,
    [runDate, at, staleBefore],
  );
  return rows.length === 1;
}

export async function finishRun(db: Db, runDate: string, at: Date, counts: object): Promise<void> {
  await db('retention_run')
    .where({ run_date: runDate })
    .update({ finished_at: at, counts: JSON.stringify(counts) });
}
