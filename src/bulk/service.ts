import type { Knex } from 'knex';
import { audit } from '../auth/service.js';
import type { Db } from '../db/knex.js';
import { todayInBrussels } from '../domain/dates.js';
import { normaliseInsz } from '../domain/insz.js';
import { defaultRetention, retentionRule } from '../domain/retention-data.js';
import type { RulesData } from '../domain/rules-data.js';
import { toCsv } from '../dossiers/csv.js';
import { HttpError } from '../http/errors.js';
import type { FormError } from '../http/form-errors.js';
import type { UploadedFile } from '../http/multipart.js';
import { safeFilename } from '../refund/attachments.js';
import { judgeOverzicht } from '../refund/steps/overzicht.js';
import { FilingRefused, type RefundService } from '../refund/service.js';
import type { OrganisationAuth } from '../auth/guards.js';
import { COLUMN_BY_KEY, COLUMNS, ERRORS_HEADER } from './columns.js';
import { readBulkFile, type ParsedRow } from './parser.js';
import * as repo from './repository.js';
import type { RowToStore, StoredRow, UploadRow } from './repository.js';
import { validateEach, validateRows, type RowError, type RowResult, type ValidationContext } from './validate.js';

/** Rows filed per part at Bevestigen. */
const FILING_PART = 250;

type Conn = Db | Knex.Transaction;

/** Previews nobody confirmed are removed after this many days (the retention table's; the daily purge too). */
export const PREVIEW_RETENTION_DAYS = retentionRule(defaultRetention, 'bulkPreview').period.amount;

export type UploadOutcome = { ok: true; uploadId: number } | { ok: false; message: string };

export type ConfirmOutcome =
  | { status: 'submitted' }
  /** The declaration on honour was not ticked. */
  | { status: 'declaration'; errors: FormError[] }
  /** Something changed since the preview (a deadline passed, a dossier was filed): the rows were validated again. */
  | { status: 'changed' }
  | { status: 'nothing-valid' };

export interface BulkServiceDeps {
  db: Db;
  now: () => Date;
  rules: RulesData;
  /** Judging and filing are the form's (refund's service): a row becomes a draft that is filed as the form's are. */
  refund: RefundService;
}

/** "Startdatum: De einddatum moet …" — a row's problems as one cell of the errors CSV. */
export function errorsText(errors: readonly RowError[]): string {
  return errors.map((e) => (e.column ? `${COLUMN_BY_KEY.get(e.column)!.header}: ${e.message}` : e.message)).join(' | ');
}

/** The stored row as the validator reads it again. */
function parsedRowOf(row: StoredRow): ParsedRow {
  return { line: row.line, cells: row.cells, rowProblem: row.row_problem };
}

/** What decides what Bevestigen files: which rows, and for how many hours and euros. */
function sameOutcome(stored: StoredRow, fresh: RowResult): boolean {
  if (stored.valid !== fresh.valid) return false;
  if (!fresh.valid) return true;
  return stored.summary.vovHours === fresh.summary.vovHours && stored.summary.amountCents === fresh.summary.amountCents;
}

export function createBulkService({ db, now, rules, refund }: BulkServiceDeps) {
  /** The organisation's units and the counting dossiers of every employee in the file: two queries, whatever the size. */
  async function loadContext(
    conn: Conn,
    organisationId: number,
    rows: readonly ParsedRow[],
  ): Promise<ValidationContext> {
    const insz = rows.map((r) => normaliseInsz(r.cells.insz.trim())).filter((v): v is string => v !== null);
    return { today: todayInBrussels(now()), rules, ...(await refund.rulesContext(organisationId, insz, conn)) };
  }

  async function validate(conn: Conn, organisationId: number, rows: readonly ParsedRow[]): Promise<RowResult[]> {
    return validateRows(rows, await loadContext(conn, organisationId, rows));
  }

  /**
   * Reads and validates the stored rows again and stores the outcome when it differs from the preview's: then
   * 'changed'. Otherwise the valid rows, with only what filing needs: the rows read and judged here are garbage
   * once this returns, not held while thousands of dossiers are filed.
   */
  async function checkAgain(
    trx: Knex.Transaction,
    organisationId: number,
    upload: UploadRow,
  ): Promise<'changed' | { line: number; inputs: RowResult['inputs'] }[]> {
    const stored = await repo.allRows(trx, upload.id);
    const fresh = await validate(trx, organisationId, stored.map(parsedRowOf));
    if (fresh.some((r, i) => !sameOutcome(stored[i], r))) {
      await repo.updateRowResults(trx, upload.id, fresh);
      await repo.markRevalidated(trx, upload.id, fresh.filter((r) => r.valid).length, now());
      return 'changed';
    }
    return fresh.filter((r) => r.valid).map((r) => ({ line: r.line, inputs: r.inputs }));
  }

  async function findUpload(
    conn: Conn,
    organisationId: number,
    uploadId: number,
    forUpdate = false,
  ): Promise<UploadRow> {
    const upload = await repo.findUpload(conn, organisationId, uploadId, { forUpdate });
    if (!upload) throw new HttpError(404);
    return upload;
  }

  return {
    findUpload: (organisationId: number, uploadId: number) => findUpload(db, organisationId, uploadId),

    /** Reads, validates and stores an upload as a preview; nothing is submitted. */
    async upload(auth: OrganisationAuth, file: UploadedFile | undefined, requestId: string): Promise<UploadOutcome> {
      if (!file) return { ok: false, message: 'Kies het CSV-bestand met uw aanvragen.' };
      const read = readBulkFile(file.data);
      if (!read.ok) return read;
      const organisationId = auth.organisation.id;
      const context = await loadContext(db, organisationId, read.rows);
      // What the preview stores of each row; a row's step inputs and outputs are garbage as soon as it is judged.
      const rows: RowToStore[] = Array.from(validateEach(read.rows, context), (r, i) => ({
        line: r.line,
        valid: r.valid,
        cells: read.rows[i].cells,
        rowProblem: read.rows[i].rowProblem,
        errors: r.errors,
        summary: r.summary,
      }));
      const validCount = rows.filter((r) => r.valid).length;
      const uploadId = await db.transaction(async (trx) => {
        await repo.deleteStalePreviews(trx, new Date(now().getTime() - PREVIEW_RETENTION_DAYS * 86_400_000));
        const id = await repo.insertUpload(trx, {
          organisationId,
          createdBy: auth.person.id,
          filename: safeFilename(file.filename || 'aanvragen.csv'),
          encoding: read.encoding,
          notices: read.notices,
          rowCount: rows.length,
          validCount,
        });
        await repo.insertRows(trx, id, rows);
        await audit(trx, {
          action: 'bulk.uploaded',
          personId: auth.person.id,
          organisationId,
          details: { uploadId: id, rows: rows.length, valid: validCount },
          requestId,
        });
        return id;
      });
      return { ok: true, uploadId };
    },

    /**
     * Bevestigen, in one transaction: lock the upload row (a second confirmation, also on another instance,
     * waits here and then finds it submitted: the same dossiers, never new ones) and validate every row again
     * with the same rules. When that differs from the preview the user saw, nothing is filed: the preview is
     * updated and shown again. Otherwise each valid row becomes a draft, filed by refund's fileDrafts, the
     * code the form's Bevestigen uses.
     */
    async confirm(
      auth: OrganisationAuth,
      uploadId: number,
      declarationInput: Record<string, string>,
      requestId: string,
    ): Promise<ConfirmOutcome> {
      const organisationId = auth.organisation.id;
      try {
        return await db.transaction(async (trx): Promise<ConfirmOutcome> => {
          const upload = await findUpload(trx, organisationId, uploadId, true);
          if (upload.status === 'ingediend') return { status: 'submitted' };
          const declaration = judgeOverzicht(declarationInput);
          if (!declaration.ok) return { status: 'declaration', errors: declaration.errors };

          const valid = await checkAgain(trx, organisationId, upload);
          if (valid === 'changed') return { status: 'changed' };
          if (valid.length === 0) return { status: 'nothing-valid' };

          // Filed a part at a time in this one transaction (each part counts the dossiers of the parts before it):
          // the drafts, snapshots and mails of 5 000 rows at once took the bench's figure (h) over 200 MB.
          let filed = 0;
          for (let start = 0; start < valid.length; start += FILING_PART) {
            const part = valid.slice(start, start + FILING_PART);
            const draftIds = await refund.createDrafts(
              trx,
              auth,
              part.map((r) => ({ ...r.inputs, overzicht: { declaration: 'ja' } })),
            );
            const lines = new Map(draftIds.map((id, i) => [id, part[i].line]));
            const dossiers = await refund.fileDrafts(trx, auth, draftIds, declarationInput, {
              id: requestId,
              auditDetails: (draftId) => ({ bulkUploadId: uploadId, line: lines.get(draftId) }),
            });
            await repo.linkDossiers(
              trx,
              uploadId,
              dossiers.map((f) => ({ line: lines.get(f.draftId)!, dossierId: f.dossierId })),
            );
            filed += dossiers.length;
          }
          await repo.markSubmitted(trx, uploadId, auth.person.id, now());
          await audit(trx, {
            action: 'bulk.submitted',
            personId: auth.person.id,
            organisationId,
            details: { uploadId, dossiers: filed },
            requestId,
          });
          return { status: 'submitted' };
        });
      } catch (err) {
        if (!(err instanceof FilingRefused)) throw err;
        // A dossier for one of the rows was filed in the meantime (the form, or another upload): validating
        // again now finds it; the preview shows that row as a duplicate and nothing of this file was filed.
        return db.transaction(async (trx): Promise<ConfirmOutcome> => {
          const upload = await findUpload(trx, organisationId, uploadId, true);
          if (upload.status === 'ingediend') return { status: 'submitted' };
          await checkAgain(trx, organisationId, upload);
          return { status: 'changed' };
        });
      }
    },

    async discard(auth: OrganisationAuth, uploadId: number): Promise<boolean> {
      const deleted = await repo.deletePreview(db, auth.organisation.id, uploadId);
      if (deleted)
        await audit(db, {
          action: 'bulk.discarded',
          personId: auth.person.id,
          organisationId: auth.organisation.id,
          details: { uploadId },
        });
      return deleted;
    },

    /** The rows with problems, as uploaded, with a first column that says what to fix: to correct and upload again. */
    async invalidRowsCsv(organisationId: number, uploadId: number): Promise<{ upload: UploadRow; csv: string }> {
      const upload = await findUpload(db, organisationId, uploadId);
      const rows = await repo.allRows(db, uploadId, { onlyInvalid: true });
      const csv = toCsv(
        [ERRORS_HEADER, ...COLUMNS.map((c) => c.header)],
        rows.map((r) => [`Regel ${r.line}: ${errorsText(r.errors)}`, ...COLUMNS.map((c) => r.cells[c.key])]),
      );
      return { upload, csv };
    },
  };
}

export type BulkService = ReturnType<typeof createBulkService>;

/** The template: the header row of the column layout, UTF-8 with BOM and `;`, ready for Excel. */
export function templateCsv(): string {
  return toCsv(
    COLUMNS.map((c) => c.header),
    [],
  );
}
