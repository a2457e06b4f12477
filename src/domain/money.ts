/**
 * Money and decimal numbers in nl-BE notation.
 *
 * Amounts are integer euro cents everywhere. formatEuro writes a NORMAL SPACE (U+0020) between
 * '€' and the amount — the literal form used in the domain notes ('€ 2.662,50') — and not the
 * NBSP that Intl produces; templates that must not wrap can add `white-space: nowrap`.
 * Formatting is done by hand rather than with Intl so the output does not depend on ICU data.
 */

function groupThousands(integerDigits: string): string {
  return integerDigits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** 266250 → '€ 2.662,50'; -500 → '€ -5,00'. Throws RangeError unless cents is a safe integer. */
export function formatEuro(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`formatEuro: cents must be an integer, got ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100);
  const rest = abs % 100;
  return `€ ${sign}${groupThousands(String(euros))},${String(rest).padStart(2, '0')}`;
}

/**
 * Shifts the decimal point by exponent arithmetic on the string form, so that e.g.
 * 1.005 × 10² is exactly 100.5 and not 100.49999999999999.
 */
function shift(value: number, places: number): number {
  const [mantissa, exponent = '0'] = String(value).split('e');
  return Number(`${mantissa}e${Number(exponent) + places}`);
}

/**
 * Rounds to `decimals` places, halves away from zero, after first dropping binary floating-point
 * noise beyond 15 significant digits (so 204799.49999999997, really 204799.5, rounds up).
 */
export function roundDecimal(value: number, decimals = 0): number {
  if (!Number.isFinite(value)) throw new RangeError(`roundDecimal: not a finite number: ${value}`);
  const clean = Number(value.toPrecision(15));
  const rounded = Math.round(shift(Math.abs(clean), decimals));
  const result = shift(rounded, -decimals);
  return clean < 0 && result !== 0 ? -result : result;
}

/**
 * Parses a decimal number as typed in a Flemish form: '80,5' or '80.5' → 80.5, '-3' → -3.
 * Returns null for anything else: empty input, letters, thousands separators ('1.234,5'),
 * several separators, a leading or trailing separator (',5', '5,').
 */
export function parseDecimalNl(input: string): number | null {
  if (typeof input !== 'string') return null;
  const m = /^([+-]?)(\d+)(?:[.,](\d+))?$/.exec(input.trim());
  if (m === null) return null;
  const value = Number(`${m[1]}${m[2]}.${m[3] ?? '0'}`);
  return Number.isFinite(value) ? value : null;
}

/**
 * 80.5 → '80,5'; 100 → '100'; 96.125 → '96,13' (at most maxDecimals, trailing zeros dropped,
 * halves away from zero). No thousands grouping, so parseDecimalNl reads the result back.
 */
export function formatDecimalNl(value: number, maxDecimals = 2): string {
  const rounded = roundDecimal(value, maxDecimals);
  const fixed = rounded.toFixed(maxDecimals);
  const text = fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
  const normalised = text === '-0' ? '0' : text;
  return normalised.replace('.', ',');
}

/** 5000 → '5.000' (nl-BE), for counts in text. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}
