import { formatDateNl } from '../domain/dates.js';
import { formatIban } from '../domain/iban.js';
import { formatInsz } from '../domain/insz.js';
import { formatEstablishmentUnit, formatKbo, normaliseKbo } from '../domain/kbo.js';
import { formatDecimalNl, formatEuro } from '../domain/money.js';
import { schoolYearLabel } from '../domain/school-year.js';
import { initiativeLabels, sizeKindUnits, trainingTypeLabels } from '../domain/training.js';
import { ATTACHMENT_LABELS } from './attachments.js';
import type { AttachmentRow } from './repository.js';
import { hoursText } from './receipt.js';
import type { StepId, StepOutputs } from './steps.js';
import { sizeField, type OpleidingData } from './steps/opleiding.js';
import { stepPath } from '../paths.js';

export interface SummaryRow {
  key: string;
  value: string | null;
  /** The "Wijzigen" link: the step, with a way back to the overview, at the field. */
  href?: string;
}

export interface SummarySection {
  title: string;
  rows: SummaryRow[];
}

function sizeText(size: OpleidingData['size']): string {
  const n = size.amount;
  if (size.type === 'evc') return hoursText(n);
  const unit = 'sizeKind' in size ? sizeKindUnits[size.sizeKind] : { one: 'examen', other: 'examens' };
  return `${formatDecimalNl(n)} ${n === 1 ? unit.one : unit.other}`;
}

function providerNumberText(n: string): string {
  return normaliseKbo(n) ? `KBO ${formatKbo(n)}` : `instellingsnummer ${n}`;
}

/** Every answer of a complete draft, grouped per step, plus the computed hours and amount (no link: nothing to change there). */
export function overviewSections(
  draftId: number,
  outputs: StepOutputs,
  attachments: AttachmentRow[],
  organisation: { name: string; kbo: string },
): SummarySection[] {
  const { werkgever, werknemer, opleiding, initiatief } = outputs;
  if (!werkgever || !werknemer || !opleiding || !initiatief) throw new Error('overview of an incomplete draft');
  const change = (step: StepId, field: string) => `${stepPath(draftId, step, { backToOverview: true })}#${field}`;
  const unit = werkgever.unit;
  const unitText = [
    formatEstablishmentUnit(unit.number),
    unit.name,
    [unit.street, [unit.postcode, unit.city].filter(Boolean).join(' ')].filter(Boolean).join(', '),
  ]
    .filter(Boolean)
    .join(' – ');
  const c = initiatief.calculation;
  return [
    {
      title: 'Werkgever',
      rows: [
        { key: 'Organisatie', value: `${organisation.name} (KBO ${formatKbo(organisation.kbo)})` },
        { key: 'Vestigingseenheid', value: unitText, href: change('werkgever', 'unitChoice') },
        {
          key: 'Contactpersoon',
          value: `${werkgever.contact.name}, ${werkgever.contact.phone}, ${werkgever.contact.email}`,
          href: change('werkgever', 'contactName'),
        },
        {
          key: 'Rekeningnummer',
          value: formatIban(werkgever.iban) + (werkgever.bic ? ` (BIC ${werkgever.bic})` : ''),
          href: change('werkgever', 'iban'),
        },
      ],
    },
    {
      title: 'Werknemer',
      rows: [
        { key: 'Naam', value: `${werknemer.firstName} ${werknemer.lastName}`, href: change('werknemer', 'firstName') },
        { key: 'INSZ', value: formatInsz(werknemer.insz), href: change('werknemer', 'insz') },
        {
          key: 'E-mailadres',
          value: werknemer.email ?? 'Niet opgegeven: de werknemer krijgt geen kopie per e-mail',
          href: change('werknemer', 'email'),
        },
        {
          key: 'Tewerkstellingspercentage',
          value: `${formatDecimalNl(werknemer.twpPercent)} %`,
          href: change('werknemer', 'twp'),
        },
        {
          key: 'Gemiddeld aantal uren per week',
          value: `${formatDecimalNl(werknemer.weeklyHours)} uur`,
          href: change('werknemer', 'weeklyHours'),
        },
        {
          key: 'Uurrooster',
          value: werknemer.schedule === 'vast' ? 'Vast' : 'Variabel',
          href: change('werknemer', 'schedule'),
        },
        {
          key: 'In dienst gekomen tijdens het schooljaar',
          value: werknemer.employmentStartDate ? `Ja, op ${formatDateNl(werknemer.employmentStartDate)}` : 'Nee',
          href: change('werknemer', 'newEmployee'),
        },
      ],
    },
    {
      title: 'Opleiding',
      rows: [
        {
          key: 'Soort opleiding',
          value: trainingTypeLabels[opleiding.type],
          href: change('opleiding', 'trainingType'),
        },
        ...(opleiding.odbNumber
          ? [{ key: 'ODB-nummer', value: opleiding.odbNumber, href: change('opleiding', 'odbNumber') }]
          : []),
        { key: 'Naam', value: opleiding.name, href: change('opleiding', 'trainingName') },
        {
          key: 'Verstrekker',
          value: `${opleiding.providerName} (${providerNumberText(opleiding.providerNumber)})`,
          href: change('opleiding', 'providerName'),
        },
        { key: 'Startdatum', value: formatDateNl(opleiding.startDate), href: change('opleiding', 'startDate') },
        { key: 'Einddatum', value: formatDateNl(opleiding.endDate), href: change('opleiding', 'endDate') },
        ...(opleiding.examDate
          ? [{ key: 'Examendatum', value: formatDateNl(opleiding.examDate), href: change('opleiding', 'examDate') }]
          : []),
        ...(opleiding.originalStartDate
          ? [
              {
                key: 'Oorspronkelijke startdatum',
                value: formatDateNl(opleiding.originalStartDate),
                href: change('opleiding', 'originalStartDate'),
              },
            ]
          : []),
        {
          key: 'Omvang',
          value: sizeText(opleiding.size),
          href: change('opleiding', sizeField(opleiding.type)),
        },
        ...(opleiding.careerGuidanceAttestDate
          ? [
              {
                key: 'Datum attest loopbaanbegeleiding',
                value: formatDateNl(opleiding.careerGuidanceAttestDate),
                href: change('opleiding', 'careerGuidanceAttestDate'),
              },
            ]
          : []),
      ],
    },
    {
      title: 'Initiatief en akkoord',
      rows: [
        { key: 'Initiatief', value: initiativeLabels[initiatief.initiative], href: change('initiatief', 'initiative') },
        { key: 'Akkoord van de werknemer', value: 'Ja', href: change('initiatief', 'employeeAgreement') },
      ],
    },
    {
      title: 'Bijlagen',
      rows: [
        ...(attachments.length === 0
          ? [{ key: 'Bijlagen', value: 'Geen bijlagen toegevoegd', href: change('bijlagen', 'inschrijvingsattest') }]
          : []),
        ...attachments.map((a) => ({
          key: ATTACHMENT_LABELS[a.kind],
          value: a.filename,
          href: change('bijlagen', a.kind),
        })),
      ],
    },
    {
      title: 'Berekening',
      rows: [
        { key: 'Schooljaar', value: schoolYearLabel(c.schoolYearStart) },
        {
          key: 'Persoonlijk maximum',
          value:
            hoursText(c.personalMaximumHours) +
            (c.sharedInitiative ? ' (verdubbeld door het gemeenschappelijk initiatiefrecht)' : ''),
        },
        ...(c.hoursAlreadyUsed > 0
          ? [{ key: 'Al aangevraagd in dit schooljaar', value: hoursText(c.hoursAlreadyUsed) }]
          : []),
        { key: 'Uren van de opleiding', value: hoursText(c.trainingHours) },
        {
          key: 'Uren Vlaams opleidingsverlof',
          value:
            hoursText(c.vovHours) +
            (c.vovHours < c.trainingHours ? ' (beperkt tot wat overblijft van het persoonlijk maximum)' : ''),
        },
        { key: 'Bedrag per uur in dit schooljaar', value: formatEuro(c.forfaitCents) },
        { key: 'Indicatief bedrag', value: formatEuro(c.amountCents) },
      ],
    },
  ];
}
