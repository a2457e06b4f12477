import type { Db } from '../db/knex.js';

export interface OutboxRow {
  id: number;
  to_address: string;
  subject: string;
  /** null while a deferred mail (template + data) waits for the worker, which renders and stores them. */
  text_body: string | null;
  html_body: string | null;
  template: string | null;
  data: object | null;
  kind: string;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
  last_error: string | null;
  locked_until: Date | null;
}

/**
 * Claims up to `limit` due mails for this worker: a lease (locked_until) that other workers respect, taken
 * with SKIP LOCKED so that instances polling at the same moment never claim the same row. A worker that dies
 * mid-send leaves the lease to expire, after which another worker retries the row. Times are the worker's
 * clock; a mail is due from when it was queued (the database's time, next_attempt_at's default).
 */
export async function claimDueMails(db: Db, limit: number, leaseSeconds: number, now: Date): Promise<OutboxRow[]> {
  const { rows } = await db.raw<{ rows: OutboxRow[] }>(
    `UPDATE mail_outbox
        SET locked_until = :lockedUntil, attempts = attempts + 1
      WHERE id IN (
        SELECT id FROM mail_outbox
         WHERE sent_at IS NULL AND next_attempt_at <= :now AND (locked_until IS NULL OR locked_until <= :now)
         ORDER BY next_attempt_at, id
         LIMIT :limit
         FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    { now, limit, lockedUntil: new Date(now.getTime() + leaseSeconds * 1000) },
  );
  return rows.sort((a, b) => a.id - b.id);
}

/**
 * Marks mails delivered in one statement, each with the bodies it was sent with when the worker rendered them
 * (a deferred mail); a mail queued with its bodies keeps them.
 */
export async function markMailsSent(
  db: Db,
  sent: { id: number; rendered?: { text: string; html: string } }[],
  at: Date,
): Promise<void> {
  if (!sent.length) return;
  const rows = sent.map(({ id, rendered }) => ({ id, text_body: rendered?.text, html_body: rendered?.html }));
  await db.raw(
    `UPDATE mail_outbox o
        SET sent_at = :at, locked_until = NULL, last_error = NULL,
            text_body = coalesce(s.text_body, o.text_body), html_body = coalesce(s.html_body, o.html_body)
       FROM jsonb_to_recordset(:rows::jsonb) AS s(id bigint, text_body text, html_body text)
      WHERE o.id = s.id AND o.sent_at IS NULL`,
    { at, rows: JSON.stringify(rows) },
  );
}

/** Releases the lease and schedules the next attempt `retryInSeconds` after `at`. */
export async function markMailFailed(
  db: Db,
  id: number,
  error: string,
  retryInSeconds: number,
  at: Date,
): Promise<void> {
  await db('mail_outbox')
    .where({ id })
    .whereNull('sent_at')
    .update({
      last_error: error.slice(0, 1000),
      locked_until: null,
      next_attempt_at: new Date(at.getTime() + retryInSeconds * 1000),
    });
}

export async function listOutbox(db: Db, limit = 200): Promise<OutboxRow[]> {
  return db<OutboxRow>('mail_outbox').orderBy('id', 'desc').limit(limit);
}

export async function findOutboxMail(db: Db, id: number): Promise<OutboxRow | undefined> {
  return db<OutboxRow>('mail_outbox').where({ id }).first();
}
