import { audit } from '../auth/service.js';
import type { Knex } from 'knex';
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
import { listEstablishmentUnits } from '../organisations/repository.js';
import * as repo from './repository.js';
import type { AttachmentRow, DraftRow, StepInputs } from './repository.js';
import { evaluateDraft, type DraftContext, type Evaluation, type StepDefinition } from './steps.js';
import { fileDossiers, type DossierToFile, type FiledDossier } from './submission.js';

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

/** A draft that no longer passes when it is filed (see fileDrafts); nothing of the filing is written. */
export class FilingRefused extends Error {
  constructor() {
    super('a draft no longer passes its rules');
  }
}

export interface RefundServiceDeps {
  db: Db;
  now: () => Date;
  rules: RulesData;
  mailer: RefundMailer;
}

export function createRefundService({ db, now, rules, mailer }: RefundServiceDeps) {
  /** Judges `steps` against the page's data: the same context for a form page and for filing. */
  function judge(
    steps: StepInputs,
    data: Pick<repo.DraftPage, 'units' | 'priorDossiers' | 'attachments'>,
    today = todayInBrussels(now()),
  ): { context: DraftContext; evaluation: Evaluation } {
    const insz = normaliseInsz(steps.werknemer?.insz ?? '');
    const context: DraftContext = {
      today,
      units: data.units,
      priorDossiers: (insz && data.priorDossiers.get(insz)) || [],
      attachmentKinds: data.attachments.map((a) => a.kind),
      rules,
    };
    return { context, evaluation: evaluateDraft(steps, context) };
  }

  /** Judges the stored input plus `extraInputs` (what was just posted) against the page's data. */
  function evaluate(page: repo.DraftPage, extraInputs: StepInputs): OpenDraft {
    const steps = { ...(page.draft?.steps ?? {}), ...extraInputs };
    const draft = page.draft && Object.keys(extraInputs).length > 0 ? { ...page.draft, steps } : page.draft;
    return { draft, attachments: page.attachments, dossiernummer: page.dossiernummer, ...judge(steps, page) };
  }

  /** Loads (one statement) and evaluates a draft of the organisation; another organisation's id is a 404. */
  async function load(
    organisationId: number,
    draftId: number | null,
    extraInputs: StepInputs,
  ): Promise<{ page: repo.DraftPage; state: OpenDraft }> {
    const posted = normaliseInsz(extraInputs.werknemer?.insz ?? '');
    const page = await repo.loadDraftPage(db, organisationId, draftId, posted ? [posted] : []);
    if (draftId !== null && !page.draft) throw new HttpError(404);
    return { page, state: evaluate(page, extraInputs) };
  }

  const open = async (organisationId: number, draftId: number | null, extraInputs: StepInputs = {}) =>
    (await load(organisationId, draftId, extraInputs)).state;

  /**
   * The one way drafts become dossiers: the form's Bevestigen files one, the CSV upload's thousands, in the
   * caller's transaction. Locks the drafts (a second Bevestigen of the same draft, also on another instance,
   * waits here and then finds the first one's dossier), judges each again now, in order, each counting against
   * the ones before it (as if filed one after the other), with `declaration` as the overview step's input,
   * and files them all (fileDossiers). Returns each draft's dossier, in the order of `draftIds`. Throws
   * FilingRefused when one no longer passes or a concurrent filing of another draft took its place (the
   * one-per-training index): the caller's transaction then rolls back, and nothing is filed.
   */
  async function fileDrafts(
    trx: Knex.Transaction,
    auth: OrganisationAuth,
    draftIds: readonly number[],
    declaration: Record<string, string>,
    request: { id: string; auditDetails?: (draftId: number) => Record<string, unknown> },
  ): Promise<FiledDossier[]> {
    const organisationId = auth.organisation.id;
    const drafts = await repo.lockDrafts(trx, organisationId, draftIds);
    if (drafts.length !== new Set(draftIds).size) throw new HttpError(404);
    const toFile = new Map(drafts.filter((d) => !d.submitted_at).map((d) => [d.id, d]));
    const ids = draftIds.filter((id) => toFile.has(id));
    const submittedAt = now();
    const today = todayInBrussels(submittedAt);
    const stepsOf = (id: number): StepInputs => ({ ...toFile.get(id)!.steps, overzicht: declaration });
    const employees = ids.map((id) => normaliseInsz(stepsOf(id).werknemer?.insz ?? '')).filter((v) => v !== null);
    const filedBefore = drafts.filter((d) => d.submitted_at).map((d) => d.id);
    const { units, attachments, priorDossiers, dossiers, numbers } = await repo.filingReads(trx, organisationId, {
      toFile: ids,
      filed: filedBefore,
      insz: employees,
      count: ids.length,
    });
    const byDraft = new Map<number, FiledDossier>();
    for (const d of dossiers)
      byDraft.set(d.draft_id, { draftId: d.draft_id, dossierId: d.id, dossiernummer: d.dossiernummer });
    const items: DossierToFile[] = [];
    for (const id of ids) {
      const own = attachments.filter((a) => a.draft_id === id);
      const { evaluation } = judge(stepsOf(id), { units, priorDossiers, attachments: own }, today);
      const { werkgever, werknemer, opleiding, initiatief } = evaluation.outputs;
      if (evaluation.firstIncomplete || !werkgever || !werknemer || !opleiding || !initiatief)
        throw new FilingRefused();
      items.push({ draftId: id, werkgever, werknemer, opleiding, initiatief, attachments: own });
      // The next drafts of this employee count this one (its number is not drawn yet; no message names it).
      const counted = {
        dossiernummer: '',
        trainingKey: opleiding.trainingKey,
        odbNumber: opleiding.odbNumber,
        schoolYearStart: opleiding.schoolYearStart,
        initiative: initiatief.initiative,
        vovHours: initiatief.calculation.vovHours,
      };
      priorDossiers.set(werknemer.insz, [...(priorDossiers.get(werknemer.insz) ?? []), counted]);
    }
    const filed = await fileDossiers(
      trx,
      { rules, mailer },
      { auth, requestId: request.id, submittedAt, items, numbers, auditDetails: request.auditDetails },
    ).catch((err: unknown) => {
      throw repo.isDuplicateDossierError(err) ? new FilingRefused() : err;
    });
    for (const f of filed) byDraft.set(f.draftId, f);
    return draftIds.map((id) => byDraft.get(id)!);
  }

  return {
    open: (organisationId: number, draftId: number | null) => open(organisationId, draftId),

    /**
     * A step POST reads once: the draft as stored (`before`, to check the step may be posted) and as it will
     * be once `input` is saved (`after`, whose evaluation decides where the user goes next).
     */
    async openForStep(
      organisationId: number,
      draftId: number | null,
      step: StepDefinition,
      input: Record<string, string>,
    ): Promise<{ before: OpenDraft; after: OpenDraft }> {
      const { page, state } = await load(organisationId, draftId, { [step.id]: input });
      return { before: evaluate(page, {}), after: state };
    },

    fileDrafts,

    /** Drafts for requests filed at once (a CSV upload's rows), in the caller's transaction. */
    createDrafts: (trx: Knex.Transaction, auth: OrganisationAuth, steps: readonly StepInputs[]) =>
      repo.createDrafts(trx, auth.organisation.id, auth.person.id, steps),

    /** What the rules look at besides a request: the organisation's units and the counting dossiers of `insz`. */
    async rulesContext(organisationId: number, insz: readonly string[], conn: Db | Knex.Transaction = db) {
      const units = await listEstablishmentUnits(conn, organisationId);
      return { units, priorDossiers: await repo.priorDossiersOfEmployees(conn, organisationId, insz) };
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
     * Bevestigen: file the draft (fileDrafts) with the declaration just posted; a second click finds the first
     * one's dossier. A draft that no longer passes (a deadline passed, a colleague filed the same training
     * meanwhile) is judged again for the page, which tells the user why.
     */
    async submit(
      auth: OrganisationAuth,
      draftId: number,
      declaration: Record<string, string>,
      requestId: string,
    ): Promise<SubmitResult> {
      try {
        const [filed] = await db.transaction((trx) => fileDrafts(trx, auth, [draftId], declaration, { id: requestId }));
        return { status: 'submitted', dossiernummer: filed.dossiernummer };
      } catch (err) {
        if (!(err instanceof FilingRefused)) throw err;
        return { status: 'invalid', open: await open(auth.organisation.id, draftId, { overzicht: declaration }) };
      }
    },
  };
}

export type RefundService = ReturnType<typeof createRefundService>;
