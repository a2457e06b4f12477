/**
 * KBO (Kruispuntbank van Ondernemingen) numbers: enterprise numbers and establishment unit numbers.
 * Both are 10 digits whose last two digits are 97 − (first 8 digits mod 97).
 */
import { complementCheck97, twoDigits } from './mod97.js';

/** First digits an enterprise number (ondernemingsnummer) may start with. */
export const KBO_FIRST_DIGITS = '01';

/**
 * First digits an establishment unit number (vestigingseenheidsnummer) may start with.
 * FOD Economie: "Het eerste cijfer heeft een waarde van 2 tot 8" (today they all start with 2).
 */
export const ESTABLISHMENT_UNIT_FIRST_DIGITS = '2345678';

// Separators people type or paste: dots, spaces (incl. NBSP), hyphens. The "BE" prefix comes from VAT numbers.
function stripKboInput(input: string): string {
  return input
    .trim()
    .replace(/^BE/i, '')
    .replace(/[\s.-]/g, '');
}

function hasValidKboCheck(digits: string): boolean {
  return twoDigits(complementCheck97(digits.slice(0, 8))) === digits.slice(8);
}

function normaliseTenDigits(input: string, firstDigits: string): string | null {
  if (typeof input !== 'string') return null;
  const digits = stripKboInput(input);
  if (!/^\d{10}$/.test(digits)) return null;
  if (!firstDigits.includes(digits[0])) return null;
  return hasValidKboCheck(digits) ? digits : null;
}

/** '0403.170.701', 'BE 0403 170 701', '0403170701' → '0403170701'; anything invalid → null. */
export function normaliseKbo(input: string): string | null {
  return normaliseTenDigits(input, KBO_FIRST_DIGITS);
}

export function isValidKbo(input: string): boolean {
  return normaliseKbo(input) !== null;
}

/** '0403170701' → '0403.170.701'. Input that is not a valid KBO number is returned unchanged. */
export function formatKbo(input: string): string {
  const digits = normaliseKbo(input);
  if (digits === null) return input;
  return `${digits.slice(0, 4)}.${digits.slice(4, 7)}.${digits.slice(7)}`;
}

/** '2.147.812.701' → '2147812701'; anything invalid → null. */
export function normaliseEstablishmentUnit(input: string): string | null {
  return normaliseTenDigits(input, ESTABLISHMENT_UNIT_FIRST_DIGITS);
}

export function isValidEstablishmentUnit(input: string): boolean {
  return normaliseEstablishmentUnit(input) !== null;
}

/** '2147812701' → '2.147.812.701'. Input that is not a valid number is returned unchanged. */
export function formatEstablishmentUnit(input: string): string {
  const digits = normaliseEstablishmentUnit(input);
  if (digits === null) return input;
  return `${digits[0]}.${digits.slice(1, 4)}.${digits.slice(4, 7)}.${digits.slice(7)}`;
}
