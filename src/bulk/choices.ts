/**
 * The values a CSV cell may hold for the form's radio buttons: the form's own values (the stable ids of
 * src/domain/training.ts), plus a few spellings people type. Compared without case and accents.
 */
const ALIASES: Record<string, string> = {
  'odb-opleiding': 'odb',
  'odb opleiding': 'odb',
  opleidingsdatabank: 'odb',
  loopbaangericht: 'loopbaan',
  loopbaangerichte: 'loopbaan',
  'loopbaangerichte opleiding': 'loopbaan',
  'examen bij de examencommissie': 'examencommissie',
  'evc-examen': 'evc',
  'evc examen': 'evc',
  contactuur: 'contacturen',
  studiepunt: 'studiepunten',
  lestijd: 'lestijden',
  j: 'ja',
  n: 'nee',
};

function simplify(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The form's value for what was typed in a column with fixed values; unknown text is returned as typed. */
export function choiceValue(typed: string, allowed: readonly string[]): string {
  const simple = simplify(typed);
  if (allowed.includes(simple)) return simple;
  const alias = ALIASES[simple];
  return alias !== undefined && allowed.includes(alias) ? alias : typed.trim();
}

/** "odb, loopbaan, examencommissie of evc" */
export function listOfChoices(allowed: readonly string[]): string {
  return allowed.length === 1 ? allowed[0] : `${allowed.slice(0, -1).join(', ')} of ${allowed[allowed.length - 1]}`;
}
