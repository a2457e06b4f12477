import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { addDays, addMonths, compareIso } from '../../src/domain/dates.js';
import { formatEuro } from '../../src/domain/money.js';
import {
  careerGuidanceAttestProblem,
  checkSubmissionWindow,
  describeEligibilityRule,
  eligibilityRefusal,
  forfaitCentsFor,
  indicativeAmount,
  minimumSizeProblem,
  normaliseOdbNumber,
  personalMaximumHours,
  sharedInitiativeApplies,
  trainingHours,
  type EligibilityInput,
} from '../../src/domain/refund-rules.js';
import { defaultRules as rules, type RulesData } from '../../src/domain/rules-data.js';

/** Eligibility of a full-time employee (38 h a week, no earlier start) with these changes. */
const eligibility = (input: Partial<EligibilityInput> & { schoolYearStart: number }, rulesData = rules) =>
  eligibilityRefusal({ twpPercent: 100, weeklyHours: 38, trainingStartedInSchoolYearStart: null, ...input }, rulesData);
/** What the refusal is about per issue, [] when eligible. */
const about = (input: Partial<EligibilityInput> & { schoolYearStart: number }) =>
  eligibility(input)?.issues.map((i) => i.about) ?? [];

describe('forfaitCentsFor', () => {
  it('is € 21,30 from 2019-2020 to 2024-2025 and € 14,91 from 2025-2026', () => {
    expect(forfaitCentsFor(2019, rules)).toBe(2130);
    expect(forfaitCentsFor(2024, rules)).toBe(2130);
    expect(forfaitCentsFor(2025, rules)).toBe(1491);
    expect(forfaitCentsFor(2031, rules)).toBe(1491);
    expect(formatEuro(forfaitCentsFor(2025, rules) ?? 0)).toBe('€ 14,91');
  });

  it('is null before 2019-2020', () => {
    expect(forfaitCentsFor(2018, rules)).toBeNull();
  });

  it('follows changed rules data', () => {
    const changed: RulesData = {
      ...rules,
      forfaits: [...rules.forfaits, { fromSchoolYear: 2027, centsPerHour: 1600 }],
    };
    expect(forfaitCentsFor(2026, changed)).toBe(1491);
    expect(forfaitCentsFor(2027, changed)).toBe(1600);
  });
});

describe('eligibilityRefusal', () => {
  it('up to 2024-2025: TWP ≥ 50 % (50 ok, 49 not)', () => {
    expect(eligibility({ schoolYearStart: 2024, twpPercent: 50 })).toBeNull();
    expect(eligibility({ schoolYearStart: 2019, twpPercent: 50 })).toBeNull();
    expect(eligibility({ schoolYearStart: 2024, twpPercent: 100 })).toBeNull();
    expect(about({ schoolYearStart: 2024, twpPercent: 49 })).toEqual(['twp']);
    expect(eligibility({ schoolYearStart: 2024, twpPercent: 49 })?.message).toBe(
      'Het tewerkstellingspercentage van de werknemer (49 %) is te laag. ' +
        'Voor het schooljaar 2024-2025 moet de werknemer minstens 50 % tewerkgesteld zijn in de referentiemaand maart 2024.',
    );
    expect(about({ schoolYearStart: 2024, twpPercent: 49.99 })).toEqual(['twp']);
  });

  it('names September of the school year as reference month up to 2022-2023', () => {
    expect(eligibility({ schoolYearStart: 2022, twpPercent: 40 })?.message).toContain(
      'in de referentiemaand september 2022',
    );
  });

  it('up to 2024-2025 ignores the weekly hours', () => {
    expect(eligibility({ schoolYearStart: 2024, twpPercent: 50, weeklyHours: 10 })).toBeNull();
  });

  it('from 2025-2026: TWP ≥ 80 % and ≥ 28 h a week', () => {
    expect(eligibility({ schoolYearStart: 2025, twpPercent: 80, weeklyHours: 28 })).toBeNull();
    expect(eligibility({ schoolYearStart: 2026, twpPercent: 100, weeklyHours: 38 })).toBeNull();
    expect(about({ schoolYearStart: 2025, twpPercent: 79, weeklyHours: 28 })).toEqual(['twp']);
    expect(about({ schoolYearStart: 2025, twpPercent: 80, weeklyHours: 27.9 })).toEqual(['weeklyHours']);
    expect(about({ schoolYearStart: 2025, twpPercent: 50, weeklyHours: 20 })).toEqual(['twp', 'weeklyHours']);
  });

  it('from 2025-2026 says what is wrong and what the rule is', () => {
    const r = eligibility({ schoolYearStart: 2025, twpPercent: 75.5, weeklyHours: 27 });
    expect(r?.message).toBe(
      'Het tewerkstellingspercentage van de werknemer (75,5 %) is te laag. ' +
        'De werknemer werkt gemiddeld 27 uur per week; dat is te weinig. ' +
        'Voor het schooljaar 2025-2026 moet de werknemer minstens 80 % tewerkgesteld zijn in de referentiemaand maart 2025 ' +
        'en gemiddeld minstens 28 uur per week werken.',
    );
    // each issue stands on its own, for a message next to its field
    expect(r?.issues.map((i) => i.message.endsWith('28 uur per week werken.'))).toEqual([true, true]);
  });

  it('a training started in 2024-2025 continues under the old rule in 2025-2026', () => {
    expect(
      eligibility({ schoolYearStart: 2025, twpPercent: 50, weeklyHours: 20, trainingStartedInSchoolYearStart: 2024 }),
    ).toBeNull();
    expect(
      eligibility({ schoolYearStart: 2025, twpPercent: 49, trainingStartedInSchoolYearStart: 2024 })?.message,
    ).toBe(
      'Het tewerkstellingspercentage van de werknemer (49 %) is te laag. ' +
        'Voor een opleiding die al gestart is in het schooljaar 2024-2025 geldt nog de regel van dat schooljaar: ' +
        'de werknemer moet minstens 50 % tewerkgesteld zijn in de referentiemaand maart 2025.',
    );
  });

  it('continuation also holds in later school years of that training (assumption)', () => {
    expect(eligibility({ schoolYearStart: 2026, twpPercent: 60, trainingStartedInSchoolYearStart: 2024 })).toBeNull();
  });

  it('no continuation for a training started in 2025-2026 itself, or for a start year after the request', () => {
    const same = eligibility({
      schoolYearStart: 2025,
      twpPercent: 60,
      weeklyHours: 30,
      trainingStartedInSchoolYearStart: 2025,
    });
    expect(same?.issues.map((i) => i.about)).toEqual(['twp']);
    expect(same?.message).toContain('Voor het schooljaar 2025-2026 moet de werknemer minstens 80 %');
    expect(
      about({ schoolYearStart: 2025, twpPercent: 60, weeklyHours: 30, trainingStartedInSchoolYearStart: 2026 }),
    ).toEqual(['twp']);
  });

  it('refuses school years before 2019-2020', () => {
    const r = eligibility({ schoolYearStart: 2018, twpPercent: 100 });
    expect(r?.issues.map((i) => i.about)).toEqual(['schoolYear']);
    expect(r?.message).toBe(
      'Voor het schooljaar 2018-2019 kunt u geen terugbetaling van Vlaams opleidingsverlof aanvragen. Dat kan vanaf het schooljaar 2019-2020.',
    );
  });

  it('follows changed rules data', () => {
    const changed: RulesData = {
      ...rules,
      eligibility: [
        ...rules.eligibility,
        { fromSchoolYear: 2027, minTwpPercent: 60, minWeeklyHours: null, continuesForStartedTrainings: false },
      ],
    };
    expect(eligibility({ schoolYearStart: 2027, twpPercent: 60 }, changed)).toBeNull();
    expect(eligibility({ schoolYearStart: 2027, twpPercent: 60 })).not.toBeNull();
  });

  it('describeEligibilityRule reads well with and without a reference month', () => {
    expect(describeEligibilityRule(rules.eligibility[0])).toBe('minstens 50 % tewerkgesteld zijn');
    expect(describeEligibilityRule(rules.eligibility[1], { year: 2025, month: 3, label: 'maart 2025' })).toBe(
      'minstens 80 % tewerkgesteld zijn in de referentiemaand maart 2025 en gemiddeld minstens 28 uur per week werken',
    );
  });
});

describe('personalMaximumHours', () => {
  it('is TWP × 125 h', () => {
    expect(personalMaximumHours({ twpPercent: 100, sharedInitiative: false }, rules)).toBe(125);
    expect(personalMaximumHours({ twpPercent: 80, sharedInitiative: false }, rules)).toBe(100);
    expect(personalMaximumHours({ twpPercent: 50, sharedInitiative: false }, rules)).toBe(62.5);
    expect(personalMaximumHours({ twpPercent: 76.92, sharedInitiative: false }, rules)).toBe(96.15); // not 96.15000000000001
  });

  it('doubles under the gemeenschappelijk initiatiefrecht (up to 250 h)', () => {
    expect(personalMaximumHours({ twpPercent: 80, sharedInitiative: true }, rules)).toBe(200);
    expect(personalMaximumHours({ twpPercent: 100, sharedInitiative: true }, rules)).toBe(250);
  });

  it('follows changed rules data', () => {
    const changed: RulesData = { ...rules, hours: { ...rules.hours, baseHoursPerFullTime: 100 } };
    expect(personalMaximumHours({ twpPercent: 80, sharedInitiative: false }, changed)).toBe(80);
  });
});

describe('trainingHours', () => {
  it('counts contact hours as given, 4 h per studiepunt, lestijden as hours, 8 h per exam, EVC as given', () => {
    expect(trainingHours({ type: 'odb', sizeKind: 'contacturen', amount: 40 }, rules)).toBe(40);
    expect(trainingHours({ type: 'odb', sizeKind: 'studiepunten', amount: 3 }, rules)).toBe(12);
    expect(trainingHours({ type: 'loopbaan', sizeKind: 'studiepunten', amount: 60 }, rules)).toBe(240);
    expect(trainingHours({ type: 'odb', sizeKind: 'studiepunten', amount: 1.5 }, rules)).toBe(6);
    expect(trainingHours({ type: 'loopbaan', sizeKind: 'lestijden', amount: 32 }, rules)).toBe(32);
    expect(trainingHours({ type: 'examencommissie', amount: 2 }, rules)).toBe(16);
    expect(trainingHours({ type: 'evc', amount: 10.5 }, rules)).toBe(10.5);
  });

  it('follows changed rules data', () => {
    const changed: RulesData = { ...rules, hours: { ...rules.hours, perStudiepunt: 5, perExam: 10 } };
    expect(trainingHours({ type: 'odb', sizeKind: 'studiepunten', amount: 3 }, changed)).toBe(15);
    expect(trainingHours({ type: 'examencommissie', amount: 2 }, changed)).toBe(20);
  });
});

describe('minimumSizeProblem', () => {
  it('ODB and loopbaan: 32 contacturen / 3 studiepunten / 32 lestijden are enough, one less is not', () => {
    for (const type of ['odb', 'loopbaan'] as const) {
      expect(minimumSizeProblem({ type, sizeKind: 'contacturen', amount: 32 }, rules)).toBeNull();
      expect(minimumSizeProblem({ type, sizeKind: 'contacturen', amount: 31.5 }, rules)).toMatch(
        /^De opleiding is te klein/,
      );
      expect(minimumSizeProblem({ type, sizeKind: 'studiepunten', amount: 3 }, rules)).toBeNull();
      expect(minimumSizeProblem({ type, sizeKind: 'studiepunten', amount: 2 }, rules)).toMatch(
        /^De opleiding is te klein/,
      );
      expect(minimumSizeProblem({ type, sizeKind: 'lestijden', amount: 32 }, rules)).toBeNull();
      expect(minimumSizeProblem({ type, sizeKind: 'lestijden', amount: 31 }, rules)).toMatch(
        /^De opleiding is te klein/,
      );
    }
  });

  it('says how big the training is and what the minimum is', () => {
    expect(minimumSizeProblem({ type: 'odb', sizeKind: 'contacturen', amount: 30 }, rules)).toBe(
      'De opleiding is te klein: ze telt 30 contacturen. ' +
        'Een ODB-opleiding of loopbaangerichte opleiding moet minstens 32 contacturen, 3 studiepunten of 32 lestijden omvatten.',
    );
    expect(minimumSizeProblem({ type: 'odb', sizeKind: 'studiepunten', amount: 1 }, rules)).toContain(
      'ze telt 1 studiepunt.',
    );
    expect(minimumSizeProblem({ type: 'odb', sizeKind: 'studiepunten', amount: 2.5 }, rules)).toContain(
      'ze telt 2,5 studiepunten.',
    );
  });

  it('does not apply to exams', () => {
    expect(minimumSizeProblem({ type: 'examencommissie', amount: 1 }, rules)).toBeNull();
    expect(minimumSizeProblem({ type: 'evc', amount: 1 }, rules)).toBeNull();
  });

  it('follows changed rules data', () => {
    const changed: RulesData = {
      ...rules,
      minimumSize: { ...rules.minimumSize, contacturen: 20 },
      minimumSizeAppliesTo: ['odb'],
    };
    expect(minimumSizeProblem({ type: 'odb', sizeKind: 'contacturen', amount: 20 }, changed)).toBeNull();
    expect(minimumSizeProblem({ type: 'loopbaan', sizeKind: 'contacturen', amount: 1 }, changed)).toBeNull();
  });
});

describe('checkSubmissionWindow', () => {
  const start = '2025-09-01';

  it('allows exactly 3 months before and 3 months after the start date, inclusive', () => {
    expect(checkSubmissionWindow({ startDate: start, submissionDate: '2025-06-01' }, rules)).toEqual({
      earliest: '2025-06-01',
      latest: '2025-12-01',
      latestBasis: 'startdatum',
      refusal: null,
    });
    expect(checkSubmissionWindow({ startDate: start, submissionDate: start }, rules).refusal).toBeNull();
    expect(checkSubmissionWindow({ startDate: start, submissionDate: '2025-12-01' }, rules).refusal).toBeNull();
  });

  it('refuses one day later, with the last allowed date', () => {
    const r = checkSubmissionWindow({ startDate: start, submissionDate: '2025-12-02' }, rules);
    expect(r.refusal?.tooEarly).toBe(false);
    expect(r.refusal?.message).toBe(
      'De aanvraag moest ten laatste op 01/12/2025 ingediend zijn (3 maanden na de startdatum van de opleiding).',
    );
  });

  it('refuses one day too early, with the first allowed date', () => {
    const r = checkSubmissionWindow({ startDate: start, submissionDate: '2025-05-31' }, rules);
    expect(r.refusal?.tooEarly).toBe(true);
    expect(r.refusal?.message).toBe(
      'U kunt deze aanvraag pas indienen vanaf 01/06/2025 (3 maanden vóór de startdatum van de opleiding).',
    );
  });

  it('clamps to the end of the month: start 30/11 → deadline 28/02', () => {
    const ok = checkSubmissionWindow({ startDate: '2025-11-30', submissionDate: '2026-02-28' }, rules);
    expect(ok.refusal).toBeNull();
    expect(ok.earliest).toBe('2025-08-30');
    expect(
      checkSubmissionWindow({ startDate: '2025-11-30', submissionDate: '2026-03-01' }, rules).refusal?.tooEarly,
    ).toBe(false);
    expect(checkSubmissionWindow({ startDate: '2025-05-31', submissionDate: '2025-02-28' }, rules).refusal).toBeNull();
    expect(
      checkSubmissionWindow({ startDate: '2025-05-31', submissionDate: '2025-02-27' }, rules).refusal?.tooEarly,
    ).toBe(true);
  });

  it('allows a request within 3 months after the employee started with a new employer', () => {
    const input = { startDate: '2025-01-10', newEmployerStartDate: '2025-09-15' };
    const ok = checkSubmissionWindow({ ...input, submissionDate: '2025-12-15' }, rules);
    expect(ok).toEqual({
      earliest: '2024-10-10',
      latest: '2025-12-15',
      latestBasis: 'nieuwe-werkgever',
      refusal: null,
    });
    const late = checkSubmissionWindow({ ...input, submissionDate: '2025-12-16' }, rules);
    expect(late.refusal?.message).toBe(
      'De aanvraag moest ten laatste op 15/12/2025 ingediend zijn (3 maanden na de start van de werknemer bij de nieuwe werkgever).',
    );
  });

  it('keeps the start-date deadline when it is later than the new-employer one', () => {
    const r = checkSubmissionWindow(
      { startDate: start, newEmployerStartDate: '2025-06-01', submissionDate: '2025-12-01' },
      rules,
    );
    expect(r).toMatchObject({ refusal: null, latest: '2025-12-01', latestBasis: 'startdatum' });
  });

  it('the new-employer exception does not move the earliest date (assumption)', () => {
    const r = checkSubmissionWindow(
      { startDate: '2026-03-01', newEmployerStartDate: '2025-09-01', submissionDate: '2025-10-01' },
      rules,
    );
    expect(r.refusal?.tooEarly).toBe(true);
  });

  it('throws on malformed dates', () => {
    expect(() => checkSubmissionWindow({ startDate: '01/09/2025', submissionDate: '2025-09-01' }, rules)).toThrow(
      RangeError,
    );
  });

  it('property: ok exactly on [start − 3 months, start + 3 months]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3650 }), fc.integer({ min: -200, max: 200 }), (startOffset, delta) => {
        const startDate = addDays('2019-09-01', startOffset);
        const submissionDate = addDays(startDate, delta);
        const r = checkSubmissionWindow({ startDate, submissionDate }, rules);
        const inside =
          compareIso(addMonths(startDate, -3), submissionDate) <= 0 &&
          compareIso(submissionDate, addMonths(startDate, 3)) <= 0;
        expect(r.refusal === null).toBe(inside);
        expect(checkSubmissionWindow({ startDate, submissionDate: r.latest }, rules).refusal).toBeNull();
        expect(
          checkSubmissionWindow({ startDate, submissionDate: addDays(r.latest, 1) }, rules).refusal,
        ).not.toBeNull();
        expect(checkSubmissionWindow({ startDate, submissionDate: r.earliest }, rules).refusal).toBeNull();
        expect(
          checkSubmissionWindow({ startDate, submissionDate: addDays(r.earliest, -1) }, rules).refusal,
        ).not.toBeNull();
      }),
    );
  });

  it('follows changed rules data, with singular wording', () => {
    const changed: RulesData = {
      ...rules,
      submissionWindow: { monthsBeforeStart: 1, monthsAfterStart: 1, monthsAfterNewEmployer: 1 },
    };
    const r = checkSubmissionWindow({ startDate: start, submissionDate: '2025-10-02' }, changed);
    expect(r.refusal?.message).toBe(
      'De aanvraag moest ten laatste op 01/10/2025 ingediend zijn (1 maand na de startdatum van de opleiding).',
    );
  });
});

describe('careerGuidanceAttestProblem (loopbaangerichte opleiding)', () => {
  it('may be exactly 6 years old at the training start, not one day more', () => {
    expect(careerGuidanceAttestProblem('2019-09-01', '2025-09-01', rules)).toBeNull();
    expect(careerGuidanceAttestProblem('2019-08-31', '2025-09-01', rules)).not.toBeNull();
    expect(careerGuidanceAttestProblem('2025-01-01', '2025-09-01', rules)).toBeNull();
    expect(careerGuidanceAttestProblem('2018-02-27', '2024-02-29', rules)).toContain('van 28/02/2018 of later');
  });

  it('explains the rule with the oldest accepted date', () => {
    expect(careerGuidanceAttestProblem('2019-08-31', '2025-09-01', rules)).toBe(
      'Het attest loopbaanbegeleiding mag bij de start van de opleiding niet ouder zijn dan 6 jaar. ' +
        'Voor een opleiding die start op 01/09/2025 moet het attest dateren van 01/09/2019 of later.',
    );
  });

  it('follows changed rules data', () => {
    expect(
      careerGuidanceAttestProblem('2019-09-01', '2025-09-01', { ...rules, careerGuidanceAttestMaxAgeYears: 5 }),
    ).not.toBeNull();
  });
});

describe('ODB numbers and gemeenschappelijk initiatiefrecht', () => {
  it('normalises ODB numbers (assumed numeric)', () => {
    expect(normaliseOdbNumber(' 12 345 ', rules)).toBe('12345');
    expect(normaliseOdbNumber('', rules)).toBeNull();
    expect(normaliseOdbNumber('   ', rules)).toBeNull();
    expect(normaliseOdbNumber('ABC-1', rules)).toBeNull();
    expect(normaliseOdbNumber('abc-1', { ...rules, odbNumberPattern: '^[A-Z0-9-]+$' })).toBe('ABC-1');
  });

  it('doubles with one training on each initiative and different ODB numbers', () => {
    expect(
      sharedInitiativeApplies([{ initiative: 'werkgever', odbNumber: '2' }], {
        initiative: 'werknemer',
        odbNumber: '1',
      }),
    ).toBe(true);
    expect(
      sharedInitiativeApplies([{ initiative: 'werknemer', odbNumber: '1' }], {
        initiative: 'werkgever',
        odbNumber: '2',
      }),
    ).toBe(true);
  });

  it('does not double for the same ODB number', () => {
    expect(
      sharedInitiativeApplies([{ initiative: 'werkgever', odbNumber: '1' }], {
        initiative: 'werknemer',
        odbNumber: '1',
      }),
    ).toBe(false);
  });

  it('does not double with only one initiative, alone, or without ODB numbers', () => {
    expect(sharedInitiativeApplies([], { initiative: 'werknemer', odbNumber: '1' })).toBe(false);
    expect(
      sharedInitiativeApplies([{ initiative: 'werknemer', odbNumber: '2' }], {
        initiative: 'werknemer',
        odbNumber: '1',
      }),
    ).toBe(false);
    expect(
      sharedInitiativeApplies([{ initiative: 'werkgever', odbNumber: '2' }], {
        initiative: 'werkgever',
        odbNumber: '1',
      }),
    ).toBe(false);
    expect(
      sharedInitiativeApplies([{ initiative: 'werkgever', odbNumber: null }], {
        initiative: 'werknemer',
        odbNumber: '1',
      }),
    ).toBe(false);
    expect(
      sharedInitiativeApplies([{ initiative: 'werkgever', odbNumber: null }], {
        initiative: 'werknemer',
        odbNumber: '1',
      }),
    ).toBe(false);
  });

  it('counts an existing pair for a further request too', () => {
    const existing = [
      { initiative: 'werknemer', odbNumber: '1' },
      { initiative: 'werkgever', odbNumber: '2' },
    ] as const;
    expect(sharedInitiativeApplies(existing, { initiative: 'werkgever', odbNumber: null })).toBe(true);
  });

  it('finds a pair among several, even when one combination shares a number', () => {
    const existing = [
      { initiative: 'werkgever', odbNumber: '1' },
      { initiative: 'werkgever', odbNumber: '3' },
    ] as const;
    expect(sharedInitiativeApplies(existing, { initiative: 'werknemer', odbNumber: '1' })).toBe(true);
  });
});

describe('indicativeAmount', () => {
  it('125 h × € 21,30 = € 2.662,50', () => {
    const r = indicativeAmount({
      trainingHours: 125,
      personalMaximumHours: 125,
      hoursAlreadyUsed: 0,
      forfaitCents: 2130,
    });
    expect(r).toEqual({ hours: 125, remainingHours: 125, cents: 266250 });
    expect(formatEuro(r.cents)).toBe('€ 2.662,50');
  });

  it('caps at the personal maximum remaining', () => {
    expect(
      indicativeAmount({ trainingHours: 240, personalMaximumHours: 125, hoursAlreadyUsed: 0, forfaitCents: 2130 })
        .hours,
    ).toBe(125);
    expect(
      indicativeAmount({ trainingHours: 40, personalMaximumHours: 125, hoursAlreadyUsed: 100, forfaitCents: 2130 }),
    ).toEqual({
      hours: 25,
      remainingHours: 25,
      cents: 53250,
    });
    expect(
      indicativeAmount({ trainingHours: 40, personalMaximumHours: 100, hoursAlreadyUsed: 120, forfaitCents: 1491 }),
    ).toEqual({
      hours: 0,
      remainingHours: 0,
      cents: 0,
    });
  });

  it('uses the training hours when they are fewer', () => {
    expect(
      indicativeAmount({ trainingHours: 32, personalMaximumHours: 100, hoursAlreadyUsed: 0, forfaitCents: 1491 }).cents,
    ).toBe(47712);
  });

  it('rounds to the nearest cent, halves up', () => {
    // 96.15 h × 2130 c = 204799.5 c → 204800 c
    expect(
      indicativeAmount({ trainingHours: 200, personalMaximumHours: 96.15, hoursAlreadyUsed: 0, forfaitCents: 2130 })
        .cents,
    ).toBe(204800);
    // 0.3 h × 1491 c = 447.3 c → 447 c
    expect(
      indicativeAmount({ trainingHours: 0.3, personalMaximumHours: 100, hoursAlreadyUsed: 0, forfaitCents: 1491 })
        .cents,
    ).toBe(447);
  });

  it('property: never more than the remaining maximum or the training, integer cents', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50_000 }),
        fc.integer({ min: 0, max: 25_000 }),
        fc.integer({ min: 0, max: 30_000 }),
        fc.constantFrom(2130, 1491),
        (training, maximum, used, forfaitCents) => {
          const [trainingHours, personalMaximumHours, hoursAlreadyUsed] = [training / 100, maximum / 100, used / 100];
          const r = indicativeAmount({ trainingHours, personalMaximumHours, hoursAlreadyUsed, forfaitCents });
          expect(Number.isInteger(r.cents)).toBe(true);
          expect(r.hours).toBeLessThanOrEqual(trainingHours);
          expect(r.hours).toBeLessThanOrEqual(Math.max(0, personalMaximumHours - hoursAlreadyUsed) + 1e-9);
          // exact integer arithmetic: hundredths of an hour × cents, rounded half up from hundredths
          const hundredths = Math.min(training, Math.max(0, maximum - used));
          expect(r.cents).toBe(Math.floor((hundredths * forfaitCents + 50) / 100));
        },
      ),
    );
  });
});

describe('a whole request, end to end', () => {
  it('2025-2026, TWP 80 %, 40 studiepunten: 160 h capped at 100 h × € 14,91 = € 1.491,00', () => {
    const schoolYearStart = 2025;
    expect(eligibility({ schoolYearStart, twpPercent: 80, weeklyHours: 30.4 })).toBeNull();
    const training = { type: 'odb', sizeKind: 'studiepunten', amount: 40 } as const;
    expect(minimumSizeProblem(training, rules)).toBeNull();
    const max = personalMaximumHours({ twpPercent: 80, sharedInitiative: false }, rules);
    const forfaitCents = forfaitCentsFor(schoolYearStart, rules) ?? 0;
    const r = indicativeAmount({
      trainingHours: trainingHours(training, rules),
      personalMaximumHours: max,
      hoursAlreadyUsed: 0,
      forfaitCents,
    });
    expect(r.hours).toBe(100);
    expect(formatEuro(r.cents)).toBe('€ 1.491,00');
  });

  it('2024-2025, full time, 125 h: € 2.662,50', () => {
    const max = personalMaximumHours({ twpPercent: 100, sharedInitiative: false }, rules);
    const hours = trainingHours({ type: 'odb', sizeKind: 'contacturen', amount: 125 }, rules);
    const r = indicativeAmount({
      trainingHours: hours,
      personalMaximumHours: max,
      hoursAlreadyUsed: 0,
      forfaitCents: forfaitCentsFor(2024, rules) ?? 0,
    });
    expect(formatEuro(r.cents)).toBe('€ 2.662,50');
  });
});
