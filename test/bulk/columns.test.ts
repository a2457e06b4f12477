import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLUMNS } from '../../src/bulk/columns.js';
import { BIJLAGEN_FIELDS } from '../../src/refund/steps/bijlagen.js';
import { INITIATIEF_FIELDS } from '../../src/refund/steps/initiatief.js';
import { OPLEIDING_FIELDS } from '../../src/refund/steps/opleiding.js';
import { WERKGEVER_FIELDS } from '../../src/refund/steps/werkgever.js';
import { WERKNEMER_FIELDS } from '../../src/refund/steps/werknemer.js';
import { PROJECT_ROOT } from '../../src/root.js';

describe('the column layout', () => {
  it('covers every field of the one-by-one form (the unit radio is its number; the declaration is given on confirmation)', () => {
    const formFields = [
      ...WERKGEVER_FIELDS.filter((f) => f !== 'unitChoice'),
      ...WERKNEMER_FIELDS,
      ...OPLEIDING_FIELDS,
      ...INITIATIEF_FIELDS,
      ...BIJLAGEN_FIELDS,
    ];
    expect(COLUMNS.map((c) => c.key).sort()).toEqual([...formFields].sort());
    expect(new Set(COLUMNS.map((c) => c.header.toLowerCase())).size).toBe(COLUMNS.length);
  });

  it('is documented in the README, column by column, in the order of the template', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'src/bulk/README.md'), 'utf8');
    COLUMNS.forEach((c, i) =>
      expect(readme).toContain(`| ${i + 1} | ${c.header} | \`${c.step}.${c.key}\` | ${c.requirement} |`),
    );
  });
});
