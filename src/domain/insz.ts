/**
 * INSZ (identificatienummer van de sociale zekerheid): a rijksregisternummer or a BIS number.
 * 11 digits YYMMDD SSS CC; CC = 97 − (base mod 97), where base is the first 9 digits, prefixed
 * with '2' for people born from 2000 on. BIS numbers add 20 or 40 to the month.
 *
 * Personal data: mask it in lists, receipts and e-mails (maskInsz) and never log it.
 */
import { daysInMonth, type CalendarDate } from './dates.js';
import { complementCheck97, twoDigits } from './mod97.js';

export type InszKind = 'rijksregister' | 'bis';

export interface InszInfo {
  /** The 11 digits. */
  readonly digits: string;
  /** 1900 or 2000, derived from which check formula matched. */
  readonly century: 1900 | 2000;
  /** Full birth year (century + YY). */
  readonly birthYear: number;
  /** 0..12 after removing a BIS offset; 0 = unknown. */
  readonly birthMonth: number;
  /** 0..31; 0 = unknown. */
  readonly birthDay: number;
  readonly kind: InszKind;
}

// Month offsets of BIS numbers (20: gender unknown at issue, 40: gender known).
const BIS_MONTH_OFFSETS = [20, 40] as const;

function strip(input: string): string {
  return input.trim().replace(/[\s.-]/g, '');
}

/**
 * Full parse of an INSZ. Returns null when the format, the check digits or the date part
 * (month 0..12 after removing a BIS offset, day 0..31) are wrong.
 * The date part is deliberately not checked against the calendar: the register issues numbers
 * with partially unknown birth dates, and the check digits already catch typing errors.
 */
export function parseInsz(input: string): InszInfo | null {
  if (typeof input !== 'string') return null;
  const digits = strip(input);
  if (!/^\d{11}$/.test(digits)) return null;

  const base = digits.slice(0, 9);
  const check = digits.slice(9);
  let century: 1900 | 2000;
  if (twoDigits(complementCheck97(base)) === check) century = 1900;
  else if (twoDigits(complementCheck97(`2${base}`)) === check) century = 2000;
  else return null;

  const rawMonth = Number(digits.slice(2, 4));
  const day = Number(digits.slice(4, 6));
  let kind: InszKind = 'rijksregister';
  let month = rawMonth;
  for (const offset of BIS_MONTH_OFFSETS) {
    if (rawMonth >= offset && rawMonth <= offset + 12) {
      kind = 'bis';
      month = rawMonth - offset;
    }
  }
  if (month > 12 || day > 31) return null;

  return {
    digits,
    century,
    birthYear: century + Number(digits.slice(0, 2)),
    birthMonth: month,
    birthDay: day,
    kind,
  };
}

/** '85.07.30-033.28', '85073003328', '85 07 30 033 28' → '85073003328'; invalid → null. */
export function normaliseInsz(input: string): string | null {
  return parseInsz(input)?.digits ?? null;
}

export function isValidInsz(input: string): boolean {
  return parseInsz(input) !== null;
}

/** '85073003328' → '85.07.30-033.28'. Input that is not a valid INSZ is returned unchanged. */
export function formatInsz(input: string): string {
  const d = normaliseInsz(input);
  if (d === null) return input;
  return `${d.slice(0, 2)}.${d.slice(2, 4)}.${d.slice(4, 6)}-${d.slice(6, 9)}.${d.slice(9)}`;
}

/**
 * '85073003328' → '85.07.30-***.**' (birth date visible, serial and check hidden).
 * Input that is not a valid INSZ has every digit replaced by '*', so nothing leaks either way.
 */
export function maskInsz(input: string): string {
  const d = normaliseInsz(input);
  if (d === null) return String(input).replace(/\d/g, '*');
  return `${d.slice(0, 2)}.${d.slice(2, 4)}.${d.slice(4, 6)}-***.**`;
}

/**
 * The birth date encoded in the INSZ, or null when the INSZ is invalid, the month or day is
 * unknown (00), or the encoded date does not exist.
 */
export function birthDateFromInsz(input: string): CalendarDate | null {
  const info = parseInsz(input);
  if (info === null || info.birthMonth === 0 || info.birthDay === 0) return null;
  if (info.birthDay > daysInMonth(info.birthYear, info.birthMonth)) return null;
  return { year: info.birthYear, month: info.birthMonth, day: info.birthDay };
}
