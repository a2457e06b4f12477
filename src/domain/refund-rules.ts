/**
 * Business rules of one VOV refund request (one employee × one training × one school year).
 * Pure functions; every rule takes the rule tables (RulesData) as a parameter. Their input is what a step of
 * the form already read and bounded (src/refund/steps/), so a rule checks only itself: a refusal is a Dutch
 * message that stands on its own, and null means the rule is met.
 */
import { addMonths, addYears, compareIso, formatDateNl, type IsoDate } from './dates.js';
import { formatDecimalNl, roundDecimal } from './money.js';
import { entryForSchoolYear, type EligibilityRule, type RulesData } from './rules-data.js';
import { referenceMonthFor, schoolYearLabel, type ReferenceMonth } from './school-year.js';
import { sizeKindUnits, type Initiative, type SizeKind } from './training.js';

/** Hours are kept to 4 decimals: enough for TWP with 2 decimals × 125 h, without float noise. */
const HOUR_DECIMALS = 4;

function pluralNl(n: number, one: string, other: string): string {
  return `${formatDecimalNl(n)} ${n === 1 ? one : other}`;
}

function months(n: number): string {
  return pluralNl(n, 'maand', 'maanden');
}

/** Refund per approved hour in euro cents for a school year, or null when none applies. */
export function forfaitCentsFor(schoolYearStart: number, rules: RulesData): number | null {
  return entryForSchoolYear(rules.forfaits, schoolYearStart, rules)?.centsPerHour ?? null;
}

// ---------------------------------------------------------------------------------------------
// Eligibility of the employee

export interface EligibilityInput {
  readonly schoolYearStart: number;
  /** Employment percentage (TWP) in the reference month, 0 < twp ≤ 100. */
  readonly twpPercent: number;
  /** Average working hours a week, 0 < hours ≤ 168. */
  readonly weeklyHours: number;
  /** School year in which a multi-year training started, when earlier than schoolYearStart. */
  readonly trainingStartedInSchoolYearStart: number | null;
}

export interface EligibilityRefusal {
  /** Each shortfall with the rule, a message that stands on its own next to the answer it is `about`. */
  readonly issues: readonly { readonly about: 'twp' | 'weeklyHours' | 'schoolYear'; readonly message: string }[];
  /** All of them as one text. */
  readonly message: string;
}

/**
 * Dutch description of an eligibility rule, to end a sentence "de werknemer moet …":
 * 'minstens 80 % tewerkgesteld zijn in de referentiemaand maart 2025 en gemiddeld minstens 28 uur per week werken'.
 */
export function describeEligibilityRule(rule: EligibilityRule, referenceMonth?: ReferenceMonth | null): string {
  const twp = `minstens ${formatDecimalNl(rule.minTwpPercent)} % tewerkgesteld zijn`;
  const ref = referenceMonth ? ` in de referentiemaand ${referenceMonth.label}` : '';
  const hours =
    rule.minWeeklyHours === null
      ? ''
      : ` en gemiddeld minstens ${formatDecimalNl(rule.minWeeklyHours)} uur per week werken`;
  return `${twp}${ref}${hours}`;
}

/**
 * Why the employee does not qualify in this school year, or null when they do: TWP ≥ 50 % up to 2024-2025;
 * from 2025-2026 TWP ≥ 80 % and ≥ 28 h a week, unless the training started under a rule that continues.
 */
export function eligibilityRefusal(input: EligibilityInput, rules: RulesData): EligibilityRefusal | null {
  const { schoolYearStart, twpPercent, weeklyHours, trainingStartedInSchoolYearStart: startedIn } = input;
  const ownRule = entryForSchoolYear(rules.eligibility, schoolYearStart, rules);
  const referenceMonth = referenceMonthFor(schoolYearStart, rules);
  if (ownRule === null || referenceMonth === null) {
    const message =
      `Voor het schooljaar ${schoolYearLabel(schoolYearStart)} kunt u geen terugbetaling van Vlaams opleidingsverlof aanvragen. ` +
      `Dat kan vanaf het schooljaar ${schoolYearLabel(rules.firstSchoolYear)}.`;
    return { issues: [{ about: 'schoolYear', message }], message };
  }
  let rule = ownRule;
  let ruleIntro = `Voor het schooljaar ${schoolYearLabel(schoolYearStart)} moet de werknemer`;
  if (startedIn !== null && startedIn < schoolYearStart) {
    const startRule = entryForSchoolYear(rules.eligibility, startedIn, rules);
    if (startRule !== null && startRule !== ownRule && startRule.continuesForStartedTrainings) {
      rule = startRule;
      ruleIntro =
        `Voor een opleiding die al gestart is in het schooljaar ${schoolYearLabel(startedIn)} ` +
        'geldt nog de regel van dat schooljaar: de werknemer moet';
    }
  }

  const problems: { about: 'twp' | 'weeklyHours'; problem: string }[] = [];
  if (twpPercent < rule.minTwpPercent)
    problems.push({
      about: 'twp',
      problem: `Het tewerkstellingspercentage van de werknemer (${formatDecimalNl(twpPercent)} %) is te laag.`,
    });
  if (rule.minWeeklyHours !== null && weeklyHours < rule.minWeeklyHours)
    problems.push({
      about: 'weeklyHours',
      problem: `De werknemer werkt gemiddeld ${pluralNl(weeklyHours, 'uur', 'uur')} per week; dat is te weinig.`,
    });
  if (problems.length === 0) return null;
  const explanation = `${ruleIntro} ${describeEligibilityRule(rule, referenceMonth)}.`;
  return {
    issues: problems.map((p) => ({ about: p.about, message: `${p.problem} ${explanation}` })),
    message: `${problems.map((p) => p.problem).join(' ')} ${explanation}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Hours

/**
 * Personal maximum of refundable hours in a school year: TWP × 125 h (80 % → 100 h), multiplied
 * by 2 under the gemeenschappelijk initiatiefrecht. Rounded to 4 decimals (float noise only).
 */
export function personalMaximumHours(
  input: { readonly twpPercent: number; readonly sharedInitiative: boolean },
  rules: RulesData,
): number {
  const factor = input.sharedInitiative ? rules.hours.sharedInitiativeMultiplier : 1;
  return roundDecimal((input.twpPercent * rules.hours.baseHoursPerFullTime * factor) / 100, HOUR_DECIMALS);
}

/**
 * The size of a training as entered on the request, a positive amount of: `sizeKind` units (contacturen,
 * studiepunten or lestijden) for 'odb' and 'loopbaan'; exams for 'examencommissie'; hours of the EVC exam for
 * 'evc' (assumed: no published conversion, the hours given count).
 */
export type TrainingSize =
  | { readonly type: 'odb' | 'loopbaan'; readonly sizeKind: SizeKind; readonly amount: number }
  | { readonly type: 'examencommissie' | 'evc'; readonly amount: number };

/**
 * Hours a training counts for, before the personal maximum: contacturen as given (attended or
 * planned); 4 h per studiepunt; the planned lestijden; 8 h per exam; EVC: the hours given.
 */
export function trainingHours(size: TrainingSize, rules: RulesData): number {
  const { perExam, perStudiepunt, perLestijd } = rules.hours;
  const perUnit =
    'sizeKind' in size
      ? { contacturen: 1, studiepunten: perStudiepunt, lestijden: perLestijd }[size.sizeKind]
      : size.type === 'examencommissie'
        ? perExam
        : 1;
  return roundDecimal(size.amount * perUnit, HOUR_DECIMALS);
}

/**
 * An ODB or loopbaangerichte training must count ≥ 32 contacturen, or ≥ 3 studiepunten, or ≥ 32 lestijden:
 * the refusal, or null.
 */
export function minimumSizeProblem(size: TrainingSize, rules: RulesData): string | null {
  if (!('sizeKind' in size) || !rules.minimumSizeAppliesTo.includes(size.type)) return null;
  if (size.amount >= rules.minimumSize[size.sizeKind]) return null;
  const { contacturen, studiepunten, lestijden } = rules.minimumSize;
  const unit = sizeKindUnits[size.sizeKind];
  return (
    `De opleiding is te klein: ze telt ${pluralNl(size.amount, unit.one, unit.other)}. ` +
    `Een ODB-opleiding of loopbaangerichte opleiding moet minstens ${formatDecimalNl(contacturen)} contacturen, ` +
    `${formatDecimalNl(studiepunten)} studiepunten of ${formatDecimalNl(lestijden)} lestijden omvatten.`
  );
}

// ---------------------------------------------------------------------------------------------
// Submission deadline

export interface SubmissionWindowInput {
  /** Start date of the training (the date on the inschrijvingsattest). */
  readonly startDate: IsoDate;
  readonly submissionDate: IsoDate;
  /** When the employee recently started with this (new) employer. */
  readonly newEmployerStartDate?: IsoDate | null;
}

export interface SubmissionWindow {
  /** First day a request may be filed: 3 months before the start date. */
  readonly earliest: IsoDate;
  /** Last day a request may be filed (inclusive): the later of the two deadlines. */
  readonly latest: IsoDate;
  readonly latestBasis: 'startdatum' | 'nieuwe-werkgever';
  /** Why the submission date falls outside the window; null when inside. */
  readonly refusal: { readonly tooEarly: boolean; readonly message: string } | null;
}

/**
 * A request may be filed from 3 months before to 3 months after the training's start date
 * (both inclusive, months clamped to month ends), or up to 3 months after the employee started
 * with a new employer. Assumed: the new-employer exception extends only the deadline, never
 * the earliest date.
 */
export function checkSubmissionWindow(input: SubmissionWindowInput, rules: RulesData): SubmissionWindow {
  const { startDate, submissionDate, newEmployerStartDate } = input;
  const w = rules.submissionWindow;
  const earliest = addMonths(startDate, -w.monthsBeforeStart);
  const byStart = addMonths(startDate, w.monthsAfterStart);
  const byEmployer = newEmployerStartDate ? addMonths(newEmployerStartDate, w.monthsAfterNewEmployer) : null;
  const viaEmployer = byEmployer !== null && compareIso(byEmployer, byStart) > 0;
  const latest = viaEmployer ? byEmployer : byStart;
  const latestBasis = viaEmployer ? 'nieuwe-werkgever' : 'startdatum';

  let refusal: SubmissionWindow['refusal'] = null;
  if (compareIso(submissionDate, earliest) < 0) {
    const message =
      `U kunt deze aanvraag pas indienen vanaf ${formatDateNl(earliest)} ` +
      `(${months(w.monthsBeforeStart)} vóór de startdatum van de opleiding).`;
    refusal = { tooEarly: true, message };
  } else if (compareIso(submissionDate, latest) > 0) {
    const basis =
      latestBasis === 'startdatum'
        ? `${months(w.monthsAfterStart)} na de startdatum van de opleiding`
        : `${months(w.monthsAfterNewEmployer)} na de start van de werknemer bij de nieuwe werkgever`;
    refusal = {
      tooEarly: false,
      message: `De aanvraag moest ten laatste op ${formatDateNl(latest)} ingediend zijn (${basis}).`,
    };
  }
  return { earliest, latest, latestBasis, refusal };
}

// ---------------------------------------------------------------------------------------------
// Career guidance attest (loopbaangerichte opleiding)

/**
 * The attest may not be older than 6 years at the start of the training: an attest dated exactly 6 years before
 * the start is still valid (whether it may postdate the start is not checked). The refusal, or null.
 */
export function careerGuidanceAttestProblem(
  attestDate: IsoDate,
  trainingStartDate: IsoDate,
  rules: RulesData,
): string | null {
  const years = rules.careerGuidanceAttestMaxAgeYears;
  const oldest = addYears(trainingStartDate, -years);
  if (compareIso(attestDate, oldest) >= 0) return null;
  return (
    `Het attest loopbaanbegeleiding mag bij de start van de opleiding niet ouder zijn dan ${pluralNl(years, 'jaar', 'jaar')}. ` +
    `Voor een opleiding die start op ${formatDateNl(trainingStartDate)} moet het attest dateren van ` +
    `${formatDateNl(oldest)} of later.`
  );
}

// ---------------------------------------------------------------------------------------------
// ODB numbers and the gemeenschappelijk initiatiefrecht

/** ' 12 345 ' → '12345' when it matches rules.odbNumberPattern (assumed numeric); else null. */
export function normaliseOdbNumber(input: string, rules: RulesData): string | null {
  const value = input.replace(/\s/g, '').toUpperCase();
  return value !== '' && new RegExp(rules.odbNumberPattern).test(value) ? value : null;
}

export interface InitiativeRequest {
  /** An Initiative, as stored. */
  readonly initiative: string;
  /** Normalised ODB number of the training; null for trainings outside the opleidingsdatabank. */
  readonly odbNumber: string | null;
}

/**
 * Gemeenschappelijk initiatiefrecht: the employee's personal maximum doubles in a school year
 * when, among the employee's requests of that school year (the existing ones plus this one), at
 * least one training is on the employee's initiative and one on the employer's, with different
 * ODB numbers. Assumed: only requests with an ODB number count; the caller passes only requests
 * that still count (not refused or cancelled).
 */
export function sharedInitiativeApplies(
  existingRequestsOfEmployeeInSchoolYear: readonly InitiativeRequest[],
  thisRequest: InitiativeRequest,
): boolean {
  const all = [...existingRequestsOfEmployeeInSchoolYear, thisRequest];
  const odbNumbers = (initiative: Initiative) =>
    all.filter((r) => r.initiative === initiative && r.odbNumber).map((r) => r.odbNumber);
  const byEmployer = odbNumbers('werkgever');
  return odbNumbers('werknemer').some((e) => byEmployer.some((r) => r !== e));
}

// ---------------------------------------------------------------------------------------------
// Indicative amount

export interface IndicativeAmountInput {
  readonly trainingHours: number;
  readonly personalMaximumHours: number;
  /** Hours of the personal maximum already taken by the employee's other requests this school year. */
  readonly hoursAlreadyUsed: number;
  readonly forfaitCents: number;
}

export interface IndicativeAmount {
  /** Hours that count: min(training hours, personal maximum remaining). */
  readonly hours: number;
  /** Personal maximum minus hours already used, never below 0. */
  readonly remainingHours: number;
  /** hours × forfait, rounded to a whole cent (halves up). */
  readonly cents: number;
}

/**
 * min(training hours, personal maximum remaining) × forfait. 125 h × 2130 c = 266250 c (€ 2.662,50).
 * Indicative only: the real payment follows checks against DmfA and attendance attests.
 */
export function indicativeAmount(input: IndicativeAmountInput): IndicativeAmount {
  const remainingHours = Math.max(0, roundDecimal(input.personalMaximumHours - input.hoursAlreadyUsed, HOUR_DECIMALS));
  const hours = Math.min(input.trainingHours, remainingHours);
  return { hours, remainingHours, cents: roundDecimal(hours * input.forfaitCents, 0) };
}
