/**
 * Which Belgian region a postcode lies in. The refund needs an establishment unit in the Flemish Region
 * (where the employee works decides). Brussels postcodes 1000–1299 are the Brussels-Capital Region,
 * 1300–1499 (Walloon Brabant) and 4000–7999 Wallonia; 1500–3999 and 8000–9999 are Flemish.
 */
export type Region = 'vlaanderen' | 'brussel' | 'wallonie';

export const REGION_NAMES: Record<Region, string> = {
  vlaanderen: 'het Vlaamse Gewest',
  brussel: 'het Brussels Hoofdstedelijk Gewest',
  wallonie: 'het Waalse Gewest',
};

/** '9000' → 'vlaanderen'; not a Belgian postcode (four digits 1000–9999) → null. */
export function regionOfPostcode(postcode: string): Region | null {
  const v = postcode.trim();
  if (!/^[1-9]\d{3}$/.test(v)) return null;
  const n = Number(v);
  if (n < 1300) return 'brussel';
  if (n < 1500) return 'wallonie';
  if (n < 4000) return 'vlaanderen';
  if (n < 8000) return 'wallonie';
  return 'vlaanderen';
}
