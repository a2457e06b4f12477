import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  formatEstablishmentUnit,
  formatKbo,
  isValidEstablishmentUnit,
  isValidKbo,
  normaliseEstablishmentUnit,
  normaliseKbo,
} from '../../src/domain/kbo.js';
import { singleDigitMutations, validEstablishmentUnit, validKbo } from './arbitraries.js';

describe('KBO enterprise number', () => {
  it('accepts the worked example 0403.170.701 in every common notation', () => {
    for (const input of [
      '0403.170.701',
      '0403170701',
      'BE0403170701',
      'BE 0403.170.701',
      'be0403 170 701',
      ' 0403 170 701 ',
      '0403-170-701',
    ]) {
      expect(normaliseKbo(input), input).toBe('0403170701');
      expect(isValidKbo(input), input).toBe(true);
    }
  });

  it('rejects the neighbours of the worked example', () => {
    expect(normaliseKbo('0403.170.702')).toBeNull(); // wrong check digit
    expect(normaliseKbo('0403.170.700')).toBeNull();
    expect(normaliseKbo('0403.171.701')).toBeNull(); // digit in the base changed
    expect(normaliseKbo('1403.170.701')).toBeNull(); // first digit changed
    expect(normaliseKbo('403.170.701')).toBeNull(); // old 9-digit notation is not accepted
    expect(normaliseKbo('04031707011')).toBeNull(); // 11 digits
    expect(normaliseKbo('0403.170.70')).toBeNull();
    expect(normaliseKbo('0403.17O.701')).toBeNull(); // letter O
    expect(normaliseKbo('NL0403170701')).toBeNull();
    expect(normaliseKbo('')).toBeNull();
    expect(isValidKbo('0403.170.702')).toBe(false);
  });

  it('only accepts first digit 0 or 1 (a valid check with first digit 2 is an establishment unit)', () => {
    expect(normaliseKbo('2147812701')).toBeNull();
    expect(normaliseEstablishmentUnit('2147812701')).toBe('2147812701');
  });

  it('accepts numbers starting with 1 (issued since September 2023)', () => {
    // 10000000 mod 97 = 76 → check 21
    expect(normaliseKbo('1000.000.021')).toBe('1000000021');
    expect(normaliseKbo('1000.000.022')).toBeNull();
  });

  it('expects 97, never 00, as the check when the base is a multiple of 97', () => {
    // base 00000097: 97 mod 97 = 0 → check 97 − 0 = 97
    expect(isValidKbo('0000009797')).toBe(true);
    expect(isValidKbo('0000009700')).toBe(false);
  });

  it('formats as 0403.170.701', () => {
    expect(formatKbo('0403170701')).toBe('0403.170.701');
    expect(formatKbo('BE 0403 170 701')).toBe('0403.170.701');
  });

  it('returns invalid input unchanged from formatKbo', () => {
    expect(formatKbo('0403170702')).toBe('0403170702');
    expect(formatKbo('onzin')).toBe('onzin');
  });

  it('property: generated valid numbers pass and round-trip through format', () => {
    fc.assert(
      fc.property(validKbo(), (kbo) => {
        expect(normaliseKbo(kbo)).toBe(kbo);
        expect(formatKbo(kbo)).toMatch(/^[01]\d{3}\.\d{3}\.\d{3}$/);
        expect(normaliseKbo(formatKbo(kbo))).toBe(kbo);
        expect(normaliseKbo(`BE ${formatKbo(kbo)}`)).toBe(kbo);
      }),
    );
  });

  it('property: every single-digit change of a valid number is rejected', () => {
    // 10^k is coprime with 97 and |Δdigit| ≤ 9 < 97, so a change in the base always changes the
    // residue; a change in the check digits leaves the expected value unchanged. No exceptions.
    fc.assert(
      fc.property(validKbo(), (kbo) => {
        for (const m of singleDigitMutations(kbo)) expect(isValidKbo(m.value), m.value).toBe(false);
      }),
    );
  });
});

describe('establishment unit number (vestigingseenheid)', () => {
  it('accepts the FOD Economie examples 2.147.812.701 and 2.147.812.897', () => {
    expect(normaliseEstablishmentUnit('2.147.812.701')).toBe('2147812701');
    expect(normaliseEstablishmentUnit('2147812897')).toBe('2147812897');
    expect(isValidEstablishmentUnit('2 147 812 897')).toBe(true);
  });

  it('rejects neighbours and enterprise numbers', () => {
    expect(normaliseEstablishmentUnit('2.147.812.702')).toBeNull();
    expect(normaliseEstablishmentUnit('2.147.813.701')).toBeNull();
    expect(normaliseEstablishmentUnit('0403.170.701')).toBeNull(); // an enterprise number
    expect(normaliseEstablishmentUnit('9.147.812.701')).toBeNull();
    expect(normaliseEstablishmentUnit('147.812.701')).toBeNull();
  });

  it('accepts first digits 2 to 8 (FOD Economie) and not 9', () => {
    const withFirst = (first: string): string => {
      const base = `${first}1478127`;
      const check = String(97 - (Number(base) % 97)).padStart(2, '0');
      return base + check;
    };
    for (const first of '2345678') expect(isValidEstablishmentUnit(withFirst(first)), first).toBe(true);
    expect(isValidEstablishmentUnit(withFirst('9'))).toBe(false);
    expect(isValidEstablishmentUnit(withFirst('1'))).toBe(false);
  });

  it('formats as 2.147.812.701 and leaves invalid input unchanged', () => {
    expect(formatEstablishmentUnit('2147812701')).toBe('2.147.812.701');
    expect(formatEstablishmentUnit('2147812702')).toBe('2147812702');
  });

  it('property: generated valid numbers pass, round-trip and reject every single-digit change', () => {
    fc.assert(
      fc.property(validEstablishmentUnit(), (unit) => {
        expect(normaliseEstablishmentUnit(unit)).toBe(unit);
        expect(formatEstablishmentUnit(unit)).toMatch(/^[2-8]\.\d{3}\.\d{3}\.\d{3}$/);
        expect(normaliseEstablishmentUnit(formatEstablishmentUnit(unit))).toBe(unit);
        for (const m of singleDigitMutations(unit)) expect(isValidEstablishmentUnit(m.value), m.value).toBe(false);
      }),
    );
  });
});
