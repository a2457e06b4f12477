/**
 * fast-check generators of valid identifiers, computed independently of src/domain (BigInt
 * arithmetic, straight from the definitions in domain.md) so the properties are not circular.
 */
import fc from 'fast-check';

const pad = (n: bigint | number, width: number): string => String(n).padStart(width, '0');

/** 97 − (n mod 97), as two digits. */
export const complement97 = (digits: string): string => pad(97n - (BigInt(digits) % 97n), 2);

function tenDigitNumber(firstDigits: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...firstDigits.split('')), fc.stringMatching(/^\d{7}$/))
    .map(([first, rest]) => `${first}${rest}${complement97(`${first}${rest}`)}`);
}

/** Valid KBO enterprise numbers: 10 digits, starting with 0 or 1. */
export const validKbo = (): fc.Arbitrary<string> => tenDigitNumber('01');

/** Valid establishment unit numbers: 10 digits, starting with 2..8. */
export const validEstablishmentUnit = (): fc.Arbitrary<string> => tenDigitNumber('2345678');

export interface GeneratedInsz {
  digits: string;
  century: 1900 | 2000;
  year: number;
  month: number;
  day: number;
  bisOffset: 0 | 20 | 40;
}

/** Valid INSZ numbers of both centuries, regular and BIS, including unknown month/day (00). */
export const validInsz = (): fc.Arbitrary<GeneratedInsz> =>
  fc
    .record({
      century: fc.constantFrom<1900 | 2000>(1900, 2000),
      yy: fc.integer({ min: 0, max: 99 }),
      month: fc.integer({ min: 0, max: 12 }),
      day: fc.integer({ min: 0, max: 31 }),
      bisOffset: fc.constantFrom<0 | 20 | 40>(0, 20, 40),
      serial: fc.integer({ min: 1, max: 998 }),
    })
    .map(({ century, yy, month, day, bisOffset, serial }) => {
      const base = `${pad(yy, 2)}${pad(month + bisOffset, 2)}${pad(day, 2)}${pad(serial, 3)}`;
      const check = complement97(century === 2000 ? `2${base}` : base);
      return { digits: base + check, century, year: century + yy, month, day, bisOffset };
    });

/** Valid Belgian IBANs in electronic form. */
export const validBelgianIban = (): fc.Arbitrary<string> =>
  fc.stringMatching(/^\d{10}$/).map((first10) => {
    const national = BigInt(first10) % 97n;
    const bban = `${first10}${pad(national === 0n ? 97n : national, 2)}`;
    // ISO 13616: BBAN + 'BE00' with B=11, E=14; check = 98 − (that mod 97).
    const check = 98n - (BigInt(`${bban}111400`) % 97n);
    return `BE${pad(check, 2)}${bban}`;
  });

/** Every variant of `digits` with exactly one digit replaced by another digit. */
export function singleDigitMutations(
  digits: string,
  positions?: number[],
): { index: number; from: number; to: number; value: string }[] {
  const out: { index: number; from: number; to: number; value: string }[] = [];
  for (const index of positions ?? [...digits].map((_, i) => i)) {
    const from = Number(digits[index]);
    if (Number.isNaN(from)) continue;
    for (let to = 0; to <= 9; to++) {
      if (to !== from)
        out.push({ index, from, to, value: digits.slice(0, index) + String(to) + digits.slice(index + 1) });
    }
  }
  return out;
}
