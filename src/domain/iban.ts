/**
 * Belgian IBAN (BE + 2 ISO check digits + 12-digit BBAN) and BIC.
 * The portal only pays refunds to Belgian accounts, so normaliseIban rejects other countries.
 */
import { mod97, twoDigits } from './mod97.js';

function stripIban(input: string): string {
  return input
    .trim()
    .replace(/^IBAN:?/i, '')
    .replace(/[\s-]/g, '')
    .toUpperCase();
}

/** Letters → 10..35 as ISO 13616 / ISO 7064 require. */
function ibanToDigits(rearranged: string): string {
  let out = '';
  for (const ch of rearranged) {
    out += ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
  }
  return out;
}

/** ISO 13616 check of any IBAN in electronic form (no spaces, uppercase): mod 97 = 1. */
export function hasValidIbanChecksum(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[0-9A-Z]{1,30}$/.test(iban)) return false;
  return mod97(ibanToDigits(iban.slice(4) + iban.slice(0, 4))) === 1;
}

/** Belgian national check: last 2 digits = first 10 digits mod 97, with 0 written as 97. */
export function hasValidBelgianAccountCheck(bban: string): boolean {
  if (!/^\d{12}$/.test(bban)) return false;
  const expected = mod97(bban.slice(0, 10)) || 97;
  return twoDigits(expected) === bban.slice(10);
}

/** 'be68 5390 0754 7034' → 'BE68539007547034'; not a valid Belgian IBAN → null. */
export function normaliseIban(input: string): string | null {
  if (typeof input !== 'string') return null;
  const iban = stripIban(input);
  if (!/^BE\d{14}$/.test(iban)) return null;
  if (!hasValidIbanChecksum(iban) || !hasValidBelgianAccountCheck(iban.slice(4))) return null;
  return iban;
}

export function isValidBelgianIban(input: string): boolean {
  return normaliseIban(input) !== null;
}

/** 'BE68539007547034' → 'BE68 5390 0754 7034'. Invalid input is returned unchanged. */
export function formatIban(input: string): string {
  const iban = normaliseIban(input);
  if (iban === null) return input;
  return iban.replace(/(.{4})(?=.)/g, '$1 ');
}

const BIC_PATTERN = /^[A-Z]{6}[0-9A-Z]{2}([0-9A-Z]{3})?$/;

/** ' gebabebb ' → 'GEBABEBB' (whitespace removed, uppercase); invalid → null. */
export function normaliseBic(input: string): string | null {
  if (typeof input !== 'string') return null;
  const bic = input.replace(/\s/g, '').toUpperCase();
  return BIC_PATTERN.test(bic) ? bic : null;
}

export function isValidBic(input: string): boolean {
  return normaliseBic(input) !== null;
}
