import {
  checkSubmissionWindow,
  describeEligibilityRule,
  forfaitCentsFor,
  indicativeAmount,
  personalMaximumHours,
} from '../domain/refund-rules.js';
import { formatDateNl, todayInBrussels } from '../domain/dates.js';
import { formatDecimalNl, formatEuro } from '../domain/money.js';
import type { RulesData } from '../domain/rules-data.js';
import {
  monthNameNl,
  referenceMonthFor,
  schoolYearLabel,
  schoolYearOf,
  SCHOOL_YEAR_START_MONTH,
} from '../domain/school-year.js';
import { trainingTypeLabels } from '../domain/training.js';

/*
 * Every number the help pages show about the refund is computed here from the rules data the form uses
 * (the forfait table, thresholds, deadlines), never typed into a template: a change of the rules data changes
 * the FAQ with it. Wording is Dutch because it is shown as-is.
 */

/** 'a, b of c' */
export function listNl(items: readonly string[], last = 'of'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

/** 'Loopbaangerichte opleiding' → 'loopbaangerichte opleiding'; acronyms ('EVC-examen', 'ODB-…') stay. */
const lowerFirst = (s: string): string => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);
const hours = (n: number): string => `${formatDecimalNl(n)} uur`;
const months = (n: number): string => `${formatDecimalNl(n)} ${n === 1 ? 'maand' : 'maanden'}`;

/** The school years an entry of a `fromSchoolYear` step table covers, in words. */
function schoolYearRange(from: number, nextFrom: number | undefined, first: number): string {
  const start = Math.max(from, first);
  if (nextFrom === undefined) return `vanaf ${schoolYearLabel(start)}`;
  if (nextFrom - 1 <= start) return schoolYearLabel(start);
  return `${schoolYearLabel(start)} tot en met ${schoolYearLabel(nextFrom - 1)}`;
}

function stepRows<T extends { readonly fromSchoolYear: number }>(entries: readonly T[], rules: RulesData) {
  const sorted = [...entries].sort((a, b) => a.fromSchoolYear - b.fromSchoolYear);
  return sorted.map((entry, i) => ({
    entry,
    next: sorted[i + 1],
    schoolYears: schoolYearRange(entry.fromSchoolYear, sorted[i + 1]?.fromSchoolYear, rules.firstSchoolYear),
  }));
}

export interface FaqFacts {
  currentSchoolYear: string;
  forfaits: { schoolYears: string; perHour: string; fullTimeMaximum: string }[];
  amountExample: { schoolYear: string; hours: string; perHour: string; total: string } | null;
  eligibility: { schoolYears: string; condition: string; continues: string | null }[];
  referenceMonths: { schoolYears: string; month: string }[];
  currentReferenceMonth: string | null;
  hours: {
    base: string;
    doubled: string;
    multiplier: string;
    perStudiepunt: string;
    perLestijd: string;
    perExam: string;
  };
  maximumExample: { twp: string; hours: string; doubled: string };
  minimumSize: { contacturen: string; studiepunten: string; lestijden: string; appliesTo: string };
  window: {
    before: string;
    after: string;
    afterNewEmployer: string;
    exampleStart: string;
    exampleEarliest: string;
    exampleLatest: string;
  };
  careerGuidanceAttestYears: string;
  trainingTypes: string[];
  trainingTypeList: string;
  firstSchoolYear: string;
}

/** The facts of the refund in words, for the FAQ and the help page; `now` picks the examples' school year. */
export function faqFacts(rules: RulesData, now: Date): FaqFacts {
  const today = todayInBrussels(now);
  const current = Math.max(schoolYearOf(today).start, rules.firstSchoolYear);
  const base = rules.hours.baseHoursPerFullTime;
  const multiplier = rules.hours.sharedInitiativeMultiplier;

  const forfaits = stepRows(rules.forfaits, rules).map(({ entry, schoolYears }) => ({
    schoolYears,
    perHour: formatEuro(entry.centsPerHour),
    fullTimeMaximum: formatEuro(
      indicativeAmount({
        trainingHours: base,
        personalMaximumHours: base,
        hoursAlreadyUsed: 0,
        forfaitCents: entry.centsPerHour,
      }).cents,
    ),
  }));
  const currentForfait = forfaitCentsFor(current, rules);
  const amountExample =
    currentForfait === null
      ? null
      : {
          schoolYear: schoolYearLabel(current),
          hours: hours(base),
          perHour: formatEuro(currentForfait),
          total: formatEuro(
            indicativeAmount({
              trainingHours: base,
              personalMaximumHours: base,
              hoursAlreadyUsed: 0,
              forfaitCents: currentForfait,
            }).cents,
          ),
        };

  const eligibility = stepRows(rules.eligibility, rules).map(({ entry, next, schoolYears }) => ({
    schoolYears,
    condition: describeEligibilityRule(entry),
    continues:
      next && entry.continuesForStartedTrainings
        ? `Begon de opleiding al vóór het schooljaar ${schoolYearLabel(next.fromSchoolYear)}? Dan blijft voor die opleiding deze regel gelden, ook in de schooljaren daarna.`
        : null,
  }));

  const referenceMonths = stepRows(rules.referenceMonths, rules).map(({ entry, schoolYears }) => ({
    schoolYears,
    month: `${monthNameNl(entry.month)} ${entry.month >= SCHOOL_YEAR_START_MONTH ? 'van het schooljaar zelf' : 'vóór het schooljaar'}`,
  }));
  const currentRef = referenceMonthFor(current, rules);

  const exampleTwp = 80;
  const exampleStart = `${current}-10-15`;
  const window = checkSubmissionWindow({ startDate: exampleStart, submissionDate: exampleStart }, rules);
  const w = rules.submissionWindow;
  const types = Object.values(trainingTypeLabels);

  return {
    currentSchoolYear: schoolYearLabel(current),
    forfaits,
    amountExample,
    eligibility,
    referenceMonths,
    currentReferenceMonth: currentRef
      ? `Voor het schooljaar ${schoolYearLabel(current)} is de referentiemaand ${currentRef.label}.`
      : null,
    hours: {
      base: hours(base),
      doubled: hours(base * multiplier),
      multiplier: formatDecimalNl(multiplier),
      perStudiepunt: hours(rules.hours.perStudiepunt),
      perLestijd: hours(rules.hours.perLestijd),
      perExam: hours(rules.hours.perExam),
    },
    maximumExample: {
      twp: `${formatDecimalNl(exampleTwp)} %`,
      hours: hours(personalMaximumHours({ twpPercent: exampleTwp, sharedInitiative: false }, rules)),
      doubled: hours(personalMaximumHours({ twpPercent: exampleTwp, sharedInitiative: true }, rules)),
    },
    minimumSize: {
      contacturen: formatDecimalNl(rules.minimumSize.contacturen),
      studiepunten: formatDecimalNl(rules.minimumSize.studiepunten),
      lestijden: formatDecimalNl(rules.minimumSize.lestijden),
      appliesTo: listNl(
        rules.minimumSizeAppliesTo.map((t) => `een ${lowerFirst(trainingTypeLabels[t])}`),
        'en',
      ),
    },
    window: {
      before: months(w.monthsBeforeStart),
      after: months(w.monthsAfterStart),
      afterNewEmployer: months(w.monthsAfterNewEmployer),
      exampleStart: formatDateNl(exampleStart),
      exampleEarliest: formatDateNl(window.earliest),
      exampleLatest: formatDateNl(window.latest),
    },
    careerGuidanceAttestYears: `${formatDecimalNl(rules.careerGuidanceAttestMaxAgeYears)} jaar`,
    trainingTypes: types,
    trainingTypeList: listNl(types.map(lowerFirst)),
    firstSchoolYear: schoolYearLabel(rules.firstSchoolYear),
  };
}
