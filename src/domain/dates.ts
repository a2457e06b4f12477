/**
 * Calendar dates without time zones.
 *
 * A calendar date is carried as an ISO string 'YYYY-MM-DD' (type IsoDate) or as a CalendarDate
 * {year, month, day}; never as a JS Date, whose local-time interpretation shifts days around
 * midnight. Only the two "now"/timestamp helpers touch Date, and they pin Europe/Brussels.
 *
 * Functions that take an IsoDate throw a RangeError on a malformed one: parse user input with
 * parseDateNl first. Formatters return unparseable input unchanged, so templates never crash.
 */

/** 'YYYY-MM-DD'. A plain string alias so it maps 1:1 onto DATE columns and form values. */
export type IsoDate = string;

export interface CalendarDate {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
}

export const BRUSSELS_TIME_ZONE = 'Europe/Brussels';

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isValidParts(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    year >= 1000 &&
    year <= 9999 &&
    Number.isInteger(month) &&
    month >= 1 &&
    month <= 12 &&
    Number.isInteger(day) &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** {year: 2025, month: 9, day: 1} → '2025-09-01'. Throws RangeError on an impossible date. */
export function fromCalendarDate(date: CalendarDate): IsoDate {
  if (!isValidParts(date.year, date.month, date.day)) {
    throw new RangeError(`Invalid calendar date: ${JSON.stringify(date)}`);
  }
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** Strict check: exactly 'YYYY-MM-DD' and a date that exists. */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m !== null && isValidParts(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** '2025-09-01' → {year: 2025, month: 9, day: 1}. Throws RangeError on a malformed ISO date. */
export function toCalendarDate(iso: IsoDate): CalendarDate {
  if (!isIsoDate(iso)) throw new RangeError(`Invalid ISO date: ${JSON.stringify(iso)}`);
  return { year: Number(iso.slice(0, 4)), month: Number(iso.slice(5, 7)), day: Number(iso.slice(8, 10)) };
}

/**
 * Parses what people type in a Flemish form: 'dd/mm/jjjj', 'd/m/jjjj', 'dd-mm-jjjj', 'dd.mm.jjjj'
 * (one separator used consistently) or ISO 'jjjj-mm-dd'. Returns the ISO date, or null when the
 * input is not a date or the date does not exist (31/02/2025). Years must have 4 digits.
 */
export function parseDateNl(input: string): IsoDate | null {
  if (typeof input !== 'string') return null;
  const s = input.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const nl = iso ? null : /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/.exec(s);
  let year: number;
  let month: number;
  let day: number;
  if (iso) {
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (nl) {
    [year, month, day] = [Number(nl[4]), Number(nl[3]), Number(nl[1])];
  } else {
    return null;
  }
  return isValidParts(year, month, day) ? fromCalendarDate({ year, month, day }) : null;
}

/** '2025-09-01' → '01/09/2025'. Input that is not an ISO date is returned unchanged. */
export function formatDateNl(iso: IsoDate): string {
  if (!isIsoDate(iso)) return iso;
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** -1, 0 or 1. ISO dates with 4-digit years sort as strings; validation keeps that true. */
export function compareIso(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  toCalendarDate(a);
  toCalendarDate(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Adds n calendar months (n may be negative). The day is clamped to the end of the target month:
 * 2025-08-31 + 1 → 2025-09-30; 2024-02-29 + 12 → 2025-02-28.
 */
export function addMonths(iso: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`addMonths: n must be an integer, got ${n}`);
  const { year, month, day } = toCalendarDate(iso);
  const total = year * 12 + (month - 1) + n;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return fromCalendarDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/** Adds n years (may be negative); 29 February clamps to 28 February in a non-leap year. */
export function addYears(iso: IsoDate, n: number): IsoDate {
  return addMonths(iso, n * 12);
}

/** Adds n days (may be negative). UTC arithmetic only, so no DST effects. */
export function addDays(iso: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`addDays: n must be an integer, got ${n}`);
  const { year, month, day } = toCalendarDate(iso);
  const d = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999; it rolls day overflow over.
  d.setUTCFullYear(year, month - 1, day + n);
  return fromCalendarDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

// 'YYYY-MM-DD HH:MM' in Brussels; format() is several times cheaper than formatToParts, and lists show many timestamps.
const brusselsDateTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: BRUSSELS_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

// Brussels is a whole number of hours off UTC, so the answer is the same for every instant of one UTC minute; a
// request asks for today's date several times (rights, rules, date hints), and formatting costs more than the rest.
let lastMinute = NaN;
let lastResult = { date: '', time: '' };

function inBrussels(instant: Date): { date: IsoDate; time: string } {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new RangeError('Expected a valid Date');
  const minute = Math.floor(instant.getTime() / 60_000);
  if (minute !== lastMinute) {
    const [date, time] = brusselsDateTime.format(instant).split(' ');
    lastMinute = minute;
    lastResult = { date, time };
  }
  return lastResult;
}

/** The calendar date in Brussels at the given instant (pass the clock's "now"). */
export function todayInBrussels(now: Date): IsoDate {
  return inBrussels(now).date;
}

/** A timestamp shown in Brussels time: '01/09/2025 om 14:05'. */
export function formatDateTimeNl(instant: Date): string {
  const { date, time } = inBrussels(instant);
  return `${formatDateNl(date)} om ${time}`;
}
