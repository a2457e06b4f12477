import { describe, it, expect } from 'vitest';
import * as domain from '../../src/domain/index.js';

describe('src/domain/index.ts', () => {
  it('re-exports the API of every module', () => {
    const expected = [
      'normaliseKbo',
      'isValidKbo',
      'formatKbo',
      'normaliseEstablishmentUnit',
      'isValidEstablishmentUnit',
      'formatEstablishmentUnit',
      'normaliseInsz',
      'isValidInsz',
      'formatInsz',
      'maskInsz',
      'birthDateFromInsz',
      'parseInsz',
      'normaliseIban',
      'isValidBelgianIban',
      'formatIban',
      'normaliseBic',
      'isValidBic',
      'parseDateNl',
      'formatDateNl',
      'addMonths',
      'addDays',
      'compareIso',
      'todayInBrussels',
      'formatDateTimeNl',
      'schoolYearOf',
      'referenceMonthFor',
      'defaultRules',
      'formatEuro',
      'parseDecimalNl',
      'forfaitCentsFor',
      'checkEligibility',
      'personalMaximumHours',
      'trainingHours',
      'checkMinimumSize',
      'checkSubmissionWindow',
      'careerGuidanceAttestValid',
      'sharedInitiativeApplies',
      'indicativeAmount',
      'trainingTypeLabels',
      'sizeKindLabels',
      'initiativeLabels',
    ];
    for (const name of expected) expect(domain, name).toHaveProperty(name);
  });
});
