import type { Knex } from 'knex';

/** A composed e-mail, ready for the outbox. `kind` names the template (for the dev mailbox and statistics). */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: string;
}

/**
 * An e-mail the worker renders when it sends it (see outboxBodies in templates.ts): the template pair under
 * views/ and its data (JSON: what the mail says is fixed when it is queued, not when it is sent).
 */
export interface DeferredMail {
  to: string;
  subject: string;
  kind: string;
  template: string;
  data: object;
}

export type QueuedMail = OutgoingMail | DeferredMail;

/** The mail_outbox columns of a mail: the one place that maps the outbox contract. */
function outboxRow(mail: QueuedMail) {
  const head = { to_address: mail.to, subject: mail.subject, kind: mail.kind };
  return 'template' in mail
    ? { ...head, template: mail.template, data: mail.data }
    : { ...head, text_body: mail.text, html_body: mail.html };
}

/**
 * Writes a mail to the outbox inside the caller's transaction: it is sent (by the worker) only when the
 * change that causes it commits, and it is never lost when SMTP is down.
 */
export async function enqueueMail(trx: Knex | Knex.Transaction, mail: QueuedMail): Promise<number> {
  const [row] = await trx('mail_outbox').insert(outboxRow(mail)).returning<{ id: number }[]>('id');
  return row.id;
}

/**
 * enqueueMail for many mails as a statement part (e.g. a data-modifying CTE), so that a change and its mails
 * are written in one round trip: the mails travel as one jsonb parameter, whatever their number. They are
 * written only when the SQL `condition` (of that statement) holds.
 */
export function enqueueMailsSql(mails: readonly QueuedMail[], condition = 'true'): { sql: string; bindings: [string] } {
  return {
    sql: `INSERT INTO mail_outbox (to_address, subject, text_body, html_body, template, data, kind)
          SELECT to_address, subject, text_body, html_body, template, data, kind FROM jsonb_populate_recordset(NULL::mail_outbox, ?::jsonb) WHERE ${condition}`,
    bindings: [JSON.stringify(mails.map(outboxRow))],
  };
}

/** An absolute link for an e-mail: mail clients have no base URL, so every link starts at PUBLIC_URL. */
export function mailLink(publicUrl: string, path: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}
