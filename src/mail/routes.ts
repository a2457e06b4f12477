import type { ChangeKind } from '../decisions/transitions.js';
import { Router, type RequestHandler } from 'express';
import type { Db } from '../db/knex.js';
import { formatDateTimeNl } from '../domain/dates.js';
import { HttpError } from '../http/errors.js';
import { positiveId } from '../http/params.js';
import { findOutboxMail, listOutbox, type OutboxRow } from './repository.js';
import { outboxBodies } from './templates.js';
import type { Services } from '../services.js';

/** The stored HTML is our own rendered template; it is shown on a page of its own with inline styles and nothing else allowed. */
const MAIL_HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; sandbox allow-top-navigation-by-user-activation";

/** The dossier change mails (src/decisions): one kind per change and recipient. */
function dossierChangeLabels(): Record<string, string> {
  const change: Record<ChangeKind, string> = {
    in_behandeling: 'Dossier in behandeling',
    aanvulling_gevraagd: 'Vraag om aanvulling',
    goedgekeurd: 'Dossier goedgekeurd',
    geweigerd: 'Dossier geweigerd',
    geannuleerd: 'Aanvraag geannuleerd',
    stopgezet: 'Stopzetting gemeld',
    antwoord: 'Antwoord op een vraag om aanvulling',
  };
  return Object.fromEntries(
    Object.entries(change).flatMap(([kind, label]) => [
      [`dossier-${kind}-employer`, `${label} (aan de werkgever)`],
      [`dossier-${kind}-employee`, `${label} (aan de werknemer)`],
    ]),
  );
}

/** What a mail is, in the words of the development mailbox (the outbox keeps an internal kind). */
export const MAIL_KIND_LABELS: Record<string, string> = {
  'right-requested': 'Aanvraag gebruikersrecht (aan de lokale beheerder)',
  'right-granted': 'Gebruikersrecht toegekend',
  'right-refused': 'Gebruikersrecht geweigerd',
  'refund-receipt-employer': 'Ontvangstbevestiging voor de werkgever',
  'refund-receipt-employee': 'Ontvangstbevestiging voor de werknemer',
  'draft-expiring': 'Onafgewerkte aanvraag wordt binnenkort verwijderd',
  ...dossierChangeLabels(),
};

function statusOf(mail: OutboxRow, devMailbox: boolean): { text: string; tag: string } {
  if (mail.sent_at) return { text: devMailbox ? 'Afgeleverd in deze mailbox' : 'Verzonden', tag: 'sent' };
  if (mail.last_error) return { text: `Nog niet verzonden (poging ${mail.attempts} mislukte)`, tag: 'failed' };
  return { text: 'Wacht op verzending', tag: 'pending' };
}

/** Development only: every outbox e-mail readable in the browser, so one person can play every role. */
export function devMailboxRoutes({
  db,
  config,
  mailRenderer: render,
}: Pick<Services, 'db' | 'config' | 'mailRenderer'>): Router {
  const router = Router();
  const onlyOutsideProduction: RequestHandler = (_req, _res, next) =>
    next(config.isProduction ? new HttpError(404) : undefined);
  router.use(onlyOutsideProduction);

  router.get('/', async (_req, res) => {
    const mails = await listOutbox(db);
    res.render('mail/dev-mailbox.njk', {
      mails: mails.map((m) => ({
        ...m,
        createdAt: formatDateTimeNl(new Date(m.created_at)),
        status: statusOf(m, config.mail.devMailbox),
      })),
      devMailbox: config.mail.devMailbox,
    });
  });

  router.get('/:id', async (req, res) => {
    const mail = await findMail(db, req.params.id);
    const bodies = outboxBodies(render, mail);
    // Links in the text part, made clickable: the way to follow a mail's link in the development story.
    const links = [...new Set(bodies.text.match(/https?:\/\/[^\s<>"]+/g) ?? [])];
    res.render('mail/dev-mailbox-message.njk', {
      mail,
      kind: MAIL_KIND_LABELS[mail.kind] ?? 'Andere e-mail',
      text: bodies.text,
      createdAt: formatDateTimeNl(new Date(mail.created_at)),
      links,
      status: statusOf(mail, config.mail.devMailbox),
    });
  });

  router.get('/:id/html', async (req, res) => {
    const mail = await findMail(db, req.params.id);
    res.setHeader('Content-Security-Policy', MAIL_HTML_CSP);
    res.type('html').send(outboxBodies(render, mail).html);
  });

  return router;
}

async function findMail(db: Db, rawId: unknown): Promise<OutboxRow> {
  const mail = await findOutboxMail(db, positiveId(rawId));
  if (!mail) throw new HttpError(404);
  return mail;
}
