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
 * mid-send leaves the lease to expire, after which another worker retries the row.
 */
export async function claimDueMails(db: Db, limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
  const { rows } = await db.raw<{ rows: OutboxRow[] }>(
    `UPDATE mail_outbox
        SET locked_until = now() + make_interval(secs => ?), attempts = attempts + 1
      WHERE id IN (
        SELECT id FROM mail_outbox
         WHERE sent_at IS NULL AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until <= now())
         ORDER BY next_attempt_at, id
         LIMIT ?
         FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [leaseSeconds, limit],
  );
  return rows.sort((a, b) => a.id - b.id);
}

/** Marks a mail delivered, with the bodies it was sent with (rendered by the worker for a deferred mail). */
export async function markMailSent(db: Db, id: number, bodies: { text: string; html: string }): Promise<void> {
  await db('mail_outbox').where({ id }).whereNull('sent_at').update({
    sent_at: db.fn.now(),
    locked_until: null,
    last_error: null,
    text_body: bodies.text,
    html_body: bodies.html,
  });
}

/** Releases the lease and schedules the next attempt `retryInSeconds` from now (database time, shared by all instances). */
export async function markMailFailed(db: Db, id: number, error: string, retryInSeconds: number): Promise<void> {
  await db('mail_outbox')
    .where({ id })
    .whereNull('sent_at')
    .update({
      last_error: error.slice(0, 1000),
      locked_until: null,
      next_attempt_at: db.raw('now() + make_interval(secs => ?)', [retryInSeconds]),
    });
}

export async function listOutbox(db: Db, limit = 200): Promise<OutboxRow[]> {
  return db<OutboxRow>('mail_outbox').orderBy('id', 'desc').limit(limit);
}

export async function findOutboxMail(db: Db, id: number): Promise<OutboxRow | undefined> {
  return db<OutboxRow>('mail_outbox').where({ id }).first();
}
