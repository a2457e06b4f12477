/**
 * How long the portal keeps each kind of personal data, as data (like rules-data.ts): the purge
 * (src/privacy/) enforces these periods and the privacyverklaring renders them, so a privacy officer reads
 * and corrects one table. `assumed: true` marks a period that no public source confirms (see
 * shared/domain.md): it is our proposal until the data protection officer decides.
 */
import { deepFreeze } from './rules-data.js';

export type RetentionKind =
  | 'draft'
  | 'dossier'
  | 'mailBody'
  | 'mailRow'
  | 'session'
  | 'rateLimit'
  | 'replay'
  | 'auditLog'
  | 'accessRecord'
  | 'bulkPreview';

export interface RetentionPeriod {
  readonly amount: number;
  readonly unit: 'days' | 'months' | 'years';
}

export interface RetentionRule {
  readonly kind: RetentionKind;
  /** What is kept, in plain Dutch (the privacyverklaring's first column). */
  readonly what: string;
  readonly period: RetentionPeriod;
  /** From which moment the period counts, in Dutch ("na de laatste wijziging"). */
  readonly from: string;
  /** What happens when the period is over. */
  readonly then: 'verwijderd' | 'gewist';
  readonly assumed: boolean;
}

export interface RetentionData {
  readonly rules: readonly RetentionRule[];
  /** The person who last worked on a draft gets a mail this many days before it is deleted. */
  readonly draftWarningDays: number;
  /** Rows a purge deletes or changes in one transaction (dossiers: a tenth of it, whole dossiers each). */
  readonly batchSize: number;
  /** Who is responsible, and whom people write to about their data (the privacyverklaring). */
  readonly controller: {
    readonly name: string;
    /** The data protection officer's address (assumed: not confirmed publicly). */
    readonly dpoEmail: string;
    /** The supervisory authority for Flemish public bodies. */
    readonly authority: { readonly name: string; readonly email: string; readonly website: string };
  };
}

export const defaultRetention: RetentionData = deepFreeze({
  rules: [
    {
      kind: 'draft',
      what: 'Een aanvraag die niet werd ingediend (concept), met haar bijlagen',
      period: { amount: 12, unit: 'months' },
      from: 'na de laatste wijziging',
      then: 'verwijderd',
      assumed: true,
    },
    {
      kind: 'dossier',
      what: 'Een ingediende aanvraag (dossier), met haar bijlagen en ontvangstbevestiging',
      period: { amount: 10, unit: 'years' },
      from: 'na het einde van het schooljaar van de opleiding',
      then: 'verwijderd',
      assumed: true,
    },
    {
      kind: 'mailBody',
      what: 'De tekst van een verstuurde e-mail',
      period: { amount: 90, unit: 'days' },
      from: 'na het versturen',
      then: 'gewist',
      assumed: true,
    },
    {
      kind: 'mailRow',
      what: 'Wanneer welke e-mail naar welk adres ging (zonder de tekst)',
      period: { amount: 2, unit: 'years' },
      from: 'na het versturen',
      then: 'verwijderd',
      assumed: true,
    },
    {
      kind: 'session',
      what: 'Uw sessie (wie aangemeld is)',
      period: { amount: 0, unit: 'days' },
      from: 'na het afmelden of het verlopen van de sessie',
      then: 'verwijderd',
      assumed: false,
    },
    {
      kind: 'rateLimit',
      what: 'Tellers van aanmeldpogingen per internetadres',
      period: { amount: 1, unit: 'days' },
      from: 'na de telperiode',
      then: 'verwijderd',
      assumed: true,
    },
    {
      kind: 'replay',
      what: 'Kenmerken van aanmeldingen (tegen het hergebruik van een aanmelding)',
      period: { amount: 1, unit: 'days' },
      from: 'na hun vervaldatum',
      then: 'verwijderd',
      assumed: true,
    },
    {
      kind: 'auditLog',
      what: 'Het logboek: wie gebruikers en rechten beheerde of een aanvraag indiende',
      period: { amount: 5, unit: 'years' },
      from: 'na de gebeurtenis',
      then: 'verwijderd',
      assumed: true,
    },
    {
      kind: 'accessRecord',
      what: 'Wie een dossier, een bijlage of een gebruiker bekeek (inzage)',
      period: { amount: 5, unit: 'years' },
      from: 'na de inzage',
      then: 'verwijderd',
      assumed: true,
    },
    {
      kind: 'bulkPreview',
      what: 'Een CSV-bestand met aanvragen dat nooit werd bevestigd',
      period: { amount: 30, unit: 'days' },
      from: 'na het opladen',
      then: 'verwijderd',
      assumed: true,
    },
  ],
  draftWarningDays: 30,
  batchSize: 500,
  controller: {
    name: 'Departement Werk en Sociale Economie',
    dpoEmail: 'privacy.wse@vlaanderen.be',
    authority: {
      name: 'Vlaamse Toezichtcommissie voor de verwerking van persoonsgegevens',
      email: 'contact@toezichtcommissie.be',
      website: 'https://www.toezichtcommissie.be',
    },
  },
});

export function retentionRule(data: RetentionData, kind: RetentionKind): RetentionRule {
  const rule = data.rules.find((r) => r.kind === kind);
  if (!rule) throw new Error(`no retention rule for ${kind}`);
  return rule;
}

const UNIT_WORDS = { days: ['dag', 'dagen'], months: ['maand', 'maanden'], years: ['jaar', 'jaar'] } as const;

/** { amount: 12, unit: 'months' } → '12 maanden'; 0 → 'meteen'. */
export function formatPeriodNl(period: RetentionPeriod): string {
  if (period.amount === 0) return 'meteen';
  const [one, many] = UNIT_WORDS[period.unit];
  return `${period.amount} ${period.amount === 1 ? one : many}`;
}
