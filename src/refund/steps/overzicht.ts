import type { StepResult } from './fields.js';

/** Step 6 Overzicht: every answer once more, and the declaration on honour. */

export const OVERZICHT_FIELDS = ['declaration'] as const;

export function judgeOverzicht(input: { declaration?: string }): StepResult<{ declaration: true }> {
  if (input.declaration === 'ja') return { ok: true, data: { declaration: true } };
  const text = 'Vink aan dat u verklaart dat alle gegevens juist en volledig zijn.';
  return { ok: false, errors: [{ text, href: '#declaration' }] };
}
