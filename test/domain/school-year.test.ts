import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { addDays, compareIso } from '../../src/domain/dates.js';
import { defaultRules, type RulesData } from '../../src/domain/rules-data.js';
import {
  MONTH_NAMES_NL,
  monthNameNl,
  parseSchoolYearLabel,
  referenceMonthFor,
  schoolYearBounds,
  schoolYearLabel,
  schoolYearOf,
} from '../../src/domain/school-year.js';

describe('schoolYearOf', () => {
  it('runs from 1 September to 31 August', () => {
    expect(schoolYearOf('2025-09-01')).toEqual({ start: 2025, label: '2025-2026' });
    expect(schoolYearOf('2025-08-31')).toEqual({ start: 2024, label: '2024-2025' });
    expect(schoolYearOf('2026-08-31')).toEqual({ start: 2025, label: '2025-2026' });
    expect(schoolYearOf('2026-01-01')).toEqual({ start: 2025, label: '2025-2026' });
    expect(schoolYearOf('2025-12-31')).toEqual({ start: 2025, label: '2025-2026' });
  });

  it('throws on a malformed date', () => {
    expect(() => schoolYearOf('01/09/2025')).toThrow(RangeError);
  });

  it('property: a date lies within the bounds of its school year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), (offset) => {
        const iso = addDays('1990-01-01', offset);
        const { first, last } = schoolYearBounds(schoolYearOf(iso).start);
        expect(compareIso(first, iso)).toBeLessThanOrEqual(0);
        expect(compareIso(iso, last)).toBeLessThanOrEqual(0);
      }),
    );
  });
});

describe('school year labels and bounds', () => {
  it('labels and parses', () => {
    expect(schoolYearLabel(2019)).toBe('2019-2020');
    expect(parseSchoolYearLabel('2025-2026')).toBe(2025);
    expect(parseSchoolYearLabel(' 2023-2024 ')).toBe(2023);
    expect(parseSchoolYearLabel('2025-2027')).toBeNull();
    expect(parseSchoolYearLabel('2025/2026')).toBeNull();
    expect(parseSchoolYearLabel('2025')).toBeNull();
  });

  it('bounds are 1 September and 31 August', () => {
    expect(schoolYearBounds(2025)).toEqual({ first: '2025-09-01', last: '2026-08-31' });
  });

  it('month names in Dutch', () => {
    expect(MONTH_NAMES_NL).toHaveLength(12);
    expect(monthNameNl(3)).toBe('maart');
    expect(monthNameNl(9)).toBe('september');
    expect(() => monthNameNl(13)).toThrow(RangeError);
  });
});

describe('referenceMonthFor', () => {
  it('is September of the school year up to 2022-2023', () => {
    expect(referenceMonthFor(2019)).toEqual({ year: 2019, month: 9, label: 'september 2019' });
    expect(referenceMonthFor(2022)).toEqual({ year: 2022, month: 9, label: 'september 2022' });
  });

  it('is March before the school year from 2023-2024', () => {
    expect(referenceMonthFor(2023)).toEqual({ year: 2023, month: 3, label: 'maart 2023' });
    expect(referenceMonthFor(2025)).toEqual({ year: 2025, month: 3, label: 'maart 2025' });
    expect(referenceMonthFor(2030)?.label).toBe('maart 2030');
  });

  it('is null before the first supported school year', () => {
    expect(referenceMonthFor(2018)).toBeNull();
  });

  it('follows the rules data', () => {
    const rules: RulesData = {
      ...defaultRules,
      referenceMonths: [...defaultRules.referenceMonths, { fromSchoolYear: 2027, month: 1 }],
    };
    expect(referenceMonthFor(2026, rules)?.label).toBe('maart 2026');
    expect(referenceMonthFor(2027, rules)?.label).toBe('januari 2027');
    expect(referenceMonthFor(2027)?.label).toBe('maart 2027');
  });
});
