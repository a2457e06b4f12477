import { formatDecimalNl } from '../../domain/money.js';
import { indicativeAmount, personalMaximumHours, sharedInitiativeApplies } from '../../domain/refund-rules.js';
import { schoolYearLabel } from '../../domain/school-year.js';
import { INITIATIVES, type Initiative } from '../../domain/training.js';
import type { DraftContext } from '../steps.js';
import { FieldReader, type StepResult } from './fields.js';
import type { OpleidingData } from './opleiding.js';
import type { WerknemerData } from './werknemer.js';
import { FORM_WORDING } from './wording.js';

/** Step 4 Initiatief en akkoord: who took the initiative, the employee's agreement, and the hours it gives. */

export const INITIATIEF_FIELDS = ['initiative', 'employeeAgreement'] as const;

type Input = Record<(typeof INITIATIEF_FIELDS)[number], string>;

/** The hours and the indicative amount of a request, as shown on the overview and the receipt. */
export interface Calculation {
  schoolYearStart: number;
  trainingHours: number;
  sharedInitiative: boolean;
  personalMaximumHours: number;
  hoursAlreadyUsed: number;
  remainingHours: number;
  /** Hours this request counts for: min(training hours, remaining personal maximum). */
  vovHours: number;
  forfaitCents: number;
  amountCents: number;
}

export interface InitiatiefData {
  initiative: Initiative;
  employeeAgreement: true;
  calculation: Calculation;
}

/**
 * The personal maximum of the school year (doubled under the shared initiative right, judged from this
 * employee's other dossiers of that school year), what is left of it, and the indicative amount.
 */
function calculate(
  initiative: Initiative,
  ctx: Pick<DraftContext, 'priorDossiers' | 'rules'>,
  { werknemer, opleiding }: { werknemer: WerknemerData; opleiding: OpleidingData },
): Calculation {
  const sameYear = ctx.priorDossiers.filter((d) => d.schoolYearStart === opleiding.schoolYearStart);
  const sharedInitiative = sharedInitiativeApplies(sameYear, { initiative, odbNumber: opleiding.odbNumber });
  const maximum = personalMaximumHours({ twpPercent: werknemer.twpPercent, sharedInitiative }, ctx.rules);
  const hoursAlreadyUsed = sameYear.reduce((sum, d) => sum + d.vovHours, 0);
  const amount = indicativeAmount({
    trainingHours: opleiding.trainingHours,
    personalMaximumHours: maximum,
    hoursAlreadyUsed,
    forfaitCents: opleiding.forfaitCents,
  });
  return {
    schoolYearStart: opleiding.schoolYearStart,
    trainingHours: opleiding.trainingHours,
    sharedInitiative,
    personalMaximumHours: maximum,
    hoursAlreadyUsed,
    remainingHours: amount.remainingHours,
    vovHours: amount.hours,
    forfaitCents: opleiding.forfaitCents,
    amountCents: amount.cents,
  };
}

function readAnswers(f: FieldReader<keyof Input>, ctx: Pick<DraftContext, 'wording'>): Initiative | undefined {
  const initiative = f.choice(
    'initiative',
    INITIATIVES,
    'Kies wie het initiatief voor de opleiding nam: de werknemer of de werkgever.',
  );
  if (f.value('employeeAgreement') !== 'ja')
    f.issue('employeeAgreement', ctx.wording?.agreementRequired ?? FORM_WORDING.agreementRequired);
  return initiative;
}

/** Step 4's answers judged on their own: a CSV row tells their problems also when its training has problems. */
export function judgeInitiatiefAnswers(input: Input, ctx: Pick<DraftContext, 'wording'>) {
  const f = new FieldReader(input);
  return f.result({ initiative: readAnswers(f, ctx) });
}

export function judgeInitiatief(
  input: Input,
  ctx: Pick<DraftContext, 'priorDossiers' | 'rules' | 'wording'>,
  before: { werknemer: WerknemerData; opleiding: OpleidingData },
): StepResult<InitiatiefData> {
  const f = new FieldReader(input);
  const initiative = readAnswers(f, ctx);
  if (!initiative) return { ok: false, errors: f.errors };
  const calculation = calculate(initiative, ctx, before);
  if (calculation.remainingHours <= 0) {
    f.issue(
      'initiative',
      `De werknemer heeft in het schooljaar ${schoolYearLabel(calculation.schoolYearStart)} het persoonlijk maximum van ` +
        `${formatDecimalNl(calculation.personalMaximumHours)} uur al opgebruikt in andere aanvragen. Voor deze opleiding kunt u geen uren meer aanvragen.`,
    );
  }
  return f.result({ initiative, employeeAgreement: true as const, calculation });
}
