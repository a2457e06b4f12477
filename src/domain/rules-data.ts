/**
 * The rule tables of the VOV refund, as data. Rule functions receive a RulesData value, so tests,
 * an FAQ page or a later rule change can use other numbers without touching logic.
 *
 * School years are identified by the calendar year they start in (2025 = 2025-2026).
 * Tables keyed by `fromSchoolYear` are step functions: an entry applies from its school year
 * until the next entry (the last one "until changed"). Keep them sorted ascending.
 */
import type { TrainingType } from './training.js';

export interface ForfaitEntry {
  readonly fromSchoolYear: number;
  /** Refund per approved hour, in euro cents. */
  readonly centsPerHour: number;
}

export interface EligibilityRule {
  readonly fromSchoolYear: number;
  /** Minimum employment percentage (tewerkstellingspercentage, TWP) in the reference month. */
  readonly minTwpPercent: number;
  /** Minimum average working hours a week; null = no hours condition. */
  readonly minWeeklyHours: number | null;
  /**
   * A training that started while this rule applied may continue under it in later school years
   * (the 2025 reform: "a training already started in 2024-2025 may continue under the old rule").
   * Assumed to hold for every later school year of that training.
   */
  readonly continuesForStartedTrainings: boolean;
}

export interface ReferenceMonthRule {
  readonly fromSchoolYear: number;
  /** Month (1..12) of the calendar year in which the school year starts: 9 = September of the school year, 3 = March before it. */
  readonly month: number;
}

export interface RulesData {
  /** First school year the portal accepts requests for. */
  readonly firstSchoolYear: number;
  readonly forfaits: readonly ForfaitEntry[];
  readonly eligibility: readonly EligibilityRule[];
  readonly referenceMonths: readonly ReferenceMonthRule[];
  readonly hours: {
    /** Personal maximum for a full-time employee per school year; scaled by TWP. */
    readonly baseHoursPerFullTime: number;
    /** Factor under the gemeenschappelijk initiatiefrecht. */
    readonly sharedInitiativeMultiplier: number;
    readonly perStudiepunt: number;
    /** Adult education counts the planned lestijden as hours. */
    readonly perLestijd: number;
    readonly perExam: number;
  };
  /** Training types that must reach the minimum size. */
  readonly minimumSizeAppliesTo: readonly TrainingType[];
  /** Minimum size of those trainings: any one of these suffices. */
  readonly minimumSize: {
    readonly contacturen: number;
    readonly studiepunten: number;
    readonly lestijden: number;
  };
  readonly submissionWindow: {
    readonly monthsBeforeStart: number;
    readonly monthsAfterStart: number;
    readonly monthsAfterNewEmployer: number;
  };
  readonly careerGuidanceAttestMaxAgeYears: number;
  /**
   * ODB numbers: the format is not published; assumed numeric (a regular expression source,
   * matched against the whole reference after removing spaces).
   */
  readonly odbNumberPattern: string;
  /** The right a user needs in gebruikersbeheer (assumed literal names). */
  readonly access: { readonly role: string; readonly context: string };
  readonly contact: {
    readonly supportEmail: string;
    /** The free Flemish information line. */
    readonly infoline: string;
    /** Team to ask for at the infoline about user management. */
    readonly infolineTeam: string;
  };
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export const defaultRules: RulesData = deepFreeze({
  firstSchoolYear: 2019,
  forfaits: [
    { fromSchoolYear: 2019, centsPerHour: 2130 },
    { fromSchoolYear: 2025, centsPerHour: 1491 },
  ],
  eligibility: [
    { fromSchoolYear: 2019, minTwpPercent: 50, minWeeklyHours: null, continuesForStartedTrainings: true },
    { fromSchoolYear: 2025, minTwpPercent: 80, minWeeklyHours: 28, continuesForStartedTrainings: false },
  ],
  referenceMonths: [
    { fromSchoolYear: 2019, month: 9 },
    { fromSchoolYear: 2023, month: 3 },
  ],
  hours: {
    baseHoursPerFullTime: 125,
    sharedInitiativeMultiplier: 2,
    perStudiepunt: 4,
    perLestijd: 1,
    perExam: 8,
  },
  minimumSizeAppliesTo: ['odb', 'loopbaan'],
  minimumSize: { contacturen: 32, studiepunten: 3, lestijden: 32 },
  submissionWindow: { monthsBeforeStart: 3, monthsAfterStart: 3, monthsAfterNewEmployer: 3 },
  careerGuidanceAttestMaxAgeYears: 6,
  odbNumberPattern: '^[0-9]{1,20}$',
  access: { role: 'DWSE organisatieverantwoordelijke', context: 'opleidingsverlof' },
  contact: {
    supportEmail: 'vlaamsopleidingsverlof@vlaanderen.be',
    infoline: '1700',
    infolineTeam: 'gebruikersbeheer',
  },
});

/**
 * The entry of a `fromSchoolYear` step table that applies to a school year, or null when the
 * school year is before the first supported one or before every entry.
 */
export function entryForSchoolYear<T extends { readonly fromSchoolYear: number }>(
  entries: readonly T[],
  schoolYearStart: number,
  rules: Pick<RulesData, 'firstSchoolYear'>,
): T | null {
  if (!Number.isInteger(schoolYearStart) || schoolYearStart < rules.firstSchoolYear) return null;
  let found: T | null = null;
  for (const entry of entries) {
    if (entry.fromSchoolYear <= schoolYearStart && (found === null || entry.fromSchoolYear >= found.fromSchoolYear)) {
      found = entry;
    }
  }
  return found;
}
