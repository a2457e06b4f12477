/**
 * School years (1 September – 31 August), identified by the calendar year they start in.
 * A request belongs to the school year that contains the training's start date.
 */
import { fromCalendarDate, toCalendarDate, type IsoDate } from './dates.js';
import { defaultRules, entryForSchoolYear, type RulesData } from './rules-data.js';

/** Month in which a school year starts (September). */
export const SCHOOL_YEAR_START_MONTH = 9;

export interface SchoolYear {
  /** Calendar year of 1 September: 2025 for 2025-2026. */
  readonly start: number;
  /** '2025-2026' */
  readonly label: string;
}

export const MONTH_NAMES_NL = [
  'januari',
  'februari',
  'maart',
  'april',
  'mei',
  'juni',
  'juli',
  'augustus',
  'september',
  'oktober',
  'november',
  'december',
] as const;

/** 3 → 'maart'. Throws RangeError outside 1..12. */
export function monthNameNl(month: number): string {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`Invalid month: ${month}`);
  return MONTH_NAMES_NL[month - 1];
}

/** 2025 → '2025-2026'. */
export function schoolYearLabel(start: number): string {
  return `${start}-${start + 1}`;
}

export function schoolYear(start: number): SchoolYear {
  if (!Number.isInteger(start)) throw new RangeError(`Invalid school year start: ${start}`);
  return { start, label: schoolYearLabel(start) };
}

/** '2025-2026' → 2025; anything else (also '2025-2027') → null. */
export function parseSchoolYearLabel(label: string): number | null {
  if (typeof label !== 'string') return null;
  const m = /^(\d{4})-(\d{4})$/.exec(label.trim());
  if (m === null) return null;
  const start = Number(m[1]);
  return Number(m[2]) === start + 1 ? start : null;
}

/** '2025-09-01' → 2025-2026; '2026-08-31' → 2025-2026. Throws RangeError on a malformed ISO date. */
export function schoolYearOf(iso: IsoDate): SchoolYear {
  const { year, month } = toCalendarDate(iso);
  return schoolYear(month >= SCHOOL_YEAR_START_MONTH ? year : year - 1);
}

/** First and last day of a school year: 2025 → 2025-09-01 … 2026-08-31. */
export function schoolYearBounds(start: number): { readonly first: IsoDate; readonly last: IsoDate } {
  return {
    first: fromCalendarDate({ year: start, month: SCHOOL_YEAR_START_MONTH, day: 1 }),
    last: fromCalendarDate({ year: start + 1, month: SCHOOL_YEAR_START_MONTH - 1, day: 31 }),
  };
}

export interface ReferenceMonth {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 'maart 2025' */
  readonly label: string;
}

/**
 * The month whose employment percentage (TWP) counts for a school year: September of the school
 * year up to 2022-2023, March before the school year from 2023-2024 (per rules.referenceMonths).
 * Null for a school year the rules do not cover.
 */
export function referenceMonthFor(schoolYearStart: number, rules: RulesData = defaultRules): ReferenceMonth | null {
  const entry = entryForSchoolYear(rules.referenceMonths, schoolYearStart, rules);
  if (entry === null) return null;
  return { year: schoolYearStart, month: entry.month, label: `${monthNameNl(entry.month)} ${schoolYearStart}` };
}
