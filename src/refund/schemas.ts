import { z } from 'zod';
import { compareIso, type IsoDate } from '../domain/dates.js';
import { normaliseBic, normaliseIban } from '../domain/iban.js';
import { normaliseInsz } from '../domain/insz.js';
import { normaliseEstablishmentUnit, normaliseKbo } from '../domain/kbo.js';
import { formatDecimalNl } from '../domain/money.js';
import {
  checkCareerGuidanceAttest,
  checkEligibility,
  checkMinimumSize,
  checkSubmissionWindow,
  forfaitCentsFor,
  indicativeAmount,
  normaliseOdbNumber,
  personalMaximumHours,
  sharedInitiativeApplies,
  trainingHours,
  type EligibilityCode,
  type TrainingSize,
} from '../domain/refund-rules.js';
import type { RulesData } from '../domain/rules-data.js';
import { schoolYearLabel, schoolYearOf } from '../domain/school-year.js';
import {
  INITIATIVES,
  SIZE_KINDS,
  TRAINING_TYPES,
  type Initiative,
  type SizeKind,
  type TrainingType,
} from '../domain/training.js';
import type { AttachmentKind } from './attachments.js';
import { REGION_NAMES, regionOfPostcode } from './region.js';
import type { EstablishmentUnitRow } from '../organisations/repository.js';
import type { PriorDossier } from './repository.js';
import { trainingKey } from './training-key.js';
import { contextStep, FieldReader, stepInput } from './field-reader.js';

/*
 * One zod schema per step, shared by the step routes, Bevestigen (which re-validates every step) and the tests.
 * Each takes the raw strings of its form and yields typed, normalised data; the rules that need other steps or
 * the database (the submission window, eligibility, hours, duplicates) get those through a small context object,
 * so the schemas themselves stay pure.
 */

// ---------------------------------------------------------------------------------------------
// Step 1: Werkgever

export const WERKGEVER_FIELDS = [
  'unitChoice',
  'unitNumber',
  'unitName',
  'unitStreet',
  'unitPostcode',
  'unitCity',
  'contactName',
  'contactPhone',
  'contactEmail',
  'iban',
  'bic',
] as const;

/** The radio value for "a unit that is not in the list": its number and address are typed in. */
export const OTHER_UNIT = 'andere';

/** One of the organisation's establishment units, as offered on step 1. */
export type UnitOption = EstablishmentUnitRow;

export interface WerkgeverData {
  unit: {
    id: number | null;
    number: string;
    name: string | null;
    street: string | null;
    postcode: string | null;
    city: string | null;
  };
  contact: { name: string; phone: string; email: string };
  iban: string;
  bic: string | null;
}

/** Digits, spaces and the usual separators, with 9 to 15 digits (Belgian numbers have 9 or 10, international ones more). */
export function normalisePhone(input: string): string | null {
  const v = input.trim();
  if (!/^\+?[\d\s./()-]+$/.test(v)) return null;
  const digits = v.replace(/\D/g, '').length;
  return digits >= 9 && digits <= 15 ? v.replace(/\s+/g, ' ') : null;
}

function notFlemishMessage(postcode: string): string {
  const region = regionOfPostcode(postcode);
  const where = region ? `ligt in ${REGION_NAMES[region]}` : 'is geen Belgische postcode';
  return `Postcode ${postcode} ${where}. De werknemer moet werken in een vestigingseenheid in het Vlaamse Gewest (postcodes 1500 tot 3999 en 8000 tot 9999).`;
}

export const werkgeverSchema = contextStep(
  WERKGEVER_FIELDS,
  (raw, zctx, ctx: { units: readonly UnitOption[] }): WerkgeverData => {
    const f = new FieldReader(raw, zctx);
    let unit: WerkgeverData['unit'] | null = null;
    const choice = ctx.units.length === 0 ? OTHER_UNIT : f.value('unitChoice');
    const listed = ctx.units.find((u) => String(u.id) === choice);
    if (listed) {
      if (listed.postcode && regionOfPostcode(listed.postcode) !== 'vlaanderen')
        f.issue('unitChoice', `Deze vestigingseenheid: ${notFlemishMessage(listed.postcode)} Kies een andere.`);
      else
        unit = {
          id: listed.id,
          number: listed.number,
          name: listed.name,
          street: listed.street,
          postcode: listed.postcode,
          city: listed.city,
        };
    } else if (choice === OTHER_UNIT) {
      const number = f.identifier('unitNumber', normaliseEstablishmentUnit, {
        required: 'Vul het nummer van de vestigingseenheid in.',
        invalid:
          'Dit vestigingseenheidsnummer klopt niet. Het heeft 10 cijfers en begint met 2, bijvoorbeeld 2.147.812.701. Controleer de cijfers.',
      });
      const name = f.optionalText('unitName');
      const street = f.text('unitStreet', 'Vul de straat en het huisnummer van de vestigingseenheid in.');
      const postcode = f.text('unitPostcode', 'Vul de postcode van de vestigingseenheid in.');
      if (postcode !== null && regionOfPostcode(postcode) !== 'vlaanderen')
        f.issue('unitPostcode', notFlemishMessage(postcode));
      const city = f.text('unitCity', 'Vul de gemeente van de vestigingseenheid in.');
      if (number && street && postcode && city) unit = { id: null, number, name, street, postcode, city };
    } else {
      f.issue('unitChoice', 'Kies de vestigingseenheid waar de werknemer werkt.');
    }

    const contactName = f.text('contactName', 'Vul de naam van de contactpersoon in.');
    const contactPhone = f.identifier('contactPhone', normalisePhone, {
      required: 'Vul het telefoonnummer van de contactpersoon in.',
      invalid: 'Vul een telefoonnummer in met alleen cijfers, spaties of +, bijvoorbeeld 09 123 45 67.',
    });
    const contactEmail = f.email('contactEmail', 'het e-mailadres van de contactpersoon');
    const ibanInput = f.value('iban').replace(/\s/g, '').toUpperCase();
    const iban = f.identifier('iban', normaliseIban, {
      required: 'Vul het rekeningnummer (IBAN) in waarop de terugbetaling moet komen.',
      invalid:
        /^[A-Z]{2}/.test(ibanInput) && !ibanInput.startsWith('BE')
          ? 'De terugbetaling kan alleen op een Belgische rekening. Vul een rekeningnummer in dat begint met BE.'
          : 'Dit rekeningnummer klopt niet. Vul BE en 14 cijfers in, bijvoorbeeld BE68 5390 0754 7034, en controleer de cijfers.',
    });
    const bic = f.identifier('bic', normaliseBic, {
      invalid: 'Deze BIC klopt niet. Vul 8 of 11 letters en cijfers in, bijvoorbeeld GEBABEBB, of laat het veld leeg.',
    });
    if (!f.ok || !unit) return z.NEVER;
    return { unit, contact: { name: contactName!, phone: contactPhone!, email: contactEmail! }, iban: iban!, bic };
  },
);

// ---------------------------------------------------------------------------------------------
// Step 2: Werknemer

export const WERKNEMER_FIELDS = [
  'insz',
  'firstName',
  'lastName',
  'email',
  'twp',
  'weeklyHours',
  'schedule',
  'newEmployee',
  'employmentStartDate',
] as const;

export const SCHEDULES = ['vast', 'variabel'] as const;
export type Schedule = (typeof SCHEDULES)[number];

export interface WerknemerData {
  insz: string;
  firstName: string;
  lastName: string;
  email: string | null;
  twpPercent: number;
  weeklyHours: number;
  schedule: Schedule;
  /** Set when the employee started with this employer during the school year (extends the deadline). */
  employmentStartDate: IsoDate | null;
}

export function werknemerSchema() {
  return stepInput(WERKNEMER_FIELDS).transform((raw, zctx): WerknemerData => {
    const f = new FieldReader(raw, zctx);
    const insz = f.identifier('insz', normaliseInsz, {
      required: 'Vul het INSZ-nummer van de werknemer in: het rijksregisternummer of het BIS-nummer.',
      invalid:
        'Dit INSZ-nummer klopt niet. Vul de 11 cijfers in zoals op de identiteitskaart, bijvoorbeeld 85.07.30-033.28, en controleer ze.',
    });
    const firstName = f.text('firstName', 'Vul de voornaam van de werknemer in.', 100);
    const lastName = f.text('lastName', 'Vul de achternaam van de werknemer in.', 100);
    const email = f.email('email', 'het e-mailadres van de werknemer', { optional: true });
    const twpPercent = f.decimal('twp', 'het tewerkstellingspercentage', { min: 0, max: 100, minExclusive: true });
    const weeklyHours = f.decimal('weeklyHours', 'het gemiddeld aantal arbeidsuren per week', {
      min: 0,
      max: 168,
      minExclusive: true,
    });
    const schedule = f.choice('schedule', SCHEDULES, 'Kies of de werknemer een vast of een variabel uurrooster heeft.');
    const newEmployee = f.choice(
      'newEmployee',
      ['ja', 'nee'] as const,
      'Kies of de werknemer tijdens het schooljaar bij u in dienst kwam.',
    );
    const employmentStartDate =
      newEmployee === 'ja' ? f.date('employmentStartDate', 'de datum waarop de werknemer bij u in dienst kwam') : null;
    if (!f.ok) return z.NEVER;
    return {
      insz: insz!,
      firstName: firstName!,
      lastName: lastName!,
      email,
      twpPercent: twpPercent!,
      weeklyHours: weeklyHours!,
      schedule: schedule!,
      employmentStartDate,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Step 3: Opleiding

export const OPLEIDING_FIELDS = [
  'trainingType',
  'odbNumber',
  'trainingName',
  'providerName',
  'providerNumber',
  'startDate',
  'endDate',
  'examDate',
  'originalStartDate',
  'sizeKind',
  'sizeAmount',
  'examCount',
  'evcHours',
  'careerGuidanceAttestDate',
] as const;

export interface OpleidingData {
  type: TrainingType;
  odbNumber: string | null;
  name: string;
  providerName: string;
  /** KBO number (10 digits) or the institution number as typed. */
  providerNumber: string;
  startDate: IsoDate;
  endDate: IsoDate;
  examDate: IsoDate | null;
  /** For a training that started in an earlier school year: it may continue under that year's rule. */
  originalStartDate: IsoDate | null;
  size: TrainingSize;
  careerGuidanceAttestDate: IsoDate | null;
  schoolYearStart: number;
  trainingHours: number;
  forfaitCents: number;
  trainingKey: string;
}

export interface OpleidingContext {
  /** Today in Brussels (the injectable clock): the submission window is counted from it. */
  today: IsoDate;
  werknemer: WerknemerData;
  /** This employee's other counting dossiers in the organisation (any school year). */
  priorDossiers: readonly PriorDossier[];
  rules: RulesData;
  wording?: Partial<Wording>;
}

/**
 * The few sentences that tell the user what to do in the form ("Vink aan", "stap 2"). The rules are the same
 * everywhere; another channel (the CSV upload in src/bulk) passes its own advice through the context.
 */
export interface Wording {
  /** Appended to "U kunt deze aanvraag pas indienen vanaf …". */
  tooEarlyAdvice: string;
  /** Appended to a refusal because the start date is too long ago (not already counted from a new employer). */
  tooLateAdvice: string;
  /** Appended to an eligibility problem told at the start date. */
  eligibilityAdvice: string;
  /**
   * Where an eligibility problem is told: at the start date (the form: its step 3 has no employee fields), or at
   * the employee's own field it is about, the percentage or the hours (the CSV upload: each is a column).
   */
  eligibilityAt: 'startDate' | 'employeeField';
  agreementRequired: string;
}

export const FORM_WORDING: Wording = {
  tooEarlyAdvice: ' Bewaar de aanvraag met "Opslaan en later verdergaan" en dien ze in vanaf die datum.',
  tooLateAdvice:
    ' Een aanvraag na die datum is niet meer mogelijk, tenzij de werknemer tijdens het schooljaar bij u in dienst kwam: ' +
    'kies dan in stap 2 "Ja" en vul de datum van indiensttreding in. De termijn telt dan ook vanaf die datum.',
  eligibilityAdvice: ' Kloppen de gegevens van de werknemer niet? Pas ze aan in stap 2.',
  eligibilityAt: 'startDate',
  agreementRequired:
    'Vink aan dat de werknemer akkoord gaat met de aanvraag. Zonder dat akkoord kunt u niet aanvragen.',
};

/** The employee's field an eligibility problem is about, for a channel that tells it there (eligibilityAt). */
const ELIGIBILITY_FIELD: Partial<Record<EligibilityCode, 'twp' | 'weeklyHours'>> = {
  'twp-te-laag': 'twp',
  'uren-ontbreken': 'weeklyHours',
  'ongeldige-uren': 'weeklyHours',
  'uren-te-laag': 'weeklyHours',
};

/** A valid KBO number (normalised), or an institution number of letters, digits and separators. */
export function normaliseProviderNumber(input: string): string | null {
  const v = input.trim();
  const kbo = normaliseKbo(v);
  if (kbo) return kbo;
  const digits = v.replace(/^BE/i, '').replace(/[\s.-]/g, '');
  if (/^[01]\d{9}$/.test(digits)) return null; // looks like a KBO number with a typing error
  return /^[\p{L}\p{N}][\p{L}\p{N} ./-]{0,29}$/u.test(v) ? v : null;
}

export const opleidingSchema = contextStep(OPLEIDING_FIELDS, (raw, zctx, ctx: OpleidingContext): OpleidingData => {
  const { rules, werknemer } = ctx;
  const wording = { ...FORM_WORDING, ...ctx.wording };
  const f = new FieldReader(raw, zctx);
  const type = f.choice('trainingType', TRAINING_TYPES, 'Kies het soort opleiding.');
  const exam = type === 'examencommissie' || type === 'evc';

  let odbNumber: string | null = null;
  if (type === 'odb' || type === 'loopbaan') {
    odbNumber = f.identifier('odbNumber', (v) => normaliseOdbNumber(v, rules), {
      required:
        type === 'odb'
          ? 'Vul het ODB-nummer van de opleiding in. U vindt het bij de opleiding in de opleidingsdatabank.'
          : undefined,
      invalid: 'Vul het ODB-nummer in zoals het in de opleidingsdatabank staat: alleen cijfers.',
    });
  }
  const name = f.text('trainingName', exam ? 'Vul de naam van het examen in.' : 'Vul de naam van de opleiding in.');
  const providerName = f.text(
    'providerName',
    exam ? 'Vul de naam van de examencommissie of het testcentrum in.' : 'Vul de naam van de opleidingsverstrekker in.',
  );
  const providerNumber = f.identifier('providerNumber', normaliseProviderNumber, {
    required: 'Vul het KBO-nummer of het instellingsnummer van de opleidingsverstrekker in.',
    invalid:
      'Dit nummer klopt niet. Vul het KBO-nummer in (10 cijfers, bijvoorbeeld 0403.170.701) of het instellingsnummer, en controleer de cijfers.',
  });

  const startDate = f.date('startDate', exam ? 'de datum van het (eerste) examen' : 'de startdatum');
  const endDate = f.date('endDate', exam ? 'de datum van het laatste examen' : 'de einddatum');
  if (startDate && endDate && compareIso(endDate, startDate) < 0)
    f.issue('endDate', 'De einddatum moet op of na de startdatum liggen.');
  const examDate = exam ? null : f.date('examDate', 'de examendatum', { optional: true });
  if (startDate && examDate && compareIso(examDate, startDate) < 0)
    f.issue('examDate', 'De examendatum moet na de startdatum liggen. Laat het veld leeg als er geen apart examen is.');
  const originalStartDate = f.date('originalStartDate', 'de oorspronkelijke startdatum', { optional: true });
  if (startDate && originalStartDate && schoolYearOf(originalStartDate).start >= schoolYearOf(startDate).start) {
    f.issue(
      'originalStartDate',
      'De oorspronkelijke startdatum moet in een vorig schooljaar liggen. Laat het veld leeg als de opleiding in dit schooljaar begint.',
    );
  }

  const size = readSize(f, type);
  if (size) {
    const minimum = checkMinimumSize(size, rules);
    if (!minimum.ok) f.issue(sizeField(size.type), minimum.message);
  }

  let careerGuidanceAttestDate: IsoDate | null = null;
  if (type === 'loopbaan') {
    careerGuidanceAttestDate = f.date('careerGuidanceAttestDate', 'de datum van het attest loopbaanbegeleiding');
    if (careerGuidanceAttestDate && startDate) {
      const attest = checkCareerGuidanceAttest(careerGuidanceAttestDate, startDate, rules);
      if (!attest.ok) f.issue('careerGuidanceAttestDate', attest.message);
    }
  }

  // The rules that hang on the start date are told at the start date, where the user can act on them.
  let schoolYearStart: number | null = null;
  let forfaitCents: number | null = null;
  if (startDate) {
    const window = checkSubmissionWindow(
      { startDate, submissionDate: ctx.today, newEmployerStartDate: werknemer.employmentStartDate },
      rules,
    );
    if (!window.ok) {
      const advice =
        window.issues[0].code === 'te-vroeg'
          ? wording.tooEarlyAdvice
          : window.latestBasis === 'startdatum'
            ? wording.tooLateAdvice
            : ' Een aanvraag na die datum is niet meer mogelijk.';
      f.issue('startDate', `${window.message}${advice}`);
    }
    schoolYearStart = schoolYearOf(startDate).start;
    const eligibility = checkEligibility(
      {
        schoolYearStart,
        twpPercent: werknemer.twpPercent,
        weeklyHours: werknemer.weeklyHours,
        trainingStartedInSchoolYearStart:
          originalStartDate && !f.failed('originalStartDate') ? schoolYearOf(originalStartDate).start : null,
      },
      rules,
    );
    if (!eligibility.ok && wording.eligibilityAt === 'employeeField') {
      for (const issue of eligibility.issues) f.issueAt(ELIGIBILITY_FIELD[issue.code] ?? 'startDate', issue.message);
    } else if (!eligibility.ok) f.issue('startDate', `${eligibility.message}${wording.eligibilityAdvice}`);
    forfaitCents = forfaitCentsFor(schoolYearStart, rules);
    if (forfaitCents === null)
      f.issue(
        'startDate',
        `Voor het schooljaar ${schoolYearLabel(schoolYearStart)} is er geen bedrag per uur vastgelegd.`,
      );
  }

  if (!f.ok || !type || !startDate || !endDate || !size || schoolYearStart === null || forfaitCents === null)
    return z.NEVER;
  const key = trainingKey({ type, odbNumber, name: name!, providerNumber: providerNumber! });
  const duplicate = ctx.priorDossiers.find((d) => d.trainingKey === key && d.schoolYearStart === schoolYearStart);
  if (duplicate) {
    f.issue(
      type === 'odb' ? 'odbNumber' : 'trainingName',
      `Voor deze werknemer is er al een aanvraag voor deze opleiding in het schooljaar ${schoolYearLabel(schoolYearStart)} (dossier ${duplicate.dossiernummer}). ` +
        'Per werknemer, opleiding en schooljaar kunt u maar één aanvraag indienen.',
    );
    return z.NEVER;
  }
  return {
    type,
    odbNumber,
    name: name!,
    providerName: providerName!,
    providerNumber: providerNumber!,
    startDate,
    endDate,
    examDate,
    originalStartDate,
    size,
    careerGuidanceAttestDate,
    schoolYearStart,
    trainingHours: trainingHours(size, rules),
    forfaitCents,
    trainingKey: key,
  };
});

/** The field that holds the size of a training of this type. */
export function sizeField(type: TrainingType): 'sizeAmount' | 'examCount' | 'evcHours' {
  return type === 'examencommissie' ? 'examCount' : type === 'evc' ? 'evcHours' : 'sizeAmount';
}

function readSize(f: FieldReader<(typeof OPLEIDING_FIELDS)[number]>, type: TrainingType | null): TrainingSize | null {
  if (type === 'examencommissie') {
    const amount = f.decimal('examCount', 'het aantal examens', { min: 1, max: 50, integer: true });
    return amount === null ? null : { type, amount };
  }
  if (type === 'evc') {
    const amount = f.decimal('evcHours', 'het aantal uren van het EVC-examen', {
      min: 0,
      max: 500,
      minExclusive: true,
    });
    return amount === null ? null : { type, amount };
  }
  if (type === 'odb' || type === 'loopbaan') {
    const sizeKind = f.choice<SizeKind>(
      'sizeKind',
      SIZE_KINDS,
      'Kies hoe de omvang van de opleiding is uitgedrukt: in contacturen, studiepunten of lestijden.',
    );
    const amount = f.decimal('sizeAmount', 'de omvang van de opleiding', { min: 0, max: 10_000, minExclusive: true });
    return sizeKind === null || amount === null ? null : { type, sizeKind, amount };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Step 4: Initiatief en akkoord

export const INITIATIEF_FIELDS = ['initiative', 'employeeAgreement'] as const;

/** The hours and the indicative amount of a request, as shown on the overview and the receipt. */
export interface Calculation {
  schoolYearStart: number;
  trainingHours: number;
  sharedInitiative: boolean;
  personalMaximumHours: number;
  hoursAlreadyUsed: number;
  remainingHours: number;
  /** Hours this request counts for: min(training hours, remaining personal maximum). */
  vovHours: number;
  forfaitCents: number;
  amountCents: number;
}

export interface InitiatiefData {
  initiative: Initiative;
  employeeAgreement: true;
  calculation: Calculation;
}

export interface InitiatiefContext {
  werknemer: WerknemerData;
  opleiding: OpleidingData;
  priorDossiers: readonly PriorDossier[];
  rules: RulesData;
  wording?: Partial<Wording>;
}

/**
 * The personal maximum of the school year (doubled under the shared initiative right, judged from this
 * employee's other dossiers of that school year), what is left of it, and the indicative amount.
 */
export function calculate(ctx: InitiatiefContext, initiative: Initiative): Calculation {
  const { werknemer, opleiding, rules } = ctx;
  const sameYear = ctx.priorDossiers.filter((d) => d.schoolYearStart === opleiding.schoolYearStart);
  const sharedInitiative = sharedInitiativeApplies(
    sameYear.map((d) => ({ initiative: d.initiative as Initiative, odbNumber: d.odbNumber })),
    { initiative, odbNumber: opleiding.odbNumber },
  );
  const maximum = personalMaximumHours({ twpPercent: werknemer.twpPercent, sharedInitiative }, rules);
  const hoursAlreadyUsed = sameYear.reduce((sum, d) => sum + d.vovHours, 0);
  const amount = indicativeAmount({
    trainingHours: opleiding.trainingHours,
    personalMaximumHours: maximum,
    hoursAlreadyUsed,
    forfaitCents: opleiding.forfaitCents,
  });
  return {
    schoolYearStart: opleiding.schoolYearStart,
    trainingHours: opleiding.trainingHours,
    sharedInitiative,
    personalMaximumHours: maximum,
    hoursAlreadyUsed,
    remainingHours: amount.remainingHours,
    vovHours: amount.hours,
    forfaitCents: opleiding.forfaitCents,
    amountCents: amount.cents,
  };
}

/** The two answers of step 4 in themselves, without the hours (which need the employee and the training). */
function readInitiatiefAnswers(
  f: FieldReader<(typeof INITIATIEF_FIELDS)[number]>,
  wording: Partial<Wording> | undefined,
): Initiative | null {
  const initiative = f.choice(
    'initiative',
    INITIATIVES,
    'Kies wie het initiatief voor de opleiding nam: de werknemer of de werkgever.',
  );
  if (f.value('employeeAgreement') !== 'ja') {
    f.issue('employeeAgreement', wording?.agreementRequired ?? FORM_WORDING.agreementRequired);
  }
  return initiative;
}

/** Step 4's answers judged on their own: a CSV row tells their problems also when its training has problems. */
export const initiatiefAnswersSchema = contextStep(
  INITIATIEF_FIELDS,
  (raw, zctx, ctx: { wording?: Partial<Wording> }): Initiative => {
    const f = new FieldReader(raw, zctx);
    const initiative = readInitiatiefAnswers(f, ctx.wording);
    return f.ok && initiative ? initiative : z.NEVER;
  },
);

export const initiatiefSchema = contextStep(INITIATIEF_FIELDS, (raw, zctx, ctx: InitiatiefContext): InitiatiefData => {
  const f = new FieldReader(raw, zctx);
  const initiative = readInitiatiefAnswers(f, ctx.wording);
  if (!initiative) return z.NEVER;
  const calculation = calculate(ctx, initiative);
  if (calculation.remainingHours <= 0) {
    f.issue(
      'initiative',
      `De werknemer heeft in het schooljaar ${schoolYearLabel(calculation.schoolYearStart)} het persoonlijk maximum van ` +
        `${formatDecimalNl(calculation.personalMaximumHours)} uur al opgebruikt in andere aanvragen. Voor deze opleiding kunt u geen uren meer aanvragen.`,
    );
  }
  if (!f.ok) return z.NEVER;
  return { initiative, employeeAgreement: true, calculation };
});

// ---------------------------------------------------------------------------------------------
// Step 5: Bijlagen (the files themselves are stored as they are uploaded; this checks what is there)

export const BIJLAGEN_FIELDS = [] as const;

export interface BijlagenData {
  attachmentKinds: AttachmentKind[];
}

export const bijlagenSchema = contextStep(
  BIJLAGEN_FIELDS,
  (_raw, zctx, ctx: { opleiding: OpleidingData; attachmentKinds: readonly AttachmentKind[] }): BijlagenData => {
    if (ctx.opleiding.type === 'loopbaan' && !ctx.attachmentKinds.includes('loopbaanattest')) {
      zctx.addIssue({
        code: 'custom',
        path: ['loopbaanattest'],
        message: 'Voeg het attest van loopbaanbegeleiding toe. Voor een loopbaangerichte opleiding is het verplicht.',
      });
      return z.NEVER;
    }
    return { attachmentKinds: [...new Set(ctx.attachmentKinds)] };
  },
);

// ---------------------------------------------------------------------------------------------
// Step 6: Overzicht (the declaration on honour)

export const OVERZICHT_FIELDS = ['declaration'] as const;

export function overzichtSchema() {
  return stepInput(OVERZICHT_FIELDS).transform((raw, zctx): { declaration: true } => {
    if (raw.declaration !== 'ja') {
      zctx.addIssue({
        code: 'custom',
        path: ['declaration'],
        message: 'Vink aan dat u verklaart dat alle gegevens juist en volledig zijn.',
      });
      return z.NEVER;
    }
    return { declaration: true };
  });
}
