import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRules, type RulesData } from '../../src/domain/rules-data.js';
import { listNl } from '../../src/help/faq.js';
import { paths } from '../../src/paths.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { page } from '../helpers/page.js';

/** A day in school year 2025-2026, so the examples are stable. */
const now = () => new Date('2025-11-20T10:00:00Z');

/** The default rules with another forfait from 2025-2026, a longer deadline and a higher threshold. */
const changedRules: RulesData = {
  ...defaultRules,
  forfaits: [defaultRules.forfaits[0], { fromSchoolYear: 2025, centsPerHour: 1600 }],
  submissionWindow: { ...defaultRules.submissionWindow, monthsAfterStart: 4 },
  eligibility: [defaultRules.eligibility[0], { ...defaultRules.eligibility[1], minTwpPercent: 60 }],
};

describe('the FAQ shows the amounts and deadlines of the rules data the form uses', () => {
  let standard: TestApp;
  let changed: TestApp;
  beforeAll(async () => {
    standard = await buildTestApp({}, { now });
    changed = await buildTestApp({}, { now, rules: changedRules });
  });
  afterAll(async () => {
    await standard?.close();
    await changed?.close();
  });

  it('with the default rules: the forfait per school year, the full-time maximum and the worked example', async () => {
    const html = (await request(standard.app).get(paths.faq).expect(200)).text;
    const faq = page(html);
    expect(faq.table('Bedrag per uur').rows).toEqual([
      ['2019-2020 tot en met 2024-2025', '€ 21,30', '€ 2.662,50'],
      ['vanaf 2025-2026', '€ 14,91', '€ 1.863,75'],
    ]);
    expect(
      faq
        .$('strong')
        .toArray()
        .map((b) => faq.$(b).text()),
    ).toContain('€ 1.863,75');
    expect(faq.main).toContain('125 uur × € 14,91 = € 1.863,75');
    expect(faq.main).toContain('ten laatste 3 maanden na de startdatum');
    expect(faq.main).toContain('van 15/07/2025 tot en met 15/01/2026');
    expect(faq.main).toContain('minstens 80 % tewerkgesteld zijn en gemiddeld minstens 28 uur per week werken');
    expect(faq.main).toContain('80 % × 125 uur = 100 uur');
    expect(faq.main).toContain('4 uur per studiepunt');
    expect(faq.main).toContain('8 uur per examen');
    expect(faq.main).toContain('Voor het schooljaar 2025-2026 is de referentiemaand maart 2025.');
  });

  it('with an injected forfait, deadline and threshold: the FAQ follows, and the old numbers are gone', async () => {
    const html = (await request(changed.app).get(paths.faq).expect(200)).text;
    const faq = page(html);
    // The earlier school years keep their forfait.
    expect(faq.table('Bedrag per uur').rows).toEqual([
      ['2019-2020 tot en met 2024-2025', '€ 21,30', '€ 2.662,50'],
      ['vanaf 2025-2026', '€ 16,00', '€ 2.000,00'],
    ]);
    expect(faq.main).toContain('125 uur × € 16,00 = € 2.000,00');
    expect(html).not.toContain('14,91');
    expect(html).not.toContain('1.863,75');
    expect(faq.main).toContain('ten laatste 4 maanden na de startdatum');
    expect(faq.main).toContain('van 15/07/2025 tot en met 15/02/2026');
    expect(faq.main).toContain('minstens 60 % tewerkgesteld zijn');
    expect(html).not.toContain('minstens 80 %');
  });

  it('the help page\'s step "Opleiding" states the deadline of the same rules data', async () => {
    expect(page((await request(standard.app).get(paths.help).expect(200)).text).main).toContain(
      'ten vroegste 3 maanden vóór en ten laatste 3 maanden na die startdatum',
    );
    expect(page((await request(changed.app).get(paths.help).expect(200)).text).main).toContain(
      'ten vroegste 3 maanden vóór en ten laatste 4 maanden na die startdatum',
    );
  });
});

describe('listNl', () => {
  it('joins Dutch lists', () => {
    expect(listNl([])).toBe('');
    expect(listNl(['a'])).toBe('a');
    expect(listNl(['a', 'b'])).toBe('a of b');
    expect(listNl(['a', 'b', 'c'], 'en')).toBe('a, b en c');
  });
});
