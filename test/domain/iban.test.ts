import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  formatIban,
  hasValidBelgianAccountCheck,
  hasValidIbanChecksum,
  isValidBelgianIban,
  isValidBic,
  normaliseBic,
  normaliseIban,
} from '../../src/domain/iban.js';
import { singleDigitMutations, validBelgianIban } from './arbitraries.js';

describe('Belgian IBAN', () => {
  it('accepts the worked example BE68 5390 0754 7034 in common notations', () => {
    for (const input of [
      'BE68 5390 0754 7034',
      'BE68539007547034',
      'be68 5390 0754 7034',
      ' BE68-5390-0754-7034 ',
      'IBAN BE68 5390 0754 7034',
    ]) {
      expect(normaliseIban(input), input).toBe('BE68539007547034');
      expect(isValidBelgianIban(input), input).toBe(true);
    }
  });

  it('rejects the neighbours of the example', () => {
    expect(normaliseIban('BE69 5390 0754 7034')).toBeNull(); // ISO check digits
    expect(normaliseIban('BE68 5390 0754 7035')).toBeNull(); // national check
    expect(normaliseIban('BE68 5390 0754 7044')).toBeNull();
    expect(normaliseIban('BE68 5390 0754 703')).toBeNull(); // too short
    expect(normaliseIban('BE68 5390 0754 70344')).toBeNull(); // too long
    expect(normaliseIban('NL68 5390 0754 7034')).toBeNull(); // other country
    expect(normaliseIban('539-0075470-34')).toBeNull(); // old national notation is not an IBAN
    expect(normaliseIban('')).toBeNull();
  });

  it('rejects valid foreign IBANs: refunds go to Belgian accounts only', () => {
    expect(hasValidIbanChecksum('NL91ABNA0417164300')).toBe(true);
    expect(hasValidIbanChecksum('DE89370400440532013000')).toBe(true);
    expect(normaliseIban('NL91 ABNA 0417 1643 00')).toBeNull();
  });

  it('requires the national check even when the ISO check passes', () => {
    // BBAN 539007547035 has a wrong national check; its own ISO check digits are 41.
    expect(hasValidIbanChecksum('BE41539007547035')).toBe(true);
    expect(hasValidBelgianAccountCheck('539007547035')).toBe(false);
    expect(normaliseIban('BE41539007547035')).toBeNull();
  });

  it('writes the national check 0 as 97', () => {
    // first 10 digits 0000000097 → 97 mod 97 = 0 → check 97
    expect(hasValidBelgianAccountCheck('000000009797')).toBe(true);
    expect(hasValidBelgianAccountCheck('000000009700')).toBe(false);
  });

  it('formats in groups of four and leaves invalid input unchanged', () => {
    expect(formatIban('BE68539007547034')).toBe('BE68 5390 0754 7034');
    expect(formatIban('be68539007547034')).toBe('BE68 5390 0754 7034');
    expect(formatIban('BE68539007547035')).toBe('BE68539007547035');
  });

  it('property: generated valid IBANs pass and round-trip through format', () => {
    fc.assert(
      fc.property(validBelgianIban(), (iban) => {
        expect(normaliseIban(iban)).toBe(iban);
        expect(normaliseIban(iban.toLowerCase())).toBe(iban);
        expect(formatIban(iban)).toMatch(/^BE\d{2}( \d{4}){3}$/);
        expect(normaliseIban(formatIban(iban))).toBe(iban);
      }),
    );
  });

  it('property: every single-digit change is rejected (check digits and account number)', () => {
    // ISO 13616 alone catches it: each digit weighs 10^k mod 97 ≠ 0 and |Δ| ≤ 9 < 97. The
    // national check catches changes in the BBAN a second time. No exceptions.
    fc.assert(
      fc.property(validBelgianIban(), (iban) => {
        const mutations = singleDigitMutations(iban);
        expect(mutations).toHaveLength(14 * 9);
        for (const m of mutations) expect(isValidBelgianIban(m.value), m.value).toBe(false);
      }),
    );
  });
});

describe('BIC', () => {
  it('accepts 8 and 11 characters, uppercasing and removing spaces', () => {
    expect(normaliseBic('GEBABEBB')).toBe('GEBABEBB');
    expect(normaliseBic(' gebabebb ')).toBe('GEBABEBB');
    expect(normaliseBic('GEBA BE BB')).toBe('GEBABEBB');
    expect(normaliseBic('KREDBEBB')).toBe('KREDBEBB');
    expect(normaliseBic('GKCCBEBB')).toBe('GKCCBEBB');
    expect(normaliseBic('BBRUBEBB010')).toBe('BBRUBEBB010');
    expect(isValidBic('DEUTDEFF500')).toBe(true);
  });

  it('rejects other lengths and characters', () => {
    expect(normaliseBic('GEBABEB')).toBeNull(); // 7
    expect(normaliseBic('GEBABEBB0')).toBeNull(); // 9
    expect(normaliseBic('GEBABEBB01')).toBeNull(); // 10
    expect(normaliseBic('GEBABEBB0100')).toBeNull(); // 12
    expect(normaliseBic('GEB4BEBB')).toBeNull(); // digit in the bank code
    expect(normaliseBic('GEBAB3BB')).toBeNull(); // digit in the country code
    expect(normaliseBic('GEBABEB-')).toBeNull();
    expect(isValidBic('')).toBe(false);
  });
});
