import type { IsoDate } from '../domain/dates.js';
import type { RulesData } from '../domain/rules-data.js';
import { helpLink, type HelpAnchorKey } from '../help/anchors.js';
import { formErrors, type FormError } from '../http/form-errors.js';
import type { AttachmentKind } from './attachments.js';
import type { StepSchema } from './field-reader.js';
import type { PriorDossier, StepInputs } from './repository.js';
import {
  BIJLAGEN_FIELDS,
  bijlagenSchema,
  INITIATIEF_FIELDS,
  initiatiefSchema,
  OPLEIDING_FIELDS,
  opleidingSchema,
  OVERZICHT_FIELDS,
  overzichtSchema,
  WERKGEVER_FIELDS,
  werkgeverSchema,
  WERKNEMER_FIELDS,
  werknemerSchema,
  type BijlagenData,
  type InitiatiefData,
  type OpleidingData,
  type UnitOption,
  type WerkgeverData,
  type Wording,
  type WerknemerData,
} from './schemas.js';

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

/** The typed result of every step that is complete so far. */
export interface StepOutputs {
  werkgever?: WerkgeverData;
  werknemer?: WerknemerData;
  opleiding?: OpleidingData;
  initiatief?: InitiatiefData;
  bijlagen?: BijlagenData;
  overzicht?: { declaration: true };
}

export type StepId = keyof StepOutputs;

export interface StepDefinition {
  id: StepId;
  /** The last part of the step's URL: /terugbetaling/<draft>/<slug>. */
  slug: string;
  title: string;
  view: string;
  help: HelpAnchorKey;
  fields: readonly string[];
  /** The steps whose output this step's schema reads (they must be complete before it can be judged). */
  needs: readonly StepId[];
  /** The step's schema, given the context and the steps before it (which are complete when it is called). */
  schema(ctx: DraftContext, before: StepOutputs): StepSchema<unknown>;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`step evaluated before ${what} was complete`);
  return value;
}

// The two steps whose schema needs no context are built once; zod schemas cost more to build than to run
// (the others are built once too, and bound to their context per judgement: field-reader.ts contextStep).
const WERKNEMER_SCHEMA = werknemerSchema();
const OVERZICHT_SCHEMA = overzichtSchema();

/** The six steps, in order: the one table the routes, the step indicator, the overview and Bevestigen read. */
export const STEPS: readonly StepDefinition[] = [
  {
    id: 'werkgever',
    slug: 'werkgever',
    title: 'Werkgever',
    view: 'refund/steps/werkgever.njk',
    help: 'stepWerkgever',
    fields: WERKGEVER_FIELDS,
    needs: [],
    schema: (ctx) => werkgeverSchema({ units: ctx.units }),
  },
  {
    id: 'werknemer',
    slug: 'werknemer',
    title: 'Werknemer',
    view: 'refund/steps/werknemer.njk',
    help: 'stepWerknemer',
    fields: WERKNEMER_FIELDS,
    needs: [],
    schema: () => WERKNEMER_SCHEMA,
  },
  {
    id: 'opleiding',
    slug: 'opleiding',
    title: 'Opleiding',
    view: 'refund/steps/opleiding.njk',
    help: 'stepOpleiding',
    fields: OPLEIDING_FIELDS,
    needs: ['werknemer'],
    schema: (ctx, before) =>
      opleidingSchema({
        today: ctx.today,
        werknemer: required(before.werknemer, 'werknemer'),
        priorDossiers: ctx.priorDossiers,
        rules: ctx.rules,
        wording: ctx.wording,
      }),
  },
  {
    id: 'initiatief',
    slug: 'initiatief',
    title: 'Initiatief en akkoord',
    view: 'refund/steps/initiatief.njk',
    help: 'stepInitiatief',
    fields: INITIATIEF_FIELDS,
    needs: ['werknemer', 'opleiding'],
    schema: (ctx, before) =>
      initiatiefSchema({
        werknemer: required(before.werknemer, 'werknemer'),
        opleiding: required(before.opleiding, 'opleiding'),
        priorDossiers: ctx.priorDossiers,
        rules: ctx.rules,
        wording: ctx.wording,
      }),
  },
  {
    id: 'bijlagen',
    slug: 'bijlagen',
    title: 'Bijlagen',
    view: 'refund/steps/bijlagen.njk',
    help: 'stepBijlagen',
    fields: BIJLAGEN_FIELDS,
    needs: ['opleiding'],
    schema: (ctx, before) =>
      bijlagenSchema({ opleiding: required(before.opleiding, 'opleiding'), attachmentKinds: ctx.attachmentKinds }),
  },
  {
    id: 'overzicht',
    slug: 'overzicht',
    title: 'Overzicht',
    view: 'refund/steps/overzicht.njk',
    help: 'stepOverzicht',
    fields: OVERZICHT_FIELDS,
    needs: [],
    schema: () => OVERZICHT_SCHEMA,
  },
];

export const FIRST_STEP = STEPS[0];
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
 * Validates a draft's stored input step by step, each step with the same schema its page uses. A step
 * counts as complete only when it was posted and is valid in the current context: changing an earlier
 * answer (or the clock moving past a deadline) can make a later step incomplete again.
 */
export function evaluateDraft(inputs: StepInputs, ctx: DraftContext): Evaluation {
  const outputs: StepOutputs = {};
  const states: StepState[] = [];
  let firstIncomplete: StepDefinition | null = null;
  for (const step of STEPS) {
    if (firstIncomplete) {
      states.push({ step, status: 'blocked', errors: [] });
      continue;
    }
    const input = inputs[step.id];
    if (input === undefined) {
      states.push({ step, status: 'not-started', errors: [] });
      firstIncomplete = step;
      continue;
    }
    const parsed = step.schema(ctx, outputs).safeParse(input);
    if (parsed.success) {
      (outputs as Record<string, unknown>)[step.id] = parsed.data;
      states.push({ step, status: 'complete', errors: [] });
    } else {
      states.push({ step, status: 'invalid', errors: formErrors(parsed.error) });
      firstIncomplete = step;
    }
  }
  return { states, outputs, firstIncomplete };
}

/**
 * Judges every step whose prerequisites (`needs`) are complete, also after an invalid step, so that one pass
 * finds all problems of a request typed in one go (a row of a CSV upload). A step whose prerequisite is not
 * complete is 'blocked'; a step without input is 'not-started'. Same schemas and context as evaluateDraft.
 */
export function evaluateEachStep(
  inputs: StepInputs,
  ctx: DraftContext,
  steps: readonly StepDefinition[] = STEPS,
): Evaluation {
  const outputs: StepOutputs = {};
  const states: StepState[] = [];
  let firstIncomplete: StepDefinition | null = null;
  for (const step of steps) {
    const input = inputs[step.id];
    let state: StepState;
    if (step.needs.some((id) => outputs[id] === undefined)) state = { step, status: 'blocked', errors: [] };
    else if (input === undefined) state = { step, status: 'not-started', errors: [] };
    else {
      const parsed = step.schema(ctx, outputs).safeParse(input);
      if (parsed.success) (outputs as Record<string, unknown>)[step.id] = parsed.data;
      state = parsed.success
        ? { step, status: 'complete', errors: [] }
        : { step, status: 'invalid', errors: formErrors(parsed.error) };
    }
    if (state.status !== 'complete' && !firstIncomplete) firstIncomplete = step;
    states.push(state);
  }
  return { states, outputs, firstIncomplete };
}

/** A user may open a step when every step before it is complete. */
export function isReachable(evaluation: Evaluation, step: StepDefinition): boolean {
  return evaluation.firstIncomplete === null || stepIndex(step) <= stepIndex(evaluation.firstIncomplete);
}
