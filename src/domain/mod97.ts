/**
 * Shared mod-97 arithmetic for the Belgian identifiers (KBO, INSZ, IBAN).
 * Works digit by digit on strings so that numbers longer than 2^53 stay exact.
 */

/** Remainder of a decimal digit string modulo 97. Throws on non-digits (a programming error). */
export function mod97(digits: string): number {
  let remainder = 0;
  for (const ch of digits) {
    const d = ch.charCodeAt(0) - 48;
    if (d < 0 || d > 9) throw new RangeError(`mod97: not a digit string: ${JSON.stringify(digits)}`);
    remainder = (remainder * 10 + d) % 97;
  }
  return remainder;
}

/** The "97 − (n mod 97)" check used by KBO and INSZ: always 1..97, never 0. */
export function complementCheck97(digits: string): number {
  return 97 - mod97(digits);
}

/** Two-digit zero-padded rendering of a check value (1..97 → '01'..'97'). */
export function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}
