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
 * Writes a mail to the outbox inside the caller's transaction: it is sent (by the worker) only when the
 * change that causes it commits, and it is never lost when SMTP is down.
 */
export async function enqueueMail(trx: Knex | Knex.Transaction, mail: OutgoingMail): Promise<number> {
  const [row] = await trx('mail_outbox')
    .insert({ to_address: mail.to, subject: mail.subject, text_body: mail.text, html_body: mail.html, kind: mail.kind })
    .returning<{ id: number }[]>('id');
  return row.id;
}

/** An absolute link for an e-mail: mail clients have no base URL, so every link starts at PUBLIC_URL. */
export function mailLink(publicUrl: string, path: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}
