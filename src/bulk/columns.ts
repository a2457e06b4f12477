import { INITIATIVES, SIZE_KINDS, TRAINING_TYPES } from '../domain/training.js';
import { SCHEDULES } from '../refund/steps/werknemer.js';

/**
 * The column layout of the CSV upload: ONE table that the template, the header check, the mapping onto the
 * form's fields, the error messages ("kolom Startdatum"), the page and the README all read. Every field of
 * the one-by-one form has a column; the declaration on honour is given once, on the confirmation page.
 */

export type ColumnKey =
  | 'unitNumber'
  | 'unitName'
  | 'unitStreet'
  | 'unitPostcode'
  | 'unitCity'
  | 'contactName'
  | 'contactPhone'
  | 'contactEmail'
  | 'iban'
  | 'bic'
  | 'insz'
  | 'firstName'
  | 'lastName'
  | 'email'
  | 'twp'
  | 'weeklyHours'
  | 'schedule'
  | 'newEmployee'
  | 'employmentStartDate'
  | 'trainingType'
  | 'odbNumber'
  | 'trainingName'
  | 'providerName'
  | 'providerNumber'
  | 'startDate'
  | 'endDate'
  | 'examDate'
  | 'originalStartDate'
  | 'sizeKind'
  | 'sizeAmount'
  | 'examCount'
  | 'evcHours'
  | 'careerGuidanceAttestDate'
  | 'initiative'
  | 'employeeAgreement';

export type Requirement = 'verplicht' | 'niet verplicht' | 'soms';

export interface Column {
  key: ColumnKey;
  /** The exact header text (compared without case and extra spaces). */
  header: string;
  /** The form step the value goes to (its field has the same name as `key`). */
  step: 'werkgever' | 'werknemer' | 'opleiding' | 'initiatief';
  requirement: Requirement;
  /** What to fill in, as shown on the page and in the README. */
  format: string;
  example: string;
  /** For a column with fixed values: the values accepted (without case). */
  choices?: readonly string[];
}

const DATE = 'datum als dd/mm/jjjj';
const DECIMAL = 'getal, decimalen met een komma';

export const COLUMNS: readonly Column[] = [
  {
    key: 'unitNumber',
    header: 'Nummer vestigingseenheid',
    step: 'werkgever',
    requirement: 'verplicht',
    format:
      '10 cijfers, begint met 2. Een vestigingseenheid van uw organisatie: de andere kolommen over de vestigingseenheid mogen leeg blijven.',
    example: '2.147.812.701',
  },
  {
    key: 'unitName',
    header: 'Naam vestigingseenheid',
    step: 'werkgever',
    requirement: 'niet verplicht',
    format: 'tekst',
    example: 'Werf Oostende',
  },
  {
    key: 'unitStreet',
    header: 'Straat en huisnummer vestigingseenheid',
    step: 'werkgever',
    requirement: 'soms',
    format: 'tekst; verplicht voor een vestigingseenheid die niet bij uw organisatie gekend is',
    example: 'Vismijnstraat 12',
  },
  {
    key: 'unitPostcode',
    header: 'Postcode vestigingseenheid',
    step: 'werkgever',
    requirement: 'soms',
    format: '4 cijfers, in het Vlaamse Gewest; zoals de straat',
    example: '8400',
  },
  {
    key: 'unitCity',
    header: 'Gemeente vestigingseenheid',
    step: 'werkgever',
    requirement: 'soms',
    format: 'tekst; zoals de straat',
    example: 'Oostende',
  },
  {
    key: 'contactName',
    header: 'Naam contactpersoon',
    step: 'werkgever',
    requirement: 'verplicht',
    format: 'tekst',
    example: 'Jan Werkgever',
  },
  {
    key: 'contactPhone',
    header: 'Telefoon contactpersoon',
    step: 'werkgever',
    requirement: 'verplicht',
    format: '9 tot 15 cijfers, spaties en + toegelaten',
    example: '09 123 45 67',
  },
  {
    key: 'contactEmail',
    header: 'E-mail contactpersoon',
    step: 'werkgever',
    requirement: 'verplicht',
    format: 'e-mailadres',
    example: 'jan@voorbeeld.be',
  },
  {
    key: 'iban',
    header: 'IBAN',
    step: 'werkgever',
    requirement: 'verplicht',
    format: 'Belgisch rekeningnummer, BE en 14 cijfers',
    example: 'BE68 5390 0754 7034',
  },
  {
    key: 'bic',
    header: 'BIC',
    step: 'werkgever',
    requirement: 'niet verplicht',
    format: '8 of 11 letters en cijfers',
    example: 'GEBABEBB',
  },
  {
    key: 'insz',
    header: 'INSZ werknemer',
    step: 'werknemer',
    requirement: 'verplicht',
    format:
      'rijksregisternummer of BIS-nummer, 11 cijfers (schrijf het met punten en streepje, dan laat Excel het ongemoeid)',
    example: '85.07.30-033.28',
  },
  {
    key: 'firstName',
    header: 'Voornaam werknemer',
    step: 'werknemer',
    requirement: 'verplicht',
    format: 'tekst',
    example: 'Eva',
  },
  {
    key: 'lastName',
    header: 'Achternaam werknemer',
    step: 'werknemer',
    requirement: 'verplicht',
    format: 'tekst',
    example: 'Peeters',
  },
  {
    key: 'email',
    header: 'E-mail werknemer',
    step: 'werknemer',
    requirement: 'niet verplicht',
    format: 'e-mailadres; de werknemer krijgt dan een ontvangstbevestiging',
    example: 'eva@voorbeeld.be',
  },
  {
    key: 'twp',
    header: 'Tewerkstellingspercentage',
    step: 'werknemer',
    requirement: 'verplicht',
    format: `${DECIMAL}, groter dan 0 en hoogstens 100 (een %-teken mag)`,
    example: '80',
  },
  {
    key: 'weeklyHours',
    header: 'Arbeidsuren per week',
    step: 'werknemer',
    requirement: 'verplicht',
    format: `${DECIMAL}: het gemiddeld aantal arbeidsuren per week`,
    example: '30,4',
  },
  {
    key: 'schedule',
    header: 'Uurrooster',
    step: 'werknemer',
    requirement: 'verplicht',
    format: 'vast of variabel',
    example: 'vast',
    choices: SCHEDULES,
  },
  {
    key: 'newEmployee',
    header: 'Nieuw in dienst',
    step: 'werknemer',
    requirement: 'niet verplicht',
    format:
      'ja als de werknemer tijdens het schooljaar bij u in dienst kwam, anders nee; leeg is nee (of ja als de datum in dienst ingevuld is)',
    example: 'nee',
    choices: ['ja', 'nee'],
  },
  {
    key: 'employmentStartDate',
    header: 'Datum in dienst',
    step: 'werknemer',
    requirement: 'soms',
    format: `${DATE}; verplicht als Nieuw in dienst ja is`,
    example: '',
  },
  {
    key: 'trainingType',
    header: 'Soort opleiding',
    step: 'opleiding',
    requirement: 'verplicht',
    format: 'odb (opleidingsdatabank), loopbaan (loopbaangerichte opleiding), examencommissie of evc',
    example: 'odb',
    choices: TRAINING_TYPES,
  },
  {
    key: 'odbNumber',
    header: 'ODB-nummer',
    step: 'opleiding',
    requirement: 'soms',
    format: 'cijfers; verplicht voor odb, niet verplicht voor loopbaan',
    example: '12345',
  },
  {
    key: 'trainingName',
    header: 'Naam opleiding',
    step: 'opleiding',
    requirement: 'verplicht',
    format: 'tekst: de naam van de opleiding of het examen',
    example: 'Veiligheidscoördinator niveau A',
  },
  {
    key: 'providerName',
    header: 'Naam opleidingsverstrekker',
    step: 'opleiding',
    requirement: 'verplicht',
    format: 'tekst: de opleidingsverstrekker, examencommissie of het testcentrum',
    example: 'Syntra West',
  },
  {
    key: 'providerNumber',
    header: 'Nummer opleidingsverstrekker',
    step: 'opleiding',
    requirement: 'verplicht',
    format: 'KBO-nummer (10 cijfers) of instellingsnummer',
    example: '0403.170.701',
  },
  {
    key: 'startDate',
    header: 'Startdatum',
    step: 'opleiding',
    requirement: 'verplicht',
    format: `${DATE}: zoals op het inschrijvingsattest; voor een examen de datum van het (eerste) examen`,
    example: '01/10/2025',
  },
  {
    key: 'endDate',
    header: 'Einddatum',
    step: 'opleiding',
    requirement: 'verplicht',
    format: `${DATE}; voor een examen de datum van het laatste examen`,
    example: '30/06/2026',
  },
  {
    key: 'examDate',
    header: 'Examendatum',
    step: 'opleiding',
    requirement: 'niet verplicht',
    format: `${DATE}; alleen voor odb en loopbaan met een apart examen`,
    example: '',
  },
  {
    key: 'originalStartDate',
    header: 'Oorspronkelijke startdatum',
    step: 'opleiding',
    requirement: 'niet verplicht',
    format: `${DATE}; voor een opleiding die in een vorig schooljaar begon`,
    example: '',
  },
  {
    key: 'sizeKind',
    header: 'Omvang uitgedrukt in',
    step: 'opleiding',
    requirement: 'soms',
    format: 'contacturen, studiepunten of lestijden; verplicht voor odb en loopbaan',
    example: 'contacturen',
    choices: SIZE_KINDS,
  },
  {
    key: 'sizeAmount',
    header: 'Omvang',
    step: 'opleiding',
    requirement: 'soms',
    format: `${DECIMAL}; verplicht voor odb en loopbaan`,
    example: '40',
  },
  {
    key: 'examCount',
    header: 'Aantal examens',
    step: 'opleiding',
    requirement: 'soms',
    format: 'geheel getal; verplicht voor examencommissie',
    example: '',
  },
  {
    key: 'evcHours',
    header: 'Uren EVC-examen',
    step: 'opleiding',
    requirement: 'soms',
    format: `${DECIMAL}; verplicht voor evc`,
    example: '',
  },
  {
    key: 'careerGuidanceAttestDate',
    header: 'Datum attest loopbaanbegeleiding',
    step: 'opleiding',
    requirement: 'soms',
    format: `${DATE}; verplicht voor loopbaan`,
    example: '',
  },
  {
    key: 'initiative',
    header: 'Initiatief',
    step: 'initiatief',
    requirement: 'verplicht',
    format: 'werknemer of werkgever: wie nam het initiatief voor de opleiding',
    example: 'werkgever',
    choices: INITIATIVES,
  },
  {
    key: 'employeeAgreement',
    header: 'Akkoord werknemer',
    step: 'initiatief',
    requirement: 'verplicht',
    format: 'ja: de werknemer gaat akkoord met de aanvraag',
    example: 'ja',
    choices: ['ja'],
  },
];

export const COLUMN_BY_KEY: ReadonlyMap<ColumnKey, Column> = new Map(COLUMNS.map((c) => [c.key, c]));

/** The column our export of invalid rows adds in front; ignored when that file is uploaded again. */
export const ERRORS_HEADER = 'Fouten';

/** Header cells compared as a person sees them: no case, no surrounding or double spaces, no BOM. */
export function normaliseHeader(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .normalize('NFC')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

const BY_HEADER = new Map(COLUMNS.map((c) => [normaliseHeader(c.header), c]));

export function columnForHeader(text: string): Column | undefined {
  return BY_HEADER.get(normaliseHeader(text));
}
