import type { Knex } from 'knex';
import type { Db } from '../db/knex.js';
import type { DossierRow } from '../dossiers/repository.js';

type Conn = Db | Knex.Transaction;

/** A dossier as filed, with its state after filing (migration 010). */
export interface DossierStateRow extends DossierRow {
  version: number;
  status_changed_at: Date | null;
  approved_hours: string | null;
  approved_amount_cents: number | null;
  stop_date: string | null;
}

export interface DossierEventRow {
  id: number;
  dossier_id: number;
  at: Date;
  kind: string;
  status_before: string;
  status_after: string;
  actor_kind: 'werkgever' | 'backoffice' | 'cli';
  actor_name: string;
  details: Record<string, unknown>;
}

export interface DossierAttachmentRow {
  id: number;
  kind: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  uploaded_at: Date;
  event_id: number | null;
}

/** One dossier by number; with `organisationId` only that organisation's (an employer never reaches another's). */
export async function findDossierState(
  db: Conn,
  dossiernummer: string,
  organisationId?: number,
  forUpdate = false,
): Promise<DossierStateRow | undefined> {
  return db('dossier')
    .where({ dossiernummer })
    .modify((q) => {
      if (organisationId !== undefined) q.where({ organisation_id: organisationId });
      if (forUpdate) q.forUpdate();
    })
    .first<DossierStateRow | undefined>();
}

export async function listEvents(db: Conn, dossierIds: readonly number[]): Promise<DossierEventRow[]> {
  if (dossierIds.length === 0) return [];
  return db('dossier_event')
    .whereIn('dossier_id', dossierIds)
    .orderBy([{ column: 'at' }, { column: 'id' }])
    .select<DossierEventRow[]>('*');
}

/** The filing's attachments and those sent with answers (they share the dossier's draft). */
export async function listDossierAttachments(
  db: Conn,
  draftIds: readonly number[],
): Promise<(DossierAttachmentRow & { draft_id: number })[]> {
  if (draftIds.length === 0) return [];
  return db('attachment')
    .whereIn('draft_id', draftIds)
    .orderBy('id')
    .select('id', 'draft_id', 'kind', 'filename', 'content_type', 'size_bytes', 'sha256', 'uploaded_at', 'event_id');
}

export async function findDossierAttachmentContent(
  db: Conn,
  draftId: number,
  attachmentId: number,
): Promise<(DossierAttachmentRow & { content: Buffer }) | undefined> {
  return db('attachment').where({ id: attachmentId, draft_id: draftId }).first();
}

/**
 * The back office's feed: dossiers filed or changed after the cursor (transaction id, dossier id), in that order,
 * and only those whose transaction is older than every transaction still running, so that a dossier committed
 * after a later one was read still comes after the cursor handed out.
 */
export async function feedPage(
  db: Conn,
  after: { xid: string; id: number } | null,
  limit: number,
): Promise<(DossierStateRow & { feed_xid: string })[]> {
  return db('dossier')
    .whereRaw('feed_xid < pg_snapshot_xmin(pg_current_snapshot())')
    .modify((q) => {
      if (after) q.whereRaw('(feed_xid, id) > (?::xid8, ?)', [after.xid, after.id]);
    })
    .orderBy([{ column: 'feed_xid' }, { column: 'id' }])
    .limit(limit)
    .select<(DossierStateRow & { feed_xid: string })[]>('*');
}
