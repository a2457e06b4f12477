import { compareIso, type IsoDate } from '../../domain/dates.js';
import type { RulesData } from '../../domain/rules-data.js';
import { normaliseKbo } from '../../domain/kbo.js';
import {
  careerGuidanceAttestProblem,
  checkSubmissionWindow,
  eligibilityRefusal,
  forfaitCentsFor,
  minimumSizeProblem,
  normaliseOdbNumber,
  trainingHours,
  type TrainingSize,
} from '../../domain/refund-rules.js';
import { schoolYearLabel, schoolYearOf } from '../../domain/school-year.js';
import { SIZE_KINDS, TRAINING_TYPES, type TrainingType } from '../../domain/training.js';
import type { DraftContext } from '../steps.js';
import { trainingKey } from '../training-key.js';
import { FieldReader, type StepResult } from './fields.js';
import type { WerknemerData } from './werknemer.js';
import { FORM_WORDING } from './wording.js';

/**
 * Step 3 Opleiding: the training, its size and dates. The rules that hang on the start date (the submission
 * window, the employee's eligibility, the forfait) are told at the start date, where the user can act on them.
 */

export const OPLEIDING_FIELDS = [
  'trainingType',
  'odbNumber',
  'trainingName',
  'providerName',
  'providerNumber',
  'startDate',
  'endDate',
  'examDate',
  'originalStartDate',
  'sizeKind',
  'sizeAmount',
  'examCount',
  'evcHours',
  'careerGuidanceAttestDate',
] as const;

type Field = (typeof OPLEIDING_FIELDS)[number];

export interface OpleidingData {
  type: TrainingType;
  odbNumber: string | null;
  name: string;
  providerName: string;
  /** KBO number (10 digits) or the institution number as typed. */
  providerNumber: string;
  startDate: IsoDate;
  endDate: IsoDate;
  examDate: IsoDate | null;
  /** For a training that started in an earlier school year: it may continue under that year's rule. */
  originalStartDate: IsoDate | null;
  size: TrainingSize;
  careerGuidanceAttestDate: IsoDate | null;
  schoolYearStart: number;
  trainingHours: number;
  forfaitCents: number;
  trainingKey: string;
}

/** A valid KBO number (normalised), or an institution number of letters, digits and separators. */
export function normaliseProviderNumber(input: string): string | null {
  const v = input.trim();
  const kbo = normaliseKbo(v);
  if (kbo) return kbo;
  const digits = v.replace(/^BE/i, '').replace(/[\s.-]/g, '');
  if (/^[01]\d{9}$/.test(digits)) return null; // looks like a KBO number with a typing error
  return /^[\p{L}\p{N}][\p{L}\p{N} ./-]{0,29}$/u.test(v) ? v : null;
}

/** The field that holds the size of a training of this type. */
export function sizeField(type: TrainingType): 'sizeAmount' | 'examCount' | 'evcHours' {
  return type === 'examencommissie' ? 'examCount' : type === 'evc' ? 'evcHours' : 'sizeAmount';
}

/** The size in the field(s) of the training's type, with the minimum an ODB or loopbaangerichte training needs. */
function readSize(f: FieldReader<Field>, type: TrainingType | undefined, rules: RulesData): TrainingSize | undefined {
  if (type === 'examencommissie') {
    const amount = f.decimal('examCount', 'het aantal examens', { min: 1, max: 50, integer: true });
    return amount === undefined ? undefined : { type, amount };
  }
  if (type === 'evc') {
    const amount = f.decimal('evcHours', 'het aantal uren van het EVC-examen', {
      min: 0,
      max: 500,
      minExclusive: true,
    });
    return amount === undefined ? undefined : { type, amount };
  }
  if (type === undefined) return undefined;
  const sizeKind = f.choice(
    'sizeKind',
    SIZE_KINDS,
    'Kies hoe de omvang van de opleiding is uitgedrukt: in contacturen, studiepunten of lestijden.',
  );
  const amount = f.decimal('sizeAmount', 'de omvang van de opleiding', { min: 0, max: 10_000, minExclusive: true });
  if (sizeKind === undefined || amount === undefined) return undefined;
  const size = { type, sizeKind, amount };
  const tooSmall = minimumSizeProblem(size, rules);
  return tooSmall ? f.issue('sizeAmount', tooSmall) : size;
}

export function judgeOpleiding(
  input: Record<Field, string>,
  ctx: Pick<DraftContext, 'today' | 'priorDossiers' | 'rules' | 'wording'>,
  { werknemer }: { werknemer: WerknemerData },
): StepResult<OpleidingData> {
  const { rules } = ctx;
  const wording = { ...FORM_WORDING, ...ctx.wording };
  const f = new FieldReader(input);
  const type = f.choice('trainingType', TRAINING_TYPES, 'Kies het soort opleiding.');
  const exam = type === 'examencommissie' || type === 'evc';

  const odbInvalid = 'Vul het ODB-nummer in zoals het in de opleidingsdatabank staat: alleen cijfers.';
  const normaliseOdb = (v: string) => normaliseOdbNumber(v, rules);
  const odbNumber =
    type === 'odb'
      ? f.identifier('odbNumber', normaliseOdb, {
          required: 'Vul het ODB-nummer van de opleiding in. U vindt het bij de opleiding in de opleidingsdatabank.',
          invalid: odbInvalid,
        })
      : type === 'loopbaan'
        ? f.optionalIdentifier('odbNumber', normaliseOdb, odbInvalid)
        : null;
  const name = f.text('trainingName', exam ? 'Vul de naam van het examen in.' : 'Vul de naam van de opleiding in.');
  const providerName = f.text(
    'providerName',
    exam ? 'Vul de naam van de examencommissie of het testcentrum in.' : 'Vul de naam van de opleidingsverstrekker in.',
  );
  const providerNumber = f.identifier('providerNumber', normaliseProviderNumber, {
    required: 'Vul het KBO-nummer of het instellingsnummer van de opleidingsverstrekker in.',
    invalid:
      'Dit nummer klopt niet. Vul het KBO-nummer in (10 cijfers, bijvoorbeeld 0403.170.701) of het instellingsnummer, en controleer de cijfers.',
  });

  const startDate = f.date('startDate', exam ? 'de datum van het (eerste) examen' : 'de startdatum');
  const endDate = f.date('endDate', exam ? 'de datum van het laatste examen' : 'de einddatum');
  if (startDate && endDate && compareIso(endDate, startDate) < 0)
    f.issue('endDate', 'De einddatum moet op of na de startdatum liggen.');
  const examDate = exam ? null : f.optionalDate('examDate', 'de examendatum');
  if (startDate && examDate && compareIso(examDate, startDate) < 0)
    f.issue('examDate', 'De examendatum moet na de startdatum liggen. Laat het veld leeg als er geen apart examen is.');
  const originalStartDate = f.optionalDate('originalStartDate', 'de oorspronkelijke startdatum');
  if (startDate && originalStartDate && schoolYearOf(originalStartDate).start >= schoolYearOf(startDate).start) {
    f.issue(
      'originalStartDate',
      'De oorspronkelijke startdatum moet in een vorig schooljaar liggen. Laat het veld leeg als de opleiding in dit schooljaar begint.',
    );
  }

  const size = readSize(f, type, rules);
  const careerGuidanceAttestDate =
    type === 'loopbaan' ? f.date('careerGuidanceAttestDate', 'de datum van het attest loopbaanbegeleiding') : null;
  const tooOld =
    careerGuidanceAttestDate && startDate && careerGuidanceAttestProblem(careerGuidanceAttestDate, startDate, rules);
  if (tooOld) f.issue('careerGuidanceAttestDate', tooOld);

  let schoolYearStart: number | undefined;
  let forfaitCents: number | undefined;
  if (startDate) {
    schoolYearStart = schoolYearOf(startDate).start;
    const window = checkSubmissionWindow(
      { startDate, submissionDate: ctx.today, newEmployerStartDate: werknemer.employmentStartDate },
      rules,
    );
    if (window.refusal) {
      const advice = window.refusal.tooEarly
        ? wording.tooEarlyAdvice
        : window.latestBasis === 'startdatum'
          ? wording.tooLateAdvice
          : ' Een aanvraag na die datum is niet meer mogelijk.';
      f.issue('startDate', `${window.refusal.message}${advice}`);
    }
    const refusal = eligibilityRefusal(
      {
        schoolYearStart,
        twpPercent: werknemer.twpPercent,
        weeklyHours: werknemer.weeklyHours,
        trainingStartedInSchoolYearStart:
          originalStartDate && !f.failed('originalStartDate') ? schoolYearOf(originalStartDate).start : null,
      },
      rules,
    );
    if (refusal && wording.eligibilityAt === 'employeeField') {
      for (const issue of refusal.issues)
        f.issue(issue.about === 'schoolYear' ? 'startDate' : issue.about, issue.message);
    } else if (refusal) f.issue('startDate', `${refusal.message}${wording.eligibilityAdvice}`);
    forfaitCents =
      forfaitCentsFor(schoolYearStart, rules) ??
      f.issue(
        'startDate',
        `Voor het schooljaar ${schoolYearLabel(schoolYearStart)} is er geen bedrag per uur vastgelegd.`,
      );
  }

  const checked = f.result({
    type,
    odbNumber,
    name,
    providerName,
    providerNumber,
    startDate,
    endDate,
    examDate,
    originalStartDate,
    size,
    careerGuidanceAttestDate,
    schoolYearStart,
    forfaitCents,
  });
  if (!checked.ok) return checked;
  const data = checked.data;
  const key = trainingKey(data);
  const duplicate = ctx.priorDossiers.find((d) => d.trainingKey === key && d.schoolYearStart === data.schoolYearStart);
  if (duplicate) {
    f.issue(
      data.type === 'odb' ? 'odbNumber' : 'trainingName',
      `Voor deze werknemer is er al een aanvraag voor deze opleiding in het schooljaar ${schoolYearLabel(data.schoolYearStart)} (dossier ${duplicate.dossiernummer}). ` +
        'Per werknemer, opleiding en schooljaar kunt u maar één aanvraag indienen.',
    );
    return { ok: false, errors: f.errors };
  }
  return { ok: true, data: { ...data, trainingHours: trainingHours(data.size, rules), trainingKey: key } };
}
