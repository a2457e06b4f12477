import { Router, type Request, type RequestHandler, type Response } from 'express';
import { organisationAuth, requireLogin, requireOrganisation, requireVovRight } from '../auth/guards.js';
import { formActions, pressedAction } from '../http/form-actions.js';
import { positiveId } from '../http/params.js';
import { formatDateTimeNl } from '../domain/dates.js';
import { formatIban, normaliseIban } from '../domain/iban.js';
import { formatEstablishmentUnit } from '../domain/kbo.js';
import {
  INITIATIVES,
  initiativeLabels,
  SIZE_KINDS,
  sizeKindLabels,
  TRAINING_TYPES,
  trainingTypeLabels,
} from '../domain/training.js';
import { HttpError } from '../http/errors.js';
import type { FormError } from '../http/form-errors.js';
import { noStore } from '../http/security.js';
import {
  paths,
  attachmentPath,
  deleteDraftPath,
  draftPath,
  NEW_DRAFT,
  receiptPath,
  removeAttachmentPath,
  stepPath,
  type DraftRef,
} from '../paths.js';
import { ATTACHMENT_KINDS, ATTACHMENT_LABELS, formatFileSize, safeFilename } from './attachments.js';
import type { AllowedContentType } from './attachments.js';
import { pickFields } from '../http/form-body.js';
import { lastSubmittedWerkgever, listDrafts, type DraftListRow } from './repository.js';
import { OTHER_UNIT } from './steps/werkgever.js';
import { type OpenDraft } from './service.js';
import {
  helpHref,
  isReachable,
  nextStep,
  OVERVIEW_STEP,
  previousStep,
  stepBySlug,
  STEPS,
  stepIndex,
  type StepDefinition,
} from './steps.js';
import { overviewSections } from './summary.js';
import { recordAccess } from '../privacy/access.js';
import type { Services } from '../services.js';

/** Express 5 passes a rejected promise to the error handler; this only narrows the types. */
type Handler = (req: Request, res: Response) => Promise<void>;

function draftRef(raw: unknown): DraftRef {
  return raw === NEW_DRAFT ? NEW_DRAFT : positiveId(raw);
}

const idOf = (ref: DraftRef): number | null => (ref === NEW_DRAFT ? null : ref);

/** Choices and labels the step views show; data, so the views hold no lists of their own. */
const choices = {
  otherUnit: OTHER_UNIT,
  trainingTypes: TRAINING_TYPES.map((value) => ({ value, text: trainingTypeLabels[value] })),
  sizeKinds: SIZE_KINDS.map((value) => ({ value, text: sizeKindLabels[value] })),
  initiatives: INITIATIVES.map((value) => ({ value, text: initiativeLabels[value] })),
};

/**
 * The refund request form: one generic handler for the six steps of the table in steps.ts, plus the drafts
 * list, attachments and Bevestigen. Every route needs the VOV right of the chosen organisation, checked
 * fresh on each request: a right revoked mid-way gives the 403 page and the draft stays.
 */
export function refundRoutes(deps: Pick<Services, 'db' | 'now' | 'refund'>): Router {
  const router = Router();
  const service = deps.refund;
  const guards: RequestHandler[] = [requireLogin, requireOrganisation, requireVovRight, noStore];
  router.use(...guards);

  const startPage: Handler = async (req, res) => {
    const auth = organisationAuth(req);
    const drafts = await listDrafts(deps.db, auth.organisation.id);
    res.render('refund/start.njk', {
      drafts: draftsWithLabels(drafts),
      newHref: paths.refundNew,
      saved: req.query.bewaard !== undefined,
      deleted: req.query.verwijderd !== undefined,
    });
  };

  /** "Verdergaan" with a draft: to the first step that still needs an answer (or the receipt once submitted). */
  const resume: Handler = async (req, res) => {
    const id = positiveId(req.params.draftId);
    const state = await service.open(organisationAuth(req).organisation.id, id);
    if (state.dossiernummer) return res.redirect(303, receiptPath(state.dossiernummer));
    res.redirect(303, stepPath(id, (state.evaluation.firstIncomplete ?? OVERVIEW_STEP).slug));
  };

  const showStep: Handler = async (req, res) => {
    const step = stepOf(req);
    const ref = draftRef(req.params.draftId);
    const state = await service.open(organisationAuth(req).organisation.id, idOf(ref));
    if (redirectElsewhere(res, state, ref, step)) return;
    const stepState = state.evaluation.states[stepIndex(step)];
    // Saved input that no longer passes (answered before, or changed by an earlier step) shows its problems at once.
    const errors = stepState.status === 'invalid' ? stepState.errors : [];
    const saved = state.draft?.steps[step.id];
    if (saved) return renderStep(req, res, 200, step, ref, state, shownValues(step, saved), errors);
    const defaults = await defaultValues(step, req, state);
    res.locals.fromPreviousRequest = defaults.fromPreviousRequest;
    renderStep(req, res, 200, step, ref, state, defaults.values, errors);
  };

  const postStep: Handler = async (req, res) => {
    const auth = organisationAuth(req);
    const step = stepOf(req);
    const ref = draftRef(req.params.draftId);
    const input = pickFields(step.fields, req.body);
    const { before, after: saved } = await service.openForStep(auth.organisation.id, idOf(ref), step, input);
    if (redirectElsewhere(res, before, ref, step)) return;

    const action = pressedAction(req.body);
    const draftId = await service.saveStep(auth, idOf(ref), step, input);
    const files = step.id === 'bijlagen' ? (req.files ?? []) : [];
    const uploadErrors = await service.storeUploads(auth, draftId, files, before.attachments.length);
    if (step.id === 'bijlagen' && action === formActions.add && uploadErrors.length === 0 && files.length === 0) {
      uploadErrors.push({ text: 'Kies eerst een bestand om toe te voegen.', href: `#${ATTACHMENT_KINDS[0]}` });
    }
    // Only stored files change what was read above; otherwise the saved draft is judged without a second read.
    const after = files.length > 0 ? await service.open(auth.organisation.id, draftId) : saved;
    if (uploadErrors.length > 0) return renderStep(req, res, 400, step, draftId, after, input, uploadErrors);
    if (action === formActions.save) return res.redirect(303, `${paths.refund}?bewaard=${draftId}`);
    if (action === formActions.add)
      return res.redirect(303, stepPath(draftId, step.slug, { backToOverview: backToOverview(req) }));

    const stepState = after.evaluation.states[stepIndex(step)];
    if (stepState.status !== 'complete')
      return renderStep(req, res, 400, step, draftId, after, input, stepState.errors);
    let target = backToOverview(req) ? OVERVIEW_STEP : nextStep(step);
    if (!isReachable(after.evaluation, target)) target = after.evaluation.firstIncomplete ?? OVERVIEW_STEP;
    res.redirect(303, stepPath(draftId, target.slug));
  };

  const confirm: Handler = async (req, res) => {
    const auth = organisationAuth(req);
    const draftId = positiveId(req.params.draftId);
    const body = req.body as Record<string, unknown>;
    if (pressedAction(body) === formActions.save) {
      await service.open(auth.organisation.id, draftId); // a 404 for another organisation's draft
      return res.redirect(303, `${paths.refund}?bewaard=${draftId}`);
    }
    const declaration = pickFields(OVERVIEW_STEP.fields, body);
    const result = await service.submit(auth, draftId, declaration, String(req.id ?? ''));
    if (result.status === 'submitted') return res.redirect(303, receiptPath(result.dossiernummer));
    const { evaluation } = result.open;
    if (evaluation.firstIncomplete && evaluation.firstIncomplete !== OVERVIEW_STEP) {
      // Something changed since the overview was shown (a deadline passed, a colleague submitted the same
      // training): send the user to that step, where the problem is explained at its field.
      return res.redirect(303, stepPath(draftId, evaluation.firstIncomplete.slug, { backToOverview: true }));
    }
    const errors = evaluation.states[stepIndex(OVERVIEW_STEP)].errors;
    renderStep(req, res, 400, OVERVIEW_STEP, draftId, result.open, declaration, errors);
  };

  const confirmDelete: Handler = async (req, res) => {
    const id = positiveId(req.params.draftId);
    const state = await service.open(organisationAuth(req).organisation.id, id);
    if (state.dossiernummer) return res.redirect(303, receiptPath(state.dossiernummer));
    res.render('refund/delete-draft.njk', {
      draft: state.draft,
      employeeName: employeeNameOf(state),
      action: deleteDraftPath(id),
      backHref: paths.refund,
    });
  };

  const deleteDraft: Handler = async (req, res) => {
    const id = positiveId(req.params.draftId);
    const auth = organisationAuth(req);
    const state = await service.open(auth.organisation.id, id);
    if (state.dossiernummer) return res.redirect(303, receiptPath(state.dossiernummer));
    await service.deleteDraft(auth, id);
    res.redirect(303, `${paths.refund}?verwijderd=1`);
  };

  const downloadAttachment: Handler = async (req, res) => {
    const auth = organisationAuth(req);
    const draftId = positiveId(req.params.draftId);
    const file = await service.attachment(auth.organisation.id, draftId, positiveId(req.params.attachmentId));
    await recordAccess(deps.db, req, deps.now(), { what: 'attachment', draftId, attachmentId: file.id });
    // Always a download, never rendered in our origin, under a safe name (also for rows stored before names were
    // made safe); express quotes it, with an ASCII fallback and RFC 5987 filename* when it needs more than ASCII.
    res.attachment(safeFilename(file.filename, file.content_type as AllowedContentType));
    res.setHeader('Content-Type', file.content_type);
    res.send(file.content);
  };

  const removeAttachment: Handler = async (req, res) => {
    const auth = organisationAuth(req);
    const draftId = positiveId(req.params.draftId);
    const state = await service.open(auth.organisation.id, draftId);
    if (state.dossiernummer) return res.redirect(303, receiptPath(state.dossiernummer));
    if (!(await service.removeAttachment(auth, draftId, positiveId(req.params.attachmentId)))) throw new HttpError(404);
    res.redirect(303, stepPath(draftId, 'bijlagen', { backToOverview: backToOverview(req) }));
  };

  router.get('/', startPage);
  router.get('/:draftId', resume);
  router.get('/:draftId/verwijderen', confirmDelete);
  router.post('/:draftId/verwijderen', deleteDraft);
  router.get('/:draftId/bijlagen/:attachmentId', downloadAttachment);
  router.post('/:draftId/bijlagen/:attachmentId/verwijderen', removeAttachment);
  router.post(`/:draftId/${OVERVIEW_STEP.slug}`, confirm);
  router.get('/:draftId/:slug', showStep);
  router.post('/:draftId/:slug', postStep);
  return router;

  // ---- helpers that need the service or the request ----

  function stepOf(req: Request): StepDefinition {
    const step = stepBySlug(String(req.params.slug));
    if (!step) throw new HttpError(404);
    return step;
  }

  /** A submitted draft shows its receipt; a step not reached yet sends the user to the first unfinished one. */
  function redirectElsewhere(res: Response, state: OpenDraft, ref: DraftRef, step: StepDefinition): boolean {
    if (state.dossiernummer) {
      res.redirect(303, receiptPath(state.dossiernummer));
      return true;
    }
    if (!isReachable(state.evaluation, step)) {
      res.redirect(303, stepPath(ref, (state.evaluation.firstIncomplete ?? OVERVIEW_STEP).slug));
      return true;
    }
    return false;
  }

  function renderStep(
    req: Request,
    res: Response,
    status: number,
    step: StepDefinition,
    ref: DraftRef,
    state: OpenDraft,
    values: Record<string, string>,
    errors: FormError[],
  ): void {
    const auth = organisationAuth(req);
    const back = backToOverview(req) && ref !== NEW_DRAFT;
    const previous = previousStep(step);
    const draftId = idOf(ref);
    res.status(status).render(step.view, {
      step,
      stepNumber: stepIndex(step) + 1,
      stepCount: STEPS.length,
      steps: STEPS.map((s) => ({
        title: s.title,
        href: ref !== NEW_DRAFT && isReachable(state.evaluation, s) ? stepPath(ref, s.slug) : null,
      })),
      values,
      errors,
      formAction: stepPath(ref, step.slug, { backToOverview: back }),
      backHref: back ? stepPath(ref, OVERVIEW_STEP.slug) : previous ? stepPath(ref, previous.slug) : paths.refund,
      helpHref: helpHref(step),
      organisation: auth.organisation,
      unitItems: [
        ...state.context.units.map((u) => ({
          value: String(u.id),
          text: `${u.name} (${formatEstablishmentUnit(u.number)})`,
          hint: [u.street, [u.postcode, u.city].filter(Boolean).join(' ')].filter(Boolean).join(', '),
        })),
        { value: OTHER_UNIT, text: 'Een andere vestigingseenheid' },
      ],
      choices,
      attachments: state.attachments.map((a) => ({
        ...a,
        label: ATTACHMENT_LABELS[a.kind],
        size: formatFileSize(a.size_bytes),
        href: attachmentPath(a.draft_id, a.id),
        removeAction: removeAttachmentPath(a.draft_id, a.id) + (back ? '?terug=overzicht' : ''),
      })),
      trainingType: state.evaluation.outputs.opleiding?.type ?? null,
      sections:
        step === OVERVIEW_STEP && draftId !== null && state.evaluation.outputs.initiatief
          ? overviewSections(draftId, state.evaluation.outputs, state.attachments, auth.organisation)
          : [],
      deleteHref: draftId !== null ? deleteDraftPath(draftId) : null,
    });
  }

  /**
   * A new request starts with what the portal knows (WCAG 3.3.7, no redundant entry), all of it editable: the
   * contact person is the user, the establishment unit and the account are those of the organisation's previous
   * request (or its only unit), and the phone number too when that request had the same contact person.
   */
  async function defaultValues(
    step: StepDefinition,
    req: Request,
    state: OpenDraft,
  ): Promise<{ values: Record<string, string>; fromPreviousRequest: boolean }> {
    if (step.id !== 'werkgever') return { values: {}, fromPreviousRequest: false };
    const person = organisationAuth(req).person;
    const contactName = `${person.firstName} ${person.lastName}`;
    const values: Record<string, string> = {
      contactName,
      contactEmail: person.email ?? '',
      unitChoice: state.context.units.length === 1 ? String(state.context.units[0].id) : '',
    };
    const previous = await lastSubmittedWerkgever(deps.db, organisationAuth(req).organisation.id);
    if (!previous) return { values, fromPreviousRequest: false };
    for (const field of FROM_PREVIOUS_REQUEST) if (previous[field]) values[field] = previous[field];
    if (previous.contactName === contactName && previous.contactPhone) values.contactPhone = previous.contactPhone;
    return { values: shownValues(step, values), fromPreviousRequest: true };
  }
}

/**
 * The saved drafts with a link text of their own (WCAG 2.4.4): "aanvraag voor Lotte Verbeke, Heftruck,
 * bewaard op 01/12/2026 om 14:05", and the draft's number when two would still read the same.
 */
function draftsWithLabels(drafts: readonly DraftListRow[]) {
  const seen = new Set<string>();
  return drafts.map((d) => {
    const updatedAt = formatDateTimeNl(d.updated_at);
    const employee = d.employee_name ?? 'een werknemer die nog niet ingevuld is';
    let label = `aanvraag voor ${employee}, ${d.training_name ?? 'opleiding nog niet ingevuld'}, bewaard op ${updatedAt}`;
    if (seen.has(label)) label += `, nummer ${d.id}`;
    seen.add(label);
    return { ...d, updatedAt, label, resumeHref: draftPath(d.id), deleteHref: deleteDraftPath(d.id) };
  });
}

function backToOverview(req: Request): boolean {
  return req.query.terug === 'overzicht';
}

function employeeNameOf(state: OpenDraft): string | null {
  const w = state.draft?.steps.werknemer;
  const name = `${w?.firstName ?? ''} ${w?.lastName ?? ''}`.trim();
  return name || null;
}

/** Saved answers as the page shows them again: an IBAN as the overview writes it (BE68 5390 0754 7034). */
function shownValues(step: StepDefinition, values: Record<string, string>): Record<string, string> {
  const iban = step.id === 'werkgever' && values.iban ? normaliseIban(values.iban) : null;
  return iban ? { ...values, iban: formatIban(iban) } : values;
}

/** The step 1 fields a new request takes over from the organisation's previous one: the unit and the account. */
const FROM_PREVIOUS_REQUEST = [
  'unitChoice',
  'unitNumber',
  'unitName',
  'unitStreet',
  'unitPostcode',
  'unitCity',
  'iban',
  'bic',
] as const;
