import { formatDateNl, type IsoDate } from '../domain/dates.js';
import { pickFields } from '../http/form-body.js';
import type { FormError } from '../http/form-errors.js';
import { maskInsz, normaliseInsz } from '../domain/insz.js';
import { normaliseEstablishmentUnit } from '../domain/kbo.js';
import type { RulesData } from '../domain/rules-data.js';
import { schoolYearLabel } from '../domain/school-year.js';
import type { PriorDossier, StepInputs } from '../refund/repository.js';
import { INITIATIEF_FIELDS, judgeInitiatiefAnswers } from '../refund/steps/initiatief.js';
import { OTHER_UNIT, type UnitOption } from '../refund/steps/werkgever.js';
import type { Wording } from '../refund/steps/wording.js';
import { evaluateEachStep, STEPS, type DraftContext, type Evaluation, type StepOutputs } from '../refund/steps.js';
import { choiceValue, listOfChoices } from './choices.js';
import { COLUMN_BY_KEY, COLUMNS, type ColumnKey } from './columns.js';
import type { ParsedRow } from './parser.js';

/**
 * Validates the rows of an upload with the form's own step table, schemas and rules (src/refund/steps.ts and steps/),
 * row after row in file order, as if each row were submitted with the form right after the rows above it:
 * the rows already accepted count as existing requests of the employee, so the personal maximum is shared
 * with them and a second row for the same employee, training and school year is a duplicate. Pure: the
 * caller loads the organisation's units and existing dossiers (in one query each) and passes the clock.
 */

export interface RowError {
  /** The column of the problem; null for a problem with the row as a whole. */
  column: ColumnKey | null;
  message: string;
}

/** What the preview shows of a row (typed values; computed ones when the row is valid). */
export interface RowSummary {
  employee: string;
  inszMasked: string | null;
  training: string;
  startDate: string;
  schoolYear: string | null;
  vovHours: number | null;
  /** The training's own hours, when more than vovHours (capped at what is left of the personal maximum). */
  trainingHoursWhenCapped?: number | null;
  amountCents: number | null;
}

export interface RowResult {
  line: number;
  valid: boolean;
  errors: RowError[];
  summary: RowSummary;
  /** The form's step inputs made from the row (a draft holds these once the row is filed). */
  inputs: StepInputs;
  /** The typed output of every step, for a valid row. */
  outputs: StepOutputs;
}

export interface ValidationContext {
  today: IsoDate;
  units: readonly UnitOption[];
  /** The organisation's counting dossiers per employee (INSZ), from the database. */
  priorDossiers: ReadonlyMap<string, readonly PriorDossier[]>;
  rules: RulesData;
}

/** The form's advice, said for a file. */
export const BULK_WORDING: Wording = {
  tooEarlyAdvice: ' Dien deze aanvraag in vanaf die datum, in een nieuw bestand of met het formulier.',
  tooLateAdvice:
    ' Een aanvraag na die datum is niet meer mogelijk, tenzij de werknemer tijdens het schooljaar bij u in dienst kwam: ' +
    'vul dan ja in de kolom "Nieuw in dienst" en de datum in de kolom "Datum in dienst". De termijn telt dan ook vanaf die datum.',
  eligibilityAdvice: '',
  // Each problem at the column it is about: "Tewerkstellingspercentage" or "Arbeidsuren per week".
  eligibilityAt: 'employeeField',
  agreementRequired:
    'Vul ja in als de werknemer akkoord gaat met de aanvraag. Zonder dat akkoord kunt u niet aanvragen.',
};

export const ATTEST_IN_FILE_MESSAGE =
  'Voor een loopbaangerichte opleiding is het attest van loopbaanbegeleiding verplicht, en een bijlage kan niet mee in een CSV-bestand. ' +
  'Dien deze aanvraag in met het formulier (Aanvragen), of kies een ander soort opleiding als u zich vergiste.';

/** Every step but the declaration, which is given once for the whole file on the confirmation page. */
const ROW_STEPS = STEPS.filter((s) => s.id !== 'overzicht');

/** The form field of a schema issue → the column it is reported at. */
const FIELD_COLUMN: Record<string, ColumnKey> = { unitChoice: 'unitNumber', loopbaanattest: 'trainingType' };

/** Rows accepted earlier in the file are "dossiers" named by this marker, turned into words afterwards. */
const lineMarker = (line: number) => `@@regel-${line}@@`;

function wordLineMarkers(message: string): string {
  return message
    .replace(/\(dossier @@regel-(\d+)@@\)/g, '(regel $1 van dit bestand)')
    .replace(/@@regel-(\d+)@@/g, 'regel $1 van dit bestand');
}

function choiceCell(key: ColumnKey, typed: string): string {
  return choiceValue(typed, COLUMN_BY_KEY.get(key)!.choices!);
}

/** The form's step inputs for a row: the same field names; a unit of the organisation becomes its radio choice. */
export function stepInputsOf(cells: Record<ColumnKey, string>, units: readonly UnitOption[]): StepInputs {
  const unitNumber = normaliseEstablishmentUnit(cells.unitNumber.trim());
  const listed = unitNumber ? units.find((u) => u.number === unitNumber) : undefined;
  const newEmployeeTyped = cells.newEmployee.trim();
  return {
    werkgever: {
      unitChoice: listed ? String(listed.id) : OTHER_UNIT,
      unitNumber: cells.unitNumber,
      unitName: cells.unitName,
      unitStreet: cells.unitStreet,
      unitPostcode: cells.unitPostcode,
      unitCity: cells.unitCity,
      contactName: cells.contactName,
      contactPhone: cells.contactPhone,
      contactEmail: cells.contactEmail,
      iban: cells.iban,
      bic: cells.bic,
    },
    werknemer: {
      insz: cells.insz,
      firstName: cells.firstName,
      lastName: cells.lastName,
      email: cells.email,
      // A spreadsheet's percentage format writes "80%".
      twp: cells.twp.trim().replace(/\s*%$/, ''),
      weeklyHours: cells.weeklyHours,
      schedule: choiceCell('schedule', cells.schedule),
      newEmployee:
        newEmployeeTyped === ''
          ? cells.employmentStartDate.trim() === ''
            ? 'nee'
            : 'ja'
          : choiceCell('newEmployee', newEmployeeTyped),
      employmentStartDate: cells.employmentStartDate,
    },
    opleiding: {
      trainingType: choiceCell('trainingType', cells.trainingType),
      odbNumber: cells.odbNumber,
      trainingName: cells.trainingName,
      providerName: cells.providerName,
      providerNumber: cells.providerNumber,
      startDate: cells.startDate,
      endDate: cells.endDate,
      examDate: cells.examDate,
      originalStartDate: cells.originalStartDate,
      sizeKind: choiceCell('sizeKind', cells.sizeKind),
      sizeAmount: cells.sizeAmount,
      examCount: cells.examCount,
      evcHours: cells.evcHours,
      careerGuidanceAttestDate: cells.careerGuidanceAttestDate,
    },
    initiatief: {
      initiative: choiceCell('initiative', cells.initiative),
      employeeAgreement: choiceCell('employeeAgreement', cells.employeeAgreement),
    },
    bijlagen: {},
  };
}

/** Typed text as the preview quotes it: a cell of a hostile file can hold megabytes. */
function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function summaryOf(cells: Record<ColumnKey, string>, outputs: StepOutputs): RowSummary {
  const insz = normaliseInsz(cells.insz.trim());
  const calculation = outputs.initiatief?.calculation;
  return {
    employee: shorten(`${cells.firstName.trim()} ${cells.lastName.trim()}`.trim(), 200),
    inszMasked: insz ? maskInsz(insz) : null,
    training: shorten(cells.trainingName.trim(), 200),
    startDate: shorten(cells.startDate.trim(), 20),
    schoolYear: outputs.opleiding ? schoolYearLabel(outputs.opleiding.schoolYearStart) : null,
    vovHours: calculation?.vovHours ?? null,
    trainingHoursWhenCapped:
      calculation && calculation.vovHours < calculation.trainingHours ? calculation.trainingHours : null,
    amountCents: calculation?.amountCents ?? null,
  };
}

/** The errors of one evaluated row, by column, in the order of the columns. */
function rowErrors(row: ParsedRow, inputs: StepInputs, evaluation: ReturnType<typeof evaluateEachStep>): RowError[] {
  const errors: RowError[] = [];
  if (row.rowProblem) errors.push({ column: null, message: row.rowProblem });
  const seen = new Set<string>();
  for (const state of evaluation.states) {
    for (const e of state.errors) {
      const field = e.href.replace(/^#/, '');
      const column = FIELD_COLUMN[field] ?? (COLUMN_BY_KEY.has(field as ColumnKey) ? (field as ColumnKey) : null);
      let message = field === 'loopbaanattest' ? ATTEST_IN_FILE_MESSAGE : wordLineMarkers(e.text);
      const choices = column ? COLUMN_BY_KEY.get(column)!.choices : undefined;
      if (column && choices && field === column && field !== 'employeeAgreement') {
        // The form's "Kies …" speaks of radio buttons; a cell gets the values it may hold (the agreement's
        // message is worded for a file through BULK_WORDING already).
        const typed = (inputs[state.step.id] ?? {})[field] ?? '';
        if (!choices.includes(typed))
          message =
            typed.trim() === ''
              ? `Vul ${listOfChoices(choices)} in.`
              : `"${shorten(typed.trim(), 40)}" kennen we niet. Vul ${listOfChoices(choices)} in.`;
      }
      const key = `${column}|${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      errors.push({ column, message });
    }
  }
  const order = new Map(COLUMNS.map((c, i) => [c.key, i]));
  return errors.sort((a, b) =>
    a.column === null ? -1 : b.column === null ? 1 : order.get(a.column)! - order.get(b.column)!,
  );
}

/**
 * The employee step's answers with every field that has a problem replaced by the answer that lets the most
 * through (a valid INSZ and name, 100 %, 168 hours, new in service today): with it the later steps are judged
 * on their own answers, so a row's problems are all told at once, and no problem is told that the employee's
 * real answers would not give.
 */
function lenientWerknemer(
  input: Record<string, string>,
  problems: readonly FormError[],
  today: IsoDate,
): Record<string, string> {
  const failed = new Set(problems.map((p) => p.href.replace(/^#/, '')));
  const lenient: Record<string, string> = {
    insz: '85.07.30-033.28',
    firstName: 'x',
    lastName: 'x',
    email: '',
    twp: '100',
    weeklyHours: '168',
    schedule: 'vast',
    newEmployee: 'ja',
    employmentStartDate: formatDateNl(today),
  };
  const out = { ...input };
  for (const field of Object.keys(lenient)) if (failed.has(field)) out[field] = lenient[field];
  // The date only counts with "ja"; a problem with either one makes both lenient.
  if (failed.has('newEmployee') || failed.has('employmentStartDate')) {
    Object.assign(out, { newEmployee: 'ja', employmentStartDate: lenient.employmentStartDate });
  }
  return out;
}

/**
 * The evaluation with the steps that an invalid earlier step blocked judged after all, for their problems only:
 * with lenient employee answers (see lenientWerknemer), and step 4's answers on their own when the training
 * itself has problems.
 */
function withLaterStepsJudged(evaluation: Evaluation, inputs: StepInputs, ctx: DraftContext): Evaluation {
  let states = evaluation.states;
  const werknemer = states.find((s) => s.step.id === 'werknemer');
  if (werknemer?.status === 'invalid' && inputs.werknemer) {
    const lenient = lenientWerknemer(inputs.werknemer, werknemer.errors, ctx.today);
    const rest = evaluateEachStep({ ...inputs, werknemer: lenient }, ctx, ROW_STEPS);
    states = states.map((s, i) => (s.status === 'blocked' ? rest.states[i] : s));
  }
  states = states.map((s) => {
    if (s.status !== 'blocked' || s.step.id !== 'initiatief' || !inputs.initiatief) return s;
    const answers = judgeInitiatiefAnswers(pickFields(INITIATIEF_FIELDS, inputs.initiatief), ctx);
    return answers.ok ? s : { ...s, status: 'invalid' as const, errors: answers.errors };
  });
  return { ...evaluation, states };
}

export function validateRows(rows: readonly ParsedRow[], ctx: ValidationContext): RowResult[] {
  return [...validateEach(rows, ctx)];
}

/**
 * validateRows one row at a time, in file order (a row counts against the valid rows above it): a caller
 * that keeps only part of each result (the preview keeps errors and summary) lets the rest be collected at
 * once instead of holding the whole file's evaluations.
 */
export function* validateEach(rows: readonly ParsedRow[], ctx: ValidationContext): Generator<RowResult> {
  const acceptedInFile = new Map<string, PriorDossier[]>();
  for (const row of rows) {
    const inputs = stepInputsOf(row.cells, ctx.units);
    const insz = normaliseInsz(row.cells.insz.trim());
    const earlier = insz ? (acceptedInFile.get(insz) ?? []) : [];
    const draftContext: DraftContext = {
      today: ctx.today,
      units: ctx.units,
      priorDossiers: insz ? [...(ctx.priorDossiers.get(insz) ?? []), ...earlier] : [],
      attachmentKinds: [],
      rules: ctx.rules,
      wording: BULK_WORDING,
    };
    const evaluation = evaluateEachStep(inputs, draftContext, ROW_STEPS);
    const errors = rowErrors(row, inputs, withLaterStepsJudged(evaluation, inputs, draftContext));
    const valid = errors.length === 0 && evaluation.firstIncomplete === null;
    const { opleiding, initiatief } = evaluation.outputs;
    if (valid && insz && opleiding && initiatief) {
      acceptedInFile.set(insz, [
        ...earlier,
        {
          dossiernummer: lineMarker(row.line),
          trainingKey: opleiding.trainingKey,
          odbNumber: opleiding.odbNumber,
          schoolYearStart: opleiding.schoolYearStart,
          initiative: initiatief.initiative,
          vovHours: initiatief.calculation.vovHours,
        },
      ]);
    }
    yield {
      line: row.line,
      valid,
      errors,
      summary: summaryOf(row.cells, evaluation.outputs),
      inputs,
      outputs: valid ? evaluation.outputs : {},
    };
  }
}
