import type { IsoDate } from '../domain/dates.js';
import type { RulesData } from '../domain/rules-data.js';
import { helpLink, type HelpAnchorKey } from '../help/anchors.js';
import { pickFields } from '../http/form-body.js';
import type { FormError } from '../http/form-errors.js';
import type { AttachmentKind } from './attachments.js';
import type { PriorDossier, StepInputs } from './repository.js';
import { BIJLAGEN_FIELDS, judgeBijlagen, type BijlagenData } from './steps/bijlagen.js';
import type { StepResult } from './steps/fields.js';
import { INITIATIEF_FIELDS, judgeInitiatief, type InitiatiefData } from './steps/initiatief.js';
import { judgeOpleiding, OPLEIDING_FIELDS, type OpleidingData } from './steps/opleiding.js';
import { judgeOverzicht, OVERZICHT_FIELDS } from './steps/overzicht.js';
import { judgeWerkgever, WERKGEVER_FIELDS, type UnitOption, type WerkgeverData } from './steps/werkgever.js';
import { judgeWerknemer, WERKNEMER_FIELDS, type WerknemerData } from './steps/werknemer.js';
import type { Wording } from './steps/wording.js';

/*
 * The step table: order, titles and dependencies of the six steps, stated once. Each step's fields, parsing and
 * rules live in its own file under steps/ (one function: input and context in, data or errors out).
 */

/** Everything outside the draft itself that the rules look at; loaded per request (see service.ts). */
export interface DraftContext {
  today: IsoDate;
  units: readonly UnitOption[];
  priorDossiers: readonly PriorDossier[];
  attachmentKinds: readonly AttachmentKind[];
  rules: RulesData;
  /** Advice texts of another channel than the form (the CSV upload); the form's own when absent. */
  wording?: Partial<Wording>;
}

/** The typed result of each step. */
interface Outputs {
  werkgever: WerkgeverData;
  werknemer: WerknemerData;
  opleiding: OpleidingData;
  initiatief: InitiatiefData;
  bijlagen: BijlagenData;
  overzicht: { declaration: true };
}

/** The typed result of every step that is complete so far. */
export type StepOutputs = Partial<Outputs>;

export type StepId = keyof Outputs;

export interface StepDefinition {
  id: StepId;
  /** The last part of the step's URL: /terugbetaling/<draft>/<slug>. */
  slug: string;
  title: string;
  view: string;
  help: HelpAnchorKey;
  fields: readonly string[];
  /** The steps whose output this step's rules read: they must be complete before it can be judged. */
  needs: readonly StepId[];
  /** Judges the step's input (only its fields are read), given the context and the complete steps it needs. */
  judge(input: unknown, ctx: DraftContext, before: StepOutputs): StepResult<unknown>;
}

/** A row of the table: `judge` is given exactly the outputs its `needs` name (the compiler checks they match). */
function step<Id extends StepId, F extends string, Needs extends StepId = never>(row: {
  id: Id;
  title: string;
  help: HelpAnchorKey;
  fields: readonly F[];
  needs?: readonly Needs[];
  judge: (
    input: Record<F, string>,
    ctx: DraftContext,
    before: Pick<Outputs, NoInfer<Needs>>,
  ) => StepResult<Outputs[Id]>;
}): StepDefinition {
  return {
    id: row.id,
    slug: row.id,
    title: row.title,
    view: `refund/steps/${row.id}.njk`,
    help: row.help,
    fields: row.fields,
    needs: row.needs ?? [],
    // The table's walk (evaluateDraft, evaluateEachStep) calls a step only once its needs are complete.
    judge: (input, ctx, before) => row.judge(pickFields(row.fields, input), ctx, before as Pick<Outputs, Needs>),
  };
}

/** The six steps, in order: the one table the routes, the step indicator, the overview and Bevestigen read. */
export const STEPS: readonly StepDefinition[] = [
  step({ id: 'werkgever', title: 'Werkgever', help: 'stepWerkgever', fields: WERKGEVER_FIELDS, judge: judgeWerkgever }),
  step({ id: 'werknemer', title: 'Werknemer', help: 'stepWerknemer', fields: WERKNEMER_FIELDS, judge: judgeWerknemer }),
  step({
    id: 'opleiding',
    title: 'Opleiding',
    help: 'stepOpleiding',
    fields: OPLEIDING_FIELDS,
    needs: ['werknemer'],
    judge: judgeOpleiding,
  }),
  step({
    id: 'initiatief',
    title: 'Initiatief en akkoord',
    help: 'stepInitiatief',
    fields: INITIATIEF_FIELDS,
    needs: ['werknemer', 'opleiding'],
    judge: judgeInitiatief,
  }),
  step({
    id: 'bijlagen',
    title: 'Bijlagen',
    help: 'stepBijlagen',
    fields: BIJLAGEN_FIELDS,
    needs: ['opleiding'],
    judge: judgeBijlagen,
  }),
  step({ id: 'overzicht', title: 'Overzicht', help: 'stepOverzicht', fields: OVERZICHT_FIELDS, judge: judgeOverzicht }),
];

export const OVERVIEW_STEP = STEPS[STEPS.length - 1];

export function stepBySlug(slug: string): StepDefinition | undefined {
  return STEPS.find((s) => s.slug === slug);
}

export function stepIndex(step: StepDefinition): number {
  return STEPS.indexOf(step);
}

export function nextStep(step: StepDefinition): StepDefinition {
  return STEPS[Math.min(stepIndex(step) + 1, STEPS.length - 1)];
}

export function previousStep(step: StepDefinition): StepDefinition | null {
  const i = stepIndex(step);
  return i > 0 ? STEPS[i - 1] : null;
}

export function helpHref(step: StepDefinition): string {
  return helpLink(step.help);
}

/** not-started: nothing posted yet; invalid: posted with problems; blocked: an earlier step is not complete. */
export type StepStatus = 'complete' | 'invalid' | 'not-started' | 'blocked';

export interface StepState {
  step: StepDefinition;
  status: StepStatus;
  errors: FormError[];
}

export interface Evaluation {
  states: StepState[];
  outputs: StepOutputs;
  /** The first step that is not complete: where a user resumes, and the furthest step they may open. */
  firstIncomplete: StepDefinition | null;
}

/**
 * Judges each step whose `needs` are complete (a step without input is 'not-started', one whose needs are not
 * complete 'blocked'). With `stopAtFirstIncomplete` every step after the first incomplete one is 'blocked'.
 */
function evaluate(
  inputs: StepInputs,
  ctx: DraftContext,
  steps: readonly StepDefinition[],
  stopAtFirstIncomplete: boolean,
): Evaluation {
  const outputs: StepOutputs = {};
  const states: StepState[] = [];
  let firstIncomplete: StepDefinition | null = null;
  for (const step of steps) {
    const input = inputs[step.id];
    let state: StepState;
    if ((stopAtFirstIncomplete && firstIncomplete) || step.needs.some((id) => outputs[id] === undefined))
      state = { step, status: 'blocked', errors: [] };
    else if (input === undefined) state = { step, status: 'not-started', errors: [] };
    else {
      const result = step.judge(input, ctx, outputs);
      if (result.ok) (outputs as Record<string, unknown>)[step.id] = result.data;
      state = result.ok ? { step, status: 'complete', errors: [] } : { step, status: 'invalid', errors: result.errors };
    }
    if (state.status !== 'complete' && !firstIncomplete) firstIncomplete = step;
    states.push(state);
  }
  return { states, outputs, firstIncomplete };
}

/**
 * Validates a draft's stored input step by step, each step with the same rules its page uses. A step counts as
 * complete only when it was posted and is valid in the current context: changing an earlier answer (or the
 * clock moving past a deadline) can make a later step incomplete again.
 */
export function evaluateDraft(inputs: StepInputs, ctx: DraftContext): Evaluation {
  return evaluate(inputs, ctx, STEPS, true);
}

/**
 * Judges every step whose prerequisites (`needs`) are complete, also after an invalid step, so that one pass
 * finds all problems of a request typed in one go (a row of a CSV upload).
 */
export function evaluateEachStep(
  inputs: StepInputs,
  ctx: DraftContext,
  steps: readonly StepDefinition[] = STEPS,
): Evaluation {
  return evaluate(inputs, ctx, steps, false);
}

/** A user may open a step when every step before it is complete. */
export function isReachable(evaluation: Evaluation, step: StepDefinition): boolean {
  return evaluation.firstIncomplete === null || stepIndex(step) <= stepIndex(evaluation.firstIncomplete);
}
