import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  birthDateFromInsz,
  formatInsz,
  isValidInsz,
  maskInsz,
  normaliseInsz,
  parseInsz,
} from '../../src/domain/insz.js';
import { singleDigitMutations, validInsz } from './arbitraries.js';

describe('INSZ worked examples (domain.md)', () => {
  it('85.07.30-033.28 is a 1985 rijksregisternummer', () => {
    expect(normaliseInsz('85.07.30-033.28')).toBe('85073003328');
    expect(parseInsz('85.07.30-033.28')).toEqual({
      digits: '85073003328',
      century: 1900,
      birthYear: 1985,
      birthMonth: 7,
      birthDay: 30,
      kind: 'rijksregister',
    });
    expect(birthDateFromInsz('85073003328')).toEqual({ year: 1985, month: 7, day: 30 });
  });

  it('17.07.30-033.84 is a 2017 rijksregisternummer (the 2000+ check)', () => {
    expect(normaliseInsz('17.07.30-033.84')).toBe('17073003384');
    expect(parseInsz('17073003384')?.century).toBe(2000);
    expect(birthDateFromInsz('17.07.30-033.84')).toEqual({ year: 2017, month: 7, day: 30 });
  });

  it('98.47.28-997.65 is a BIS number born 28 July 1998', () => {
    const info = parseInsz('98.47.28-997.65');
    expect(info).toMatchObject({ kind: 'bis', century: 1900, birthYear: 1998, birthMonth: 7, birthDay: 28 });
    expect(birthDateFromInsz('98.47.28-997.65')).toEqual({ year: 1998, month: 7, day: 28 });
  });

  it('accepts raw digits, spaces and surrounding whitespace', () => {
    for (const input of ['85073003328', '85 07 30 033 28', ' 85.07.30-033.28 ', '850730 033 28', '85.07.30.033.28']) {
      expect(normaliseInsz(input), input).toBe('85073003328');
    }
  });

  it('rejects the neighbours of the examples', () => {
    expect(isValidInsz('85.07.30-033.29')).toBe(false); // check off by one
    expect(isValidInsz('85.07.30-033.27')).toBe(false);
    expect(isValidInsz('85.07.30-034.28')).toBe(false); // serial changed
    expect(isValidInsz('85.07.31-033.28')).toBe(false); // day changed
    expect(isValidInsz('17.07.30-033.28')).toBe(false); // 2017 with the 1900 check digits
    expect(isValidInsz('85.07.30-033.84')).toBe(false); // 1985 with the 2000 check digits
    expect(isValidInsz('98.47.28-997.66')).toBe(false);
    expect(isValidInsz('8507300332')).toBe(false); // 10 digits
    expect(isValidInsz('850730033288')).toBe(false); // 12 digits
    expect(isValidInsz('85.07.30-O33.28')).toBe(false); // letter O
    expect(isValidInsz('')).toBe(false);
  });

  it('the two check formulas never both match: their values differ by 29 or 68', () => {
    // 2 000 000 000 mod 97 = 68, so CC(2000+) = CC(1900) + 29 (mod 97)
    expect(2_000_000_000 % 97).toBe(68);
  });
});

describe('INSZ date plausibility', () => {
  // Builds a valid number (1900 check) for a given YYMMDD and serial.
  const make = (yymmdd: string, serial = '001'): string => {
    const base = `${yymmdd}${serial}`;
    return base + String(97 - (Number(base) % 97)).padStart(2, '0');
  };

  it('accepts months 1..12, BIS months 21..32 and 41..52, and 00/20/40 for an unknown month', () => {
    for (const mm of ['01', '12', '00', '20', '21', '32', '40', '41', '52']) {
      expect(isValidInsz(make(`85${mm}15`)), mm).toBe(true);
    }
  });

  it('rejects months 13..19, 33..39 and 53+', () => {
    for (const mm of ['13', '19', '33', '39', '53', '60', '99']) {
      expect(isValidInsz(make(`85${mm}15`)), mm).toBe(false);
    }
  });

  it('accepts day 00..31 and rejects 32', () => {
    expect(isValidInsz(make('850700'))).toBe(true);
    expect(isValidInsz(make('850731'))).toBe(true);
    expect(isValidInsz(make('850732'))).toBe(false);
  });

  it('marks BIS numbers and strips the offset', () => {
    expect(parseInsz(make('852115'))).toMatchObject({ kind: 'bis', birthMonth: 1 });
    expect(parseInsz(make('854115'))).toMatchObject({ kind: 'bis', birthMonth: 1 });
    expect(parseInsz(make('850115'))).toMatchObject({ kind: 'rijksregister', birthMonth: 1 });
  });

  it('birthDateFromInsz gives null for an unknown month or day or a non-existent date', () => {
    expect(birthDateFromInsz(make('850015'))).toBeNull();
    expect(birthDateFromInsz(make('850700'))).toBeNull();
    expect(birthDateFromInsz(make('850231'))).toBeNull(); // valid number, but 31 February
    expect(birthDateFromInsz(make('880229'))).toEqual({ year: 1988, month: 2, day: 29 });
    expect(birthDateFromInsz(make('870229'))).toBeNull();
    expect(birthDateFromInsz('85.07.30-033.29')).toBeNull();
  });
});

describe('INSZ formatting and masking', () => {
  it('formats as YY.MM.DD-SSS.CC', () => {
    expect(formatInsz('85073003328')).toBe('85.07.30-033.28');
    expect(formatInsz('98 47 28 997 65')).toBe('98.47.28-997.65');
  });

  it('returns invalid input unchanged from formatInsz', () => {
    expect(formatInsz('85073003329')).toBe('85073003329');
  });

  it('masks serial and check digits', () => {
    expect(maskInsz('85073003328')).toBe('85.07.30-***.**');
    expect(maskInsz('85.07.30-033.28')).toBe('85.07.30-***.**');
    expect(maskInsz('98.47.28-997.65')).toBe('98.47.28-***.**');
  });

  it('masks every digit of invalid input, so nothing leaks', () => {
    expect(maskInsz('85.07.30-033.29')).toBe('**.**.**-***.**');
    expect(maskInsz('abc 123')).toBe('abc ***');
  });
});

describe('INSZ properties', () => {
  it('generated valid numbers (both centuries, BIS, unknown parts) pass and decode', () => {
    fc.assert(
      fc.property(validInsz(), (g) => {
        const info = parseInsz(g.digits);
        expect(info).not.toBeNull();
        expect(info?.century).toBe(g.century);
        expect(info?.birthYear).toBe(g.year);
        expect(info?.birthMonth).toBe(g.month);
        expect(info?.birthDay).toBe(g.day);
        expect(info?.kind).toBe(g.bisOffset === 0 ? 'rijksregister' : 'bis');
      }),
    );
  });

  it('round-trips: normalise(format(x)) = x, and the mask keeps the date part', () => {
    fc.assert(
      fc.property(validInsz(), ({ digits }) => {
        const formatted = formatInsz(digits);
        expect(formatted).toMatch(/^\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}$/);
        expect(normaliseInsz(formatted)).toBe(digits);
        expect(maskInsz(digits)).toBe(`${formatted.slice(0, 9)}***.**`);
      }),
    );
  });

  it('every single-digit change is rejected, except the one the two-century scheme cannot catch', () => {
    // A change δ·10^k in the base passes iff it maps onto the OTHER century's check:
    // δ·10^k ≡ ±68 (mod 97). The only single-digit solution is δ = ∓6 at 10^7, i.e. the second
    // digit of the birth year: 03 → 09 turns a valid 2003 number into a valid 1909 one, and
    // 89 → 83 a valid 1989 number into a valid 2083 one. A change in the check digits would need
    // a difference of 29 or 68: never a single digit. So mod 97 catches all single-digit errors
    // except this century-flipping one.
    fc.assert(
      fc.property(validInsz(), (g) => {
        for (const m of singleDigitMutations(g.digits)) {
          const info = parseInsz(m.value);
          if (info === null) continue;
          expect(m.index, m.value).toBe(1);
          expect(m.to - m.from, m.value).toBe(g.century === 1900 ? -6 : 6);
          expect(info.century, m.value).not.toBe(g.century);
        }
      }),
    );
  });

  it('the exception really exists: 03.07.30-033.81 (2003) ↔ 09.07.30-033.81 (1909); 89.07.30-033.15 (1989) ↔ 83.07.30-033.15 (2083)', () => {
    expect(parseInsz('03.07.30-033.81')).toMatchObject({ century: 2000, birthYear: 2003 });
    expect(parseInsz('09.07.30-033.81')).toMatchObject({ century: 1900, birthYear: 1909 });
    expect(parseInsz('89.07.30-033.15')).toMatchObject({ century: 1900, birthYear: 1989 });
    expect(parseInsz('83.07.30-033.15')).toMatchObject({ century: 2000, birthYear: 2083 });
    // The worked examples cannot flip: 5 − 6 and 7 + 6 are not digits.
    for (const m of singleDigitMutations('85073003328')) expect(isValidInsz(m.value), m.value).toBe(false);
    for (const m of singleDigitMutations('17073003384')) expect(isValidInsz(m.value), m.value).toBe(false);
  });
});
