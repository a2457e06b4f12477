import { formatDateNl } from '../domain/dates.js';
import { formatDecimalNl, formatEuro } from '../domain/money.js';
import type { ChangeKind } from './transitions.js';

/** What an event's details hold, per kind (stored as jsonb in dossier_event.details). */
export interface EventDetails {
  question?: string;
  dueDate?: string;
  hours?: number;
  amountCents?: number;
  reason?: string;
  stopDate?: string;
  text?: string;
  attachments?: { id: number; filename: string }[];
}

/** The timeline's title of an event. */
export const EVENT_TITLES: Record<ChangeKind, string> = {
  in_behandeling: 'In behandeling genomen',
  aanvulling_gevraagd: 'Aanvulling gevraagd',
  goedgekeurd: 'Goedgekeurd',
  geweigerd: 'Geweigerd',
  geannuleerd: 'Aanvraag geannuleerd',
  stopgezet: 'Stopzetting gemeld',
  antwoord: 'Aanvulling bezorgd',
};

/** The sentences that explain an event: the same on the dossier page and in the mails. */
export function eventLines(kind: string, d: EventDetails): string[] {
  switch (kind) {
    case 'in_behandeling':
      return ['Het Departement Werk en Sociale Economie behandelt de aanvraag.'];
    case 'aanvulling_gevraagd':
      return [
        `Vraag: ${d.question ?? ''}`,
        `Antwoord ten laatste op ${formatDateNl(d.dueDate ?? '')}, via het dossier in het WSE-loket.`,
      ];
    case 'goedgekeurd':
      return [
        `Goedgekeurde uren: ${formatDecimalNl(d.hours ?? 0)} uur.`,
        `Goedgekeurd bedrag: ${formatEuro(d.amountCents ?? 0)}.`,
      ];
    case 'geweigerd':
      return [`Reden: ${d.reason ?? ''}`];
    case 'geannuleerd':
      return [`Reden van de annulering: ${d.reason ?? ''}`];
    case 'stopgezet':
      return [`De werknemer stopte de opleiding op ${formatDateNl(d.stopDate ?? '')}.`];
    case 'antwoord':
      return [
        `Antwoord: ${d.text ?? ''}`,
        ...(d.attachments?.length ? [`Bijlagen: ${d.attachments.map((a) => a.filename).join(', ')}`] : []),
      ];
    default:
      return [];
  }
}

/** The mail's opening sentence and subject per change. */
export function mailHeadline(kind: ChangeKind, dossiernummer: string): { subject: string; headline: string } {
  const headlines: Record<ChangeKind, string> = {
    in_behandeling:
      'Het Departement Werk en Sociale Economie is begonnen met de behandeling van de aanvraag tot terugbetaling van Vlaams opleidingsverlof.',
    aanvulling_gevraagd:
      'Het Departement Werk en Sociale Economie heeft een vraag over de aanvraag tot terugbetaling van Vlaams opleidingsverlof.',
    goedgekeurd: 'De aanvraag tot terugbetaling van Vlaams opleidingsverlof is goedgekeurd.',
    geweigerd: 'De aanvraag tot terugbetaling van Vlaams opleidingsverlof is geweigerd.',
    geannuleerd: 'De werkgever heeft de aanvraag tot terugbetaling van Vlaams opleidingsverlof geannuleerd.',
    stopgezet: 'De werkgever heeft gemeld dat de opleiding is stopgezet.',
    antwoord:
      'De werkgever heeft de gevraagde aanvulling bezorgd. Het Departement Werk en Sociale Economie behandelt de aanvraag verder.',
  };
  return { subject: `Dossier ${dossiernummer}: ${EVENT_TITLES[kind].toLowerCase()}`, headline: headlines[kind] };
}
