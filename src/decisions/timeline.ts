import type { Request } from 'express';
import type { Db } from '../db/knex.js';
import { formatDateNl, formatDateTimeNl } from '../domain/dates.js';
import { formatDecimalNl, formatEuro } from '../domain/money.js';
import { DOSSIER_STATUS_LABELS } from '../refund/receipt.js';
import type { DossierRow } from '../dossiers/repository.js';
import { listEvents, type DossierStateRow } from './repository.js';
import { isAllowed, type ChangeKind, type EmployerActionKind } from './transitions.js';
import { actionPath } from '../paths.js';
import { EVENT_TITLES, eventLines, type EventDetails } from './wording.js';
import './session.js';

const ACTOR_NAMES = {
  werkgever: (name: string) => name,
  backoffice: () => 'Departement Werk en Sociale Economie',
  cli: () => 'Departement Werk en Sociale Economie',
};

const ACTION_LINKS: { kind: EmployerActionKind; slug: string; text: string }[] = [
  { kind: 'antwoord', slug: 'aanvulling', text: 'Vraag beantwoorden' },
  { kind: 'stopgezet', slug: 'stopzetting', text: 'Stopzetting melden' },
  { kind: 'geannuleerd', slug: 'annuleren', text: 'Aanvraag annuleren' },
];

/**
 * The dossier page's part after filing: the current status with its date and the approved amount, the open
 * question, what the employer can still do, and the history as a timeline. Takes the one-time notice of an action.
 */
export async function dossierLifeModel(req: Request, db: Db, row: DossierRow) {
  const d = row as DossierStateRow;
  const events = await listEvents(db, [d.id]);
  const notice = req.session.dossierNotice;
  if (notice) delete req.session.dossierNotice;
  const question =
    d.status === 'aanvulling_gevraagd'
      ? (events.filter((e) => e.kind === 'aanvulling_gevraagd').at(-1)?.details as EventDetails | undefined)
      : undefined;
  return {
    notice,
    status: DOSSIER_STATUS_LABELS[d.status] ?? d.status,
    since: formatDateTimeNl(d.status_changed_at ?? d.submitted_at),
    approvedHours: d.approved_hours === null ? null : `${formatDecimalNl(Number(d.approved_hours))} uur`,
    approvedAmount: d.approved_amount_cents === null ? null : formatEuro(d.approved_amount_cents),
    stopDate: d.stop_date ? formatDateNl(d.stop_date) : null,
    question: question ? { text: question.question ?? '', dueDate: formatDateNl(question.dueDate ?? '') } : null,
    actions: ACTION_LINKS.filter((a) => isAllowed(a.kind, d.status)).map((a) => ({
      text: a.text,
      href: actionPath(d.dossiernummer, a.slug),
    })),
    events: [
      {
        at: formatDateTimeNl(d.submitted_at),
        title: 'Aanvraag ingediend',
        by: (d.snapshot as { submittedBy: { name: string } }).submittedBy.name,
        lines: [] as string[],
      },
      ...events.map((e) => ({
        at: formatDateTimeNl(e.at),
        title: EVENT_TITLES[e.kind as ChangeKind] ?? e.kind,
        by: ACTOR_NAMES[e.actor_kind](e.actor_name),
        lines: eventLines(e.kind, e.details as EventDetails),
      })),
    ].reverse(),
  };
}
