/**
 * Business rules of one VOV refund request (one employee × one training × one school year).
 * Pure functions; every rule takes the rule tables (RulesData) as a parameter.
 *
 * Checks return `{ ok: true }` or `{ ok: false, issues, message }`: each issue has a stable code
 * and a Dutch message that stands on its own (for a field), `message` is all of them as one text.
 * Malformed programmer input (an invalid ISO date, NaN hours) throws a RangeError instead.
 */
import { addMonths, addYears, compareIso, formatDateNl, type IsoDate } from './dates.js';
import { formatDecimalNl, roundDecimal } from './money.js';
import { entryForSchoolYear, type EligibilityRule, type RulesData } from './rules-data.js';
import { referenceMonthFor, schoolYearLabel, type ReferenceMonth } from './school-year.js';
import { sizeKindUnits, type Initiative, type SizeKind, type TrainingType } from './training.js';

export * from './training.js';

export interface RuleIssue<Code extends string = string> {
  readonly code: Code;
  readonly message: string;
}

export type Check<Code extends string = string> =
  { readonly ok: true } | { readonly ok: false; readonly issues: readonly RuleIssue<Code>[]; readonly message: string };

function fail<Code extends string>(issues: readonly RuleIssue<Code>[], message?: string): Check<Code> {
  return { ok: false, issues, message: message ?? issues.map((i) => i.message).join(' ') };
}

/** Hours are kept to 4 decimals: enough for TWP with 2 decimals × 125 h, without float noise. */
const HOUR_DECIMALS = 4;

function pluralNl(n: number, one: string, other: string): string {
  return `${formatDecimalNl(n)} ${n === 1 ? one : other}`;
}

function months(n: number): string {
  return pluralNl(n, 'maand', 'maanden');
}

// ---------------------------------------------------------------------------------------------
// Forfait

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
  /** Average working hours a week; only needed when the applicable rule has an hours condition. */
  readonly weeklyHours?: number | null;
  /** School year in which a multi-year training started, when earlier than schoolYearStart. */
  readonly trainingStartedInSchoolYearStart?: number | null;
}

export type EligibilityCode =
  | 'schooljaar-niet-ondersteund'
  | 'ongeldig-percentage'
  | 'ongeldige-uren'
  | 'uren-ontbreken'
  | 'twp-te-laag'
  | 'uren-te-laag';

export interface AppliedEligibility {
  readonly rule: EligibilityRule;
  /** School year whose rule applies: the request's, or the training's start year under continuation. */
  readonly ruleSchoolYearStart: number;
  /** True when an earlier rule applies because the training started under it. */
  readonly continuation: boolean;
  /** Reference month of the request's school year (whose TWP counts). */
  readonly referenceMonth: ReferenceMonth;
}

export type EligibilityResult = Check<EligibilityCode> & { readonly applied: AppliedEligibility | null };

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
 * Whether the employee qualifies in this school year: TWP ≥ 50 % up to 2024-2025; from 2025-2026
 * TWP ≥ 80 % and ≥ 28 h a week, unless the training started under a rule that continues.
 */
export function checkEligibility(input: EligibilityInput, rules: RulesData): EligibilityResult {
  const { schoolYearStart, twpPercent, weeklyHours, trainingStartedInSchoolYearStart: startedIn } = input;
  const ownRule = entryForSchoolYear(rules.eligibility, schoolYearStart, rules);
  const referenceMonth = referenceMonthFor(schoolYearStart, rules);
  if (ownRule === null || referenceMonth === null) {
    const message =
      `Voor het schooljaar ${schoolYearLabel(schoolYearStart)} kunt u geen terugbetaling van Vlaams opleidingsverlof aanvragen. ` +
      `Dat kan vanaf het schooljaar ${schoolYearLabel(rules.firstSchoolYear)}.`;
    return { ...fail([{ code: 'schooljaar-niet-ondersteund', message }]), applied: null };
  }

  let applied: AppliedEligibility = {
    rule: ownRule,
    ruleSchoolYearStart: schoolYearStart,
    continuation: false,
    referenceMonth,
  };
  if (startedIn != null && Number.isInteger(startedIn) && startedIn < schoolYearStart) {
    const startRule = entryForSchoolYear(rules.eligibility, startedIn, rules);
    if (startRule !== null && startRule !== ownRule && startRule.continuesForStartedTrainings) {
      applied = { rule: startRule, ruleSchoolYearStart: startedIn, continuation: true, referenceMonth };
    }
  }
  const { rule } = applied;

  if (!Number.isFinite(twpPercent) || twpPercent <= 0 || twpPercent > 100) {
    const message = 'Vul een tewerkstellingspercentage in dat groter is dan 0 en hoogstens 100 %.';
    return { ...fail([{ code: 'ongeldig-percentage', message }]), applied };
  }

  const problems: { code: EligibilityCode; problem: string }[] = [];
  if (twpPercent < rule.minTwpPercent) {
    problems.push({
      code: 'twp-te-laag',
      problem: `Het tewerkstellingspercentage van de werknemer (${formatDecimalNl(twpPercent)} %) is te laag.`,
    });
  }
  if (rule.minWeeklyHours !== null) {
    if (weeklyHours == null) {
      problems.push({
        code: 'uren-ontbreken',
        problem: 'Vul het gemiddeld aantal arbeidsuren per week van de werknemer in.',
      });
    } else if (!Number.isFinite(weeklyHours) || weeklyHours < 0 || weeklyHours > 168) {
      problems.push({
        code: 'ongeldige-uren',
        problem: 'Vul het gemiddeld aantal arbeidsuren per week in als een getal tussen 0 en 168.',
      });
    } else if (weeklyHours < rule.minWeeklyHours) {
      problems.push({
        code: 'uren-te-laag',
        problem: `De werknemer werkt gemiddeld ${pluralNl(weeklyHours, 'uur', 'uur')} per week; dat is te weinig.`,
      });
    }
  }
  if (problems.length === 0) return { ok: true, applied };
  // Only a refusal explains the rule (a form page and every row of a CSV upload check eligibility).
  const explanation = applied.continuation
    ? `Voor een opleiding die al gestart is in het schooljaar ${schoolYearLabel(applied.ruleSchoolYearStart)} ` +
      `geldt nog de regel van dat schooljaar: de werknemer moet ${describeEligibilityRule(rule, referenceMonth)}.`
    : `Voor het schooljaar ${schoolYearLabel(schoolYearStart)} moet de werknemer ${describeEligibilityRule(rule, referenceMonth)}.`;
  const issues = problems.map((p) => ({ code: p.code, message: `${p.problem} ${explanation}` }));
  return { ...fail(issues, `${problems.map((p) => p.problem).join(' ')} ${explanation}`), applied };
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
  const { twpPercent, sharedInitiative } = input;
  if (!Number.isFinite(twpPercent) || twpPercent < 0 || twpPercent > 100) {
    throw new RangeError(`personalMaximumHours: twpPercent must be 0..100, got ${twpPercent}`);
  }
  const factor = sharedInitiative ? rules.hours.sharedInitiativeMultiplier : 1;
  return roundDecimal((twpPercent * rules.hours.baseHoursPerFullTime * factor) / 100, HOUR_DECIMALS);
}

/**
 * The size of a training as entered on the request. `amount` means, by type:
 * - 'odb' / 'loopbaan': the number of `sizeKind` units (contacturen, studiepunten or lestijden);
 * - 'examencommissie': the number of exams;
 * - 'evc': the hours of the EVC exam (assumed: no published conversion, the hours given count).
 */
export interface TrainingSize {
  readonly type: TrainingType;
  /** Required for 'odb' and 'loopbaan'; ignored for the exam types. */
  readonly sizeKind?: SizeKind | null;
  readonly amount: number;
}

function hasSizeKind(training: TrainingSize): boolean {
  return training.type === 'odb' || training.type === 'loopbaan';
}

function sizeProblem(training: TrainingSize): RuleIssue<'omvang-ontbreekt' | 'ongeldige-omvang'> | null {
  const { amount } = training;
  if (hasSizeKind(training)) {
    if (training.sizeKind == null) {
      return {
        code: 'omvang-ontbreekt',
        message: 'Kies hoe de omvang van de opleiding is uitgedrukt: in contacturen, studiepunten of lestijden.',
      };
    }
    if (!Number.isFinite(amount) || amount <= 0) {
      return {
        code: 'ongeldige-omvang',
        message: `Vul het aantal ${sizeKindUnits[training.sizeKind].other} in als een getal groter dan 0.`,
      };
    }
  } else if (training.type === 'examencommissie') {
    if (!Number.isInteger(amount) || amount <= 0) {
      return { code: 'ongeldige-omvang', message: 'Vul het aantal examens in als een geheel getal groter dan 0.' };
    }
  } else if (!Number.isFinite(amount) || amount <= 0) {
    return {
      code: 'ongeldige-omvang',
      message: 'Vul het aantal uren van het EVC-examen in als een getal groter dan 0.',
    };
  }
  return null;
}

/**
 * Hours a training counts for, before the personal maximum: contacturen as given (attended or
 * planned); 4 h per studiepunt; the planned lestijden; 8 h per exam; EVC: the hours given.
 * Throws RangeError on an invalid size (validate with checkMinimumSize first).
 */
export function trainingHours(training: TrainingSize, rules: RulesData): number {
  const problem = sizeProblem(training);
  if (problem !== null) throw new RangeError(`trainingHours: ${problem.code}`);
  const { amount } = training;
  let hours: number;
  switch (training.type) {
    case 'examencommissie':
      hours = amount * rules.hours.perExam;
      break;
    case 'evc':
      hours = amount;
      break;
    default:
      switch (training.sizeKind as SizeKind) {
        case 'contacturen':
          hours = amount;
          break;
        case 'studiepunten':
          hours = amount * rules.hours.perStudiepunt;
          break;
        case 'lestijden':
          hours = amount * rules.hours.perLestijd;
          break;
      }
  }
  return roundDecimal(hours, HOUR_DECIMALS);
}

export type SizeCode = 'omvang-ontbreekt' | 'ongeldige-omvang' | 'te-klein';

/**
 * Validates the size of a training and, for ODB and loopbaangerichte trainings, the minimum:
 * ≥ 32 contacturen, or ≥ 3 studiepunten, or ≥ 32 lestijden.
 */
export function checkMinimumSize(training: TrainingSize, rules: RulesData): Check<SizeCode> {
  const problem = sizeProblem(training);
  if (problem !== null) return fail([problem]);
  if (!rules.minimumSizeAppliesTo.includes(training.type) || !hasSizeKind(training)) return { ok: true };
  const kind = training.sizeKind as SizeKind;
  const minimum = rules.minimumSize[kind];
  if (training.amount >= minimum) return { ok: true };
  const { contacturen, studiepunten, lestijden } = rules.minimumSize;
  const unit = sizeKindUnits[kind];
  const message =
    `De opleiding is te klein: ze telt ${pluralNl(training.amount, unit.one, unit.other)}. ` +
    `Een ODB-opleiding of loopbaangerichte opleiding moet minstens ${formatDecimalNl(contacturen)} contacturen, ` +
    `${formatDecimalNl(studiepunten)} studiepunten of ${formatDecimalNl(lestijden)} lestijden omvatten.`;
  return fail([{ code: 'te-klein', message }]);
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

export type SubmissionWindowResult = Check<'te-vroeg' | 'te-laat'> & {
  /** First day a request may be filed: 3 months before the start date. */
  readonly earliest: IsoDate;
  /** Last day a request may be filed (inclusive): the later of the two deadlines. */
  readonly latest: IsoDate;
  readonly latestBasis: 'startdatum' | 'nieuwe-werkgever';
};

/**
 * A request may be filed from 3 months before to 3 months after the training's start date
 * (both inclusive, months clamped to month ends), or up to 3 months after the employee started
 * with a new employer. Assumed: the new-employer exception extends only the deadline, never
 * the earliest date.
 */
export function checkSubmissionWindow(input: SubmissionWindowInput, rules: RulesData): SubmissionWindowResult {
  const { startDate, submissionDate, newEmployerStartDate } = input;
  const w = rules.submissionWindow;
  const earliest = addMonths(startDate, -w.monthsBeforeStart);
  let latest = addMonths(startDate, w.monthsAfterStart);
  let latestBasis: SubmissionWindowResult['latestBasis'] = 'startdatum';
  if (newEmployerStartDate != null) {
    const viaEmployer = addMonths(newEmployerStartDate, w.monthsAfterNewEmployer);
    if (compareIso(viaEmployer, latest) > 0) {
      latest = viaEmployer;
      latestBasis = 'nieuwe-werkgever';
    }
  }
  const window = { earliest, latest, latestBasis };

  if (compareIso(submissionDate, earliest) < 0) {
    const message =
      `U kunt deze aanvraag pas indienen vanaf ${formatDateNl(earliest)} ` +
      `(${months(w.monthsBeforeStart)} vóór de startdatum van de opleiding).`;
    return { ...fail([{ code: 'te-vroeg', message }]), ...window };
  }
  if (compareIso(submissionDate, latest) > 0) {
    const basis =
      latestBasis === 'startdatum'
        ? `${months(w.monthsAfterStart)} na de startdatum van de opleiding`
        : `${months(w.monthsAfterNewEmployer)} na de start van de werknemer bij de nieuwe werkgever`;
    const message = `De aanvraag moest ten laatste op ${formatDateNl(latest)} ingediend zijn (${basis}).`;
    return { ...fail([{ code: 'te-laat', message }]), ...window };
  }
  return { ok: true, ...window };
}

// ---------------------------------------------------------------------------------------------
// Career guidance attest (loopbaangerichte opleiding)

/** Oldest attest date still accepted for a training starting on trainingStartDate. */
export function oldestCareerGuidanceAttestDate(trainingStartDate: IsoDate, rules: RulesData): IsoDate {
  return addYears(trainingStartDate, -rules.careerGuidanceAttestMaxAgeYears);
}

/**
 * The attest may not be older than 6 years at the start of the training: an attest dated exactly
 * 6 years before the start is still valid. (Whether it may postdate the start is not checked.)
 */
export function careerGuidanceAttestValid(attestDate: IsoDate, trainingStartDate: IsoDate, rules: RulesData): boolean {
  return compareIso(attestDate, oldestCareerGuidanceAttestDate(trainingStartDate, rules)) >= 0;
}

export function checkCareerGuidanceAttest(
  attestDate: IsoDate,
  trainingStartDate: IsoDate,
  rules: RulesData,
): Check<'attest-te-oud'> {
  if (careerGuidanceAttestValid(attestDate, trainingStartDate, rules)) return { ok: true };
  const years = rules.careerGuidanceAttestMaxAgeYears;
  const message =
    `Het attest loopbaanbegeleiding mag bij de start van de opleiding niet ouder zijn dan ${pluralNl(years, 'jaar', 'jaar')}. ` +
    `Voor een opleiding die start op ${formatDateNl(trainingStartDate)} moet het attest dateren van ` +
    `${formatDateNl(oldestCareerGuidanceAttestDate(trainingStartDate, rules))} of later.`;
  return fail([{ code: 'attest-te-oud', message }]);
}

// ---------------------------------------------------------------------------------------------
// ODB numbers and the gemeenschappelijk initiatiefrecht

/** ' 12 345 ' → '12345' when it matches rules.odbNumberPattern (assumed numeric); else null. */
export function normaliseOdbNumber(input: string, rules: RulesData): string | null {
  if (typeof input !== 'string') return null;
  const value = input.replace(/\s/g, '').toUpperCase();
  return value !== '' && new RegExp(rules.odbNumberPattern).test(value) ? value : null;
}

export interface InitiativeRequest {
  readonly initiative: Initiative;
  /** ODB number of the training; absent for trainings outside the opleidingsdatabank. */
  readonly odbNumber?: string | null;
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
  const key = (r: InitiativeRequest): string => (r.odbNumber ?? '').replace(/\s/g, '').toUpperCase();
  const byEmployee = all.filter((r) => r.initiative === 'werknemer' && key(r) !== '');
  const byEmployer = all.filter((r) => r.initiative === 'werkgever' && key(r) !== '');
  return byEmployee.some((e) => byEmployer.some((r) => key(r) !== key(e)));
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
  for (const [name, value] of Object.entries(input)) {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`indicativeAmount: ${name} must be ≥ 0, got ${value}`);
  }
  if (!Number.isSafeInteger(input.forfaitCents))
    throw new RangeError('indicativeAmount: forfaitCents must be an integer');
  const remainingHours = Math.max(0, roundDecimal(input.personalMaximumHours - input.hoursAlreadyUsed, HOUR_DECIMALS));
  const hours = Math.min(input.trainingHours, remainingHours);
  return { hours, remainingHours, cents: roundDecimal(hours * input.forfaitCents, 0) };
}
