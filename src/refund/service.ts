import { audit } from '../auth/service.js';
import type { Db } from '../db/knex.js';
import { todayInBrussels } from '../domain/dates.js';
import { normaliseInsz } from '../domain/insz.js';
import type { RulesData } from '../domain/rules-data.js';
import { HttpError } from '../http/errors.js';
import type { FormError } from '../http/form-errors.js';
import type { UploadedFile } from '../http/multipart.js';
import type { OrganisationAuth } from '../auth/guards.js';
import { checkUpload, isAttachmentKind } from './attachments.js';
import type { RefundMailer } from './mail.js';
import * as repo from './repository.js';
import type { AttachmentRow, DraftRow, StepInputs } from './repository.js';
import { evaluateDraft, type DraftContext, type Evaluation, type StepDefinition } from './steps.js';
import { postedInsz, type PreRead } from './page-read.js';
import { fileDossiers } from './submission.js';

export type { DossierSnapshot } from './submission.js';

/** A draft as a page needs it. `draft` is null for a request that is not saved yet (/terugbetaling/nieuw/…). */
export interface OpenDraft {
  draft: DraftRow | null;
  attachments: AttachmentRow[];
  context: DraftContext;
  evaluation: Evaluation;
  /** Set once the draft was submitted: every step then leads to its receipt. */
  dossiernummer: string | null;
}

export type SubmitResult = { status: 'submitted'; dossiernummer: string } | { status: 'invalid'; open: OpenDraft };

const MAX_ATTACHMENTS_PER_DRAFT = 10;

export interface RefundServiceDeps {
  db: Db;
  now: () => Date;
  rules: RulesData;
  mailer: RefundMailer;
}

export function createRefundService({ db, now, rules, mailer }: RefundServiceDeps) {
  /** Judges the stored input plus `extraInputs` (what was just posted) against the page's data. */
  function evaluate(page: repo.DraftPage, extraInputs: StepInputs): OpenDraft {
    const steps = { ...(page.draft?.steps ?? {}), ...extraInputs };
    const insz = normaliseInsz(steps.werknemer?.insz ?? '');
    const context: DraftContext = {
      today: todayInBrussels(now()),
      units: page.units,
      priorDossiers: (insz && page.priorDossiers.get(insz)) || [],
      attachmentKinds: page.attachments.map((a) => a.kind),
      rules,
    };
    const draft = page.draft && Object.keys(extraInputs).length > 0 ? { ...page.draft, steps } : page.draft;
    return {
      draft,
      attachments: page.attachments,
      context,
      evaluation: evaluateDraft(steps, context),
      dossiernummer: page.dossiernummer,
    };
  }

  /**
   * Loads (one statement, or none when it was read with the session: `preRead`) and evaluates a draft of the
   * organisation; another organisation's id is a 404.
   */
  async function load(
    organisationId: number,
    draftId: number | null,
    extraInputs: StepInputs,
    options: { reserveNumber?: boolean; preRead?: PreRead } = {},
  ): Promise<{ page: repo.DraftPage; state: OpenDraft }> {
    const query = { draftId, insz: postedInsz(extraInputs), reserveNumber: options.reserveNumber ?? false };
    const page = options.preRead?.(query) ?? (await repo.loadDraftPage(db, organisationId, draftId, query));
    if (draftId !== null && !page.draft) throw new HttpError(404);
    return { page, state: evaluate(page, extraInputs) };
  }

  const open = async (
    organisationId: number,
    draftId: number | null,
    extraInputs: StepInputs = {},
    preRead?: PreRead,
  ): Promise<OpenDraft> => (await load(organisationId, draftId, extraInputs, { preRead })).state;

  /** Reads, judges and files the draft once (see submit); null when it changed or was filed meanwhile. */
  async function trySubmit(
    auth: OrganisationAuth,
    draftId: number,
    declarationInput: Record<string, string>,
    requestId: string,
    preRead?: PreRead,
  ): Promise<SubmitResult | null> {
    const { page, state } = await load(
      auth.organisation.id,
      draftId,
      { overzicht: declarationInput },
      { reserveNumber: true, preRead },
    );
    if (state.dossiernummer) return { status: 'submitted', dossiernummer: state.dossiernummer };
    const { werkgever, werknemer, opleiding, initiatief, overzicht } = state.evaluation.outputs;
    if (
      state.evaluation.firstIncomplete ||
      !werkgever ||
      !werknemer ||
      !opleiding ||
      !initiatief ||
      !overzicht ||
      page.reservedNumber === null
    )
      return { status: 'invalid', open: state };
    const [filed] = await fileDossiers(
      db,
      { rules, mailer },
      {
        auth,
        requestId,
        submittedAt: now(),
        items: [
          {
            draftId,
            version: page.version,
            werkgever,
            werknemer,
            opleiding,
            initiatief,
            attachments: state.attachments,
          },
        ],
        numbers: [page.reservedNumber],
      },
    );
    return filed ? { status: 'submitted', dossiernummer: filed.dossiernummer } : null;
  }

  return {
    open: (organisationId: number, draftId: number | null, preRead?: PreRead) =>
      open(organisationId, draftId, {}, preRead),

    /**
     * A step POST reads once: the draft as stored (`before`, to check the step may be posted) and as it will
     * be once `input` is saved (`after`, whose evaluation decides where the user goes next).
     */
    async openForStep(
      organisationId: number,
      draftId: number | null,
      step: StepDefinition,
      input: Record<string, string>,
      preRead?: PreRead,
    ): Promise<{ before: OpenDraft; after: OpenDraft }> {
      const { page, state } = await load(organisationId, draftId, { [step.id]: input }, { preRead });
      return { before: evaluate(page, {}), after: state };
    },

    /** Stores a step's input as typed (valid or not); a new request becomes a draft on its first save. */
    async saveStep(
      auth: OrganisationAuth,
      draftId: number | null,
      step: StepDefinition,
      input: Record<string, string>,
    ): Promise<number> {
      const organisationId = auth.organisation.id;
      if (draftId === null) {
        const id = await repo.createDraft(db, organisationId, auth.person.id, { [step.id]: input });
        await audit(db, {
          action: 'refund.draft-created',
          personId: auth.person.id,
          organisationId,
          details: { draftId: id },
        });
        return id;
      }
      await repo.saveStepInput(db, organisationId, draftId, step.id, input, auth.person.id);
      return draftId;
    },

    /** Checks and stores uploaded files; returns a message per refused file (by its field). */
    async storeUploads(
      auth: OrganisationAuth,
      draftId: number,
      files: UploadedFile[],
      alreadyStored: number,
    ): Promise<FormError[]> {
      const errors: FormError[] = [];
      let count = alreadyStored;
      for (const file of files) {
        if (!isAttachmentKind(file.field)) continue;
        const checked = checkUpload(file.field, file);
        if (!checked.ok) {
          errors.push({ text: checked.message, href: `#${checked.kind}` });
          continue;
        }
        if (count >= MAX_ATTACHMENTS_PER_DRAFT) {
          errors.push({
            text: `U kunt hoogstens ${MAX_ATTACHMENTS_PER_DRAFT} bijlagen toevoegen. Verwijder eerst een bijlage die u niet nodig hebt.`,
            href: `#${file.field}`,
          });
          continue;
        }
        await repo.addAttachment(db, auth.organisation.id, draftId, checked.upload, auth.person.id);
        await repo.touchDraft(db, auth.organisation.id, draftId, auth.person.id);
        count++;
      }
      return errors;
    },

    /** One attachment with its content, for download; scoped to the organisation and the draft. */
    async attachment(organisationId: number, draftId: number, attachmentId: number) {
      const file = await repo.findAttachmentContent(db, organisationId, draftId, attachmentId);
      if (!file) throw new HttpError(404);
      return file;
    },

    async removeAttachment(auth: OrganisationAuth, draftId: number, attachmentId: number): Promise<boolean> {
      const removed = await repo.deleteAttachment(db, auth.organisation.id, draftId, attachmentId);
      if (removed) await repo.touchDraft(db, auth.organisation.id, draftId, auth.person.id);
      return removed;
    },

    async deleteDraft(auth: OrganisationAuth, draftId: number): Promise<boolean> {
      const deleted = await repo.deleteDraft(db, auth.organisation.id, draftId);
      if (deleted)
        await audit(db, {
          action: 'refund.draft-deleted',
          personId: auth.person.id,
          organisationId: auth.organisation.id,
          details: { draftId },
        });
      return deleted;
    },

    /**
     * Bevestigen: read the draft (with a dossier number), re-validate every step with the same schemas, then
     * file it (fileDossiers: the dossier, the audit entry and both receipt mails in one statement, written only
     * if the draft is unchanged since the read). A second click, or a change made meanwhile, makes that write
     * file nothing: the draft is then read and judged again, and a second click finds the first one's dossier.
     */
    async submit(
      auth: OrganisationAuth,
      draftId: number,
      declarationInput: Record<string, string>,
      requestId: string,
      preRead?: PreRead,
    ): Promise<SubmitResult> {
      try {
        for (let attempt = 0; attempt < 5; attempt++) {
          // A pre-read page serves the first attempt only (it is taken once); a retry reads afresh.
          const result = await trySubmit(auth, draftId, declarationInput, requestId, preRead);
          if (result) return result;
        }
        throw new Error(`draft ${draftId} kept changing while it was submitted`);
      } catch (err) {
        // Another draft for the same employee, training and school year won the race: the re-evaluation
        // now finds that dossier and tells the user at the training step.
        if (repo.isDuplicateDossierError(err))
          return {
            status: 'invalid',
            open: await open(auth.organisation.id, draftId, { overzicht: declarationInput }),
          };
        throw err;
      }
    },
  };
}

export type RefundService = ReturnType<typeof createRefundService>;
