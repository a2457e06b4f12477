import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatDecimalNl, formatEuro, parseDecimalNl, roundDecimal } from '../../src/domain/money.js';

describe('formatEuro', () => {
  it('formats cents as nl-BE with a normal space after the euro sign', () => {
    expect(formatEuro(266250)).toBe('€ 2.662,50');
    expect(formatEuro(2130)).toBe('€ 21,30');
    expect(formatEuro(1491)).toBe('€ 14,91');
    expect(formatEuro(0)).toBe('€ 0,00');
    expect(formatEuro(5)).toBe('€ 0,05');
    expect(formatEuro(100)).toBe('€ 1,00');
    expect(formatEuro(99999)).toBe('€ 999,99');
    expect(formatEuro(100000)).toBe('€ 1.000,00');
    expect(formatEuro(123456789)).toBe('€ 1.234.567,89');
    expect(formatEuro(-500)).toBe('€ -5,00');
    expect(formatEuro(266250).charCodeAt(1)).toBe(0x20);
  });

  it('agrees with Intl nl-BE apart from the space', () => {
    const intl = new Intl.NumberFormat('nl-BE', { style: 'currency', currency: 'EUR' });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_00 }), (cents) => {
        expect(formatEuro(cents)).toBe(intl.format(cents / 100).replace(/\u00a0/g, ' '));
      }),
    );
  });

  it('rejects non-integer cents', () => {
    expect(() => formatEuro(12.5)).toThrow(RangeError);
    expect(() => formatEuro(Number.NaN)).toThrow(RangeError);
  });
});

describe('parseDecimalNl', () => {
  it('accepts a comma or a dot as decimal separator', () => {
    expect(parseDecimalNl('80,5')).toBe(80.5);
    expect(parseDecimalNl('80.5')).toBe(80.5);
    expect(parseDecimalNl('80')).toBe(80);
    expect(parseDecimalNl(' 28 ')).toBe(28);
    expect(parseDecimalNl('0,25')).toBe(0.25);
    expect(parseDecimalNl('-3,5')).toBe(-3.5);
    expect(parseDecimalNl('007')).toBe(7);
  });

  it('rejects garbage', () => {
    for (const input of [
      '',
      ' ',
      'abc',
      '80%',
      '80,5,1',
      '1.234,5',
      '1,234.5',
      ',5',
      '5,',
      '8 0',
      '80,5 uur',
      '--1',
      '1e3',
      'NaN',
      'Infinity',
      '0x10',
    ]) {
      expect(parseDecimalNl(input), input).toBeNull();
    }
  });

  it('property: round trip with formatDecimalNl for values with at most 2 decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (hundredths) => {
        const value = hundredths / 100;
        expect(parseDecimalNl(formatDecimalNl(value))).toBe(value);
      }),
    );
  });
});

describe('formatDecimalNl', () => {
  it('uses a decimal comma, drops trailing zeros and rounds halves away from zero', () => {
    expect(formatDecimalNl(80.5)).toBe('80,5');
    expect(formatDecimalNl(100)).toBe('100');
    expect(formatDecimalNl(96.125)).toBe('96,13');
    expect(formatDecimalNl(1.005)).toBe('1,01');
    expect(formatDecimalNl(0.1 + 0.2)).toBe('0,3');
    expect(formatDecimalNl(1234.5)).toBe('1234,5');
    expect(formatDecimalNl(-0.001)).toBe('0');
    expect(formatDecimalNl(100, 0)).toBe('100');
    expect(formatDecimalNl(2.5, 0)).toBe('3');
  });
});

describe('roundDecimal', () => {
  it('rounds halves away from zero, ignoring binary noise', () => {
    expect(roundDecimal(2.5)).toBe(3);
    expect(roundDecimal(-2.5)).toBe(-3);
    expect(roundDecimal(1.005, 2)).toBe(1.01);
    expect(roundDecimal(204799.49999999997)).toBe(204800); // is 96.15 × 2130 = 204799.5
    expect(roundDecimal(204799.4999)).toBe(204799);
    expect(roundDecimal(96.15000000000001, 4)).toBe(96.15);
    expect(roundDecimal(1e-7, 2)).toBe(0);
    expect(() => roundDecimal(Number.NaN)).toThrow(RangeError);
  });
});
