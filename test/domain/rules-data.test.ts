import { describe, it, expect } from 'vitest';
import { defaultRules, entryForSchoolYear } from '../../src/domain/rules-data.js';

describe('defaultRules', () => {
  it('holds the published numbers', () => {
    expect(defaultRules.firstSchoolYear).toBe(2019);
    expect(defaultRules.forfaits).toEqual([
      { fromSchoolYear: 2019, centsPerHour: 2130 },
      { fromSchoolYear: 2025, centsPerHour: 1491 },
    ]);
    expect(defaultRules.hours).toEqual({
      baseHoursPerFullTime: 125,
      sharedInitiativeMultiplier: 2,
      perStudiepunt: 4,
      perLestijd: 1,
      perExam: 8,
    });
    expect(defaultRules.minimumSize).toEqual({ contacturen: 32, studiepunten: 3, lestijden: 32 });
    expect(defaultRules.minimumSizeAppliesTo).toEqual(['odb', 'loopbaan']);
    expect(defaultRules.submissionWindow).toEqual({
      monthsBeforeStart: 3,
      monthsAfterStart: 3,
      monthsAfterNewEmployer: 3,
    });
    expect(defaultRules.careerGuidanceAttestMaxAgeYears).toBe(6);
    expect(defaultRules.access).toEqual({ role: 'DWSE organisatieverantwoordelijke', context: 'opleidingsverlof' });
    expect(defaultRules.contact).toEqual({
      supportEmail: 'vlaamsopleidingsverlof@vlaanderen.be',
      infoline: '1700',
      infolineTeam: 'gebruikersbeheer',
    });
  });

  it('is deeply frozen, so no caller can change the shared defaults', () => {
    expect(Object.isFrozen(defaultRules)).toBe(true);
    expect(Object.isFrozen(defaultRules.forfaits)).toBe(true);
    expect(Object.isFrozen(defaultRules.forfaits[0])).toBe(true);
    expect(Object.isFrozen(defaultRules.hours)).toBe(true);
    expect(() => {
      (defaultRules.hours as { perExam: number }).perExam = 9;
    }).toThrow(TypeError);
  });
});

describe('entryForSchoolYear', () => {
  const entries = [
    { fromSchoolYear: 2025, v: 'b' },
    { fromSchoolYear: 2019, v: 'a' },
  ];

  it('picks the latest entry that has started, in any order', () => {
    expect(entryForSchoolYear(entries, 2019, defaultRules)?.v).toBe('a');
    expect(entryForSchoolYear(entries, 2024, defaultRules)?.v).toBe('a');
    expect(entryForSchoolYear(entries, 2025, defaultRules)?.v).toBe('b');
    expect(entryForSchoolYear(entries, 2040, defaultRules)?.v).toBe('b');
  });

  it('is null before the first supported school year or before every entry', () => {
    expect(entryForSchoolYear(entries, 2018, defaultRules)).toBeNull();
    expect(entryForSchoolYear(entries, 2018, { firstSchoolYear: 2000 })).toBeNull();
    expect(entryForSchoolYear(entries, 2019.5, defaultRules)).toBeNull();
  });
});
