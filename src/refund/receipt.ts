import { formatDateNl, formatDateTimeNl } from '../domain/dates.js';
import { maskInsz } from '../domain/insz.js';
import { formatKbo } from '../domain/kbo.js';
import { formatDecimalNl, formatEuro } from '../domain/money.js';
import { defaultRules, type RulesData } from '../domain/rules-data.js';
import { schoolYearLabel } from '../domain/school-year.js';
import { initiativeLabels, trainingTypeLabels, type Initiative, type TrainingType } from '../domain/training.js';
import type { NewDossier } from './repository.js';
import type { DossierRow } from '../dossiers/repository.js';
import type { DossierSnapshot } from './service.js';

export const DOSSIER_STATUS_LABELS: Record<string, string> = {
  ingediend: 'Ingediend',
  in_behandeling: 'In behandeling',
  aanvulling_gevraagd: 'Aanvulling gevraagd',
  goedgekeurd: 'Goedgekeurd',
  geweigerd: 'Geweigerd',
  stopgezet: 'Stopgezet',
  geannuleerd: 'Geannuleerd',
};

/** Everything an ontvangstbevestiging shows; the page, the PDF and both e-mails are made from this one model. */
export interface ReceiptModel {
  dossiernummer: string;
  receivedAt: string;
  status: string;
  organisationName: string;
  organisationKbo: string;
  employeeName: string;
  employeeInszMasked: string;
  /** The employer's contact person of the request: the employer's mail greets them. */
  contactName: string;
  rows: { key: string; value: string }[];
  nextSteps: string[];
  contactEmail: string;
}

export function hoursText(hours: number): string {
  return `${formatDecimalNl(hours)} uur`;
}

/** From a stored dossier, or from one about to be inserted (its receipt mails are written in the same statement). */
export function receiptModel(dossier: DossierRow | NewDossier, rules: RulesData = defaultRules): ReceiptModel {
  const snapshot = dossier.snapshot as DossierSnapshot;
  const employeeName = `${dossier.employee_first_name} ${dossier.employee_last_name}`;
  const employeeInszMasked = maskInsz(dossier.employee_insz);
  const organisationKbo = formatKbo(snapshot.organisation.kbo);
  const vovHours = Number(dossier.vov_hours);
  const trainingHours = Number(dossier.training_hours);
  const rows = [
    { key: 'Ontvangen op', value: formatDateTimeNl(dossier.submitted_at) },
    { key: 'Organisatie', value: `${snapshot.organisation.name} (KBO ${organisationKbo})` },
    { key: 'Werknemer', value: `${employeeName} (INSZ ${employeeInszMasked})` },
    {
      key: 'Opleiding',
      value: `${dossier.training_name} – ${trainingTypeLabels[dossier.training_type as TrainingType] ?? dossier.training_type}`,
    },
    ...(dossier.odb_number ? [{ key: 'ODB-nummer', value: dossier.odb_number }] : []),
    { key: 'Startdatum', value: formatDateNl(dossier.training_start_date) },
    { key: 'Schooljaar', value: schoolYearLabel(dossier.school_year_start) },
    { key: 'Initiatief', value: initiativeLabels[dossier.initiative as Initiative] ?? dossier.initiative },
    {
      key: 'Uren Vlaams opleidingsverlof',
      value:
        vovHours < trainingHours
          ? `${hoursText(vovHours)} (de opleiding telt ${hoursText(trainingHours)}; beperkt tot het persoonlijk maximum)`
          : hoursText(vovHours),
    },
    { key: 'Bedrag per uur', value: formatEuro(dossier.forfait_cents) },
    { key: 'Indicatief bedrag', value: formatEuro(dossier.amount_cents) },
  ];
  return {
    dossiernummer: dossier.dossiernummer,
    receivedAt: formatDateTimeNl(dossier.submitted_at),
    status: DOSSIER_STATUS_LABELS[dossier.status] ?? dossier.status,
    organisationName: snapshot.organisation.name,
    organisationKbo,
    employeeName,
    employeeInszMasked,
    contactName: snapshot.werkgever.contact.name,
    rows,
    nextSteps: [
      'Het Departement Werk en Sociale Economie behandelt uw aanvraag. U hoeft nu niets meer te doen.',
      'De terugbetaling volgt per kwartaal, na controle van de aangifte van uw werknemers (DmfA) en van de aanwezigheidsattesten van de opleidingsverstrekker.',
      'Het indicatieve bedrag is een schatting: het echte bedrag hangt af van de uren die de werknemer de opleiding werkelijk volgde.',
      'U volgt uw aanvraag op in Mijn dossiers. Vermeld het dossiernummer als u contact met ons opneemt.',
    ],
    contactEmail: rules.contact.supportEmail,
  };
}
