import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { organisationAuth, requireLogin, requireOrganisation, requireVovRight } from '../auth/guards.js';
import { positiveId } from '../http/params.js';
import { formatDateTimeNl, todayInBrussels } from '../domain/dates.js';
import { formatCount, formatDecimalNl, formatEuro } from '../domain/money.js';
import { toCsv } from '../dossiers/csv.js';
import { pageOf, pager, withQuery } from '../dossiers/paging.js';
import { HttpError } from '../http/errors.js';
import { hoursText } from '../refund/receipt.js';
import type { FormError } from '../http/form-errors.js';
import { rateLimit } from '../http/rate-limit.js';
import { noStore } from '../http/security.js';
import {
  paths,
  within,
  bulkReceiptCsvPath,
  bulkReceiptPath,
  bulkReceiptPdfPath,
  confirmPath,
  discardPath,
  invalidRowsCsvPath,
  uploadPath,
} from '../paths.js';
import { pickFields } from '../http/form-body.js';
import { safeFilename } from '../refund/attachments.js';
import { OVERZICHT_FIELDS } from '../refund/steps/overzicht.js';
import { COLUMN_BY_KEY, COLUMNS, type ColumnKey } from './columns.js';
import { MAX_FILE_BYTES, MAX_ROWS } from './parser.js';
import { bulkReceiptModel, receiptDossier } from './receipt.js';
import { renderBulkReceiptPdf } from './receipt-pdf.js';
import * as repo from './repository.js';
import { PREVIEW_RETENTION_DAYS, templateCsv } from './service.js';
import type { Services } from '../services.js';

type Handler = (req: Request, res: Response) => Promise<void>;

/** Rows per page of the preview and the summary receipt. */
export const PAGE_SIZE = 100;

/** Uploads a person may check per hour: reading and validating a full file costs about a second of work. */
export const UPLOADS_PER_HOUR = 60;

/** The form field of the file on the upload page. */
export const FILE_FIELD = 'bestand';

function header(key: ColumnKey | null): string {
  return key ? COLUMN_BY_KEY.get(key)!.header : '';
}

/** The column layout as the page (and the README) shows it. */
const columnRows = COLUMNS.map((c, i) => ({
  number: i + 1,
  header: c.header,
  requirement: c.requirement,
  format: c.format,
  example: c.example,
}));

function download(res: Response, type: string, filename: string, body: string | Buffer): void {
  res.attachment(safeFilename(filename));
  res.setHeader('Content-Type', type);
  res.send(body);
}

/**
 * Several refund requests from one CSV file: the explanation with the template and the column layout, the
 * upload, the preview (stored in the database, so any instance can show and confirm it), Bevestigen, and
 * the summary receipt with every dossiernummer (page, PDF, CSV). The VOV right is checked on every request.
 */
export function bulkRoutes(deps: Pick<Services, 'db' | 'now' | 'rules' | 'bulk'>): Router {
  const router = Router();
  const service = deps.bulk;
  router.use(requireLogin, requireOrganisation, requireVovRight, noStore);

  const renderStart = async (req: Request, res: Response, status: number, errors: FormError[]) => {
    const auth = organisationAuth(req);
    const since = new Date(deps.now().getTime() - PREVIEW_RETENTION_DAYS * 86_400_000);
    const uploads = await repo.listRecentUploads(deps.db, auth.organisation.id, since);
    res.status(status).render('bulk/start.njk', {
      errors,
      columns: columnRows,
      maxRows: formatCount(MAX_ROWS),
      maxMb: MAX_FILE_BYTES / 1024 / 1024,
      fileField: FILE_FIELD,
      discarded: req.query.verwijderd !== undefined,
      uploads: uploads.map((u) => ({
        filename: u.filename,
        createdAt: formatDateTimeNl(u.created_at),
        createdBy: u.created_by_name,
        rows: formatCount(u.row_count),
        valid: formatCount(u.valid_count),
        submitted: u.status === 'ingediend',
        href: u.status === 'ingediend' ? bulkReceiptPath(u.id) : uploadPath(u.id),
      })),
    });
  };

  const start: Handler = (req, res) => renderStart(req, res, 200, []);

  const template: Handler = async (_req, res) =>
    download(res, 'text/csv; charset=utf-8', 'sjabloon-meerdere-aanvragen-vov.csv', templateCsv());

  const upload: Handler = async (req, res) => {
    const file = (req.files ?? []).find((f) => f.field === FILE_FIELD);
    const outcome = await service.upload(organisationAuth(req), file, String(req.id ?? ''));
    if (!outcome.ok) return renderStart(req, res, 400, [{ text: outcome.message, href: `#${FILE_FIELD}` }]);
    res.redirect(303, uploadPath(outcome.uploadId));
  };

  const renderPreview = async (
    req: Request,
    res: Response,
    status: number,
    id: number,
    declarationErrors: FormError[],
  ) => {
    const auth = organisationAuth(req);
    const upload = await service.findUpload(auth.organisation.id, id);
    if (upload.status === 'ingediend') return res.redirect(303, bulkReceiptPath(id));
    const onlyInvalid = req.query.toon === 'fouten';
    const invalidCount = upload.row_count - upload.valid_count;
    const page = pageOf(req.query.pagina, onlyInvalid ? invalidCount : upload.row_count, PAGE_SIZE);
    const [rows, columns] = await Promise.all([
      repo.pageOfRows(deps.db, id, { onlyInvalid, offset: page.offset, limit: page.size }),
      invalidCount > 0 ? repo.errorColumns(deps.db, id) : Promise.resolve([]),
    ]);
    const order = new Map<string | null, number>([
      [null, -1],
      ...COLUMNS.map((c, i) => [c.key, i] as [string, number]),
    ]);
    // One entry per column with problems (not one per cell: a file can have thousands), linking to its first row.
    const rowErrors: FormError[] = columns
      .sort((a, b) => (order.get(a.column) ?? 99) - (order.get(b.column) ?? 99))
      .map((c) => {
        const where =
          c.rows === 1
            ? `op regel ${c.first_line}`
            : `op ${formatCount(c.rows)} regels, de eerste op regel ${c.first_line}`;
        const what = c.column
          ? `Kolom "${header(c.column as ColumnKey)}": een probleem ${where}`
          : `Een regel met te veel waarden ${where}`;
        return {
          text: what,
          href: `${withQuery(uploadPath(id), { toon: 'fouten', pagina: Math.floor(c.first_pos / PAGE_SIZE) + 1 })}#regel-${c.first_line}`,
        };
      });
    const hrefFor = (n: number) => withQuery(uploadPath(id), { toon: onlyInvalid ? 'fouten' : null, pagina: n });
    res.status(status).render('bulk/preview.njk', {
      // Only the declaration when Bevestigen was refused: every link of that summary then leads to a field.
      errors: declarationErrors.length ? declarationErrors : rowErrors,
      upload: { filename: upload.filename, createdAt: formatDateTimeNl(upload.created_at), notices: upload.notices },
      counts: {
        rows: formatCount(upload.row_count),
        valid: upload.valid_count,
        validText: formatCount(upload.valid_count),
        invalid: invalidCount,
        invalidText: formatCount(invalidCount),
      },
      changed: req.query.gewijzigd !== undefined,
      onlyInvalid,
      allHref: uploadPath(id),
      invalidHref: withQuery(uploadPath(id), { toon: 'fouten' }),
      invalidCsvHref: invalidRowsCsvPath(id),
      confirmAction: confirmPath(id),
      discardAction: discardPath(id),
      pagerModel: pager(page, hrefFor),
      rows: rows.map((r) => ({
        line: r.line,
        valid: r.valid,
        employee: r.summary.employee,
        insz: r.summary.inszMasked,
        training: r.summary.training,
        startDate: r.summary.startDate,
        schoolYear: r.summary.schoolYear,
        hours: r.summary.vovHours === null ? '' : formatDecimalNl(r.summary.vovHours),
        // As the form's overview says it (src/refund/summary.ts).
        capped: r.summary.trainingHoursWhenCapped
          ? `${hoursText(r.summary.vovHours ?? 0)} van de ${hoursText(r.summary.trainingHoursWhenCapped)} ` +
            'van de opleiding: beperkt tot wat overblijft van het persoonlijk maximum.'
          : null,
        amount: r.summary.amountCents === null ? '' : formatEuro(r.summary.amountCents),
        errors: r.errors.map((e) => ({ column: header(e.column), message: e.message })),
      })),
    });
  };

  const preview: Handler = (req, res) => renderPreview(req, res, 200, positiveId(req.params.id), []);

  const confirm: Handler = async (req, res) => {
    const id = positiveId(req.params.id);
    const declaration = pickFields(OVERZICHT_FIELDS, req.body);
    const outcome = await service.confirm(organisationAuth(req), id, declaration, String(req.id ?? ''));
    if (outcome.status === 'submitted') return res.redirect(303, bulkReceiptPath(id));
    if (outcome.status === 'declaration') return renderPreview(req, res, 400, id, outcome.errors);
    if (outcome.status === 'changed') return res.redirect(303, withQuery(uploadPath(id), { gewijzigd: 1 }));
    res.redirect(303, uploadPath(id));
  };

  const invalidCsv: Handler = async (req, res) => {
    const { upload, csv } = await service.invalidRowsCsv(
      organisationAuth(req).organisation.id,
      positiveId(req.params.id),
    );
    download(res, 'text/csv; charset=utf-8', `fouten-${upload.filename.replace(/\.csv$/i, '')}.csv`, csv);
  };

  const discard: Handler = async (req, res) => {
    const id = positiveId(req.params.id);
    const auth = organisationAuth(req);
    const upload = await service.findUpload(auth.organisation.id, id);
    if (upload.status === 'ingediend') return res.redirect(303, bulkReceiptPath(id));
    await service.discard(auth, id);
    res.redirect(303, `${paths.bulk}?verwijderd=1`);
  };

  /** The submitted upload with what the summary receipt needs; an upload not confirmed yet goes to its preview. */
  const loadReceipt = async (req: Request, res: Response, paged: boolean) => {
    const auth = organisationAuth(req);
    const id = positiveId(req.params.id);
    const upload = await service.findUpload(auth.organisation.id, id);
    if (upload.status !== 'ingediend') {
      res.redirect(303, uploadPath(id));
      return null;
    }
    // Every valid row became a dossier (Bevestigen files exactly the rows the preview counted as valid).
    const page = pageOf(req.query.pagina, upload.valid_count, PAGE_SIZE);
    const { organisation } = auth;
    const [totals, dossiers, submitter] = await Promise.all([
      repo.filedTotals(deps.db, id),
      repo.filedRows(deps.db, id, paged ? { offset: page.offset, limit: page.size } : undefined),
      deps
        .db('person')
        .where({ id: upload.submitted_by })
        .first<{ first_name: string; last_name: string } | undefined>('first_name', 'last_name'),
    ]);
    const submittedBy = submitter ? `${submitter.first_name} ${submitter.last_name}` : 'onbekend';
    return {
      id,
      page,
      model: bulkReceiptModel(upload, { organisation, submittedBy, totals, dossiers, rules: deps.rules }),
    };
  };

  const receipt: Handler = async (req, res) => {
    const loaded = await loadReceipt(req, res, true);
    if (!loaded) return;
    const { id, page, model } = loaded;
    res.render('bulk/receipt.njk', {
      receipt: model,
      pagerModel: pager(page, (n) => withQuery(bulkReceiptPath(id), { pagina: n })),
      pdfHref: bulkReceiptPdfPath(id),
      csvHref: bulkReceiptCsvPath(id),
    });
  };

  const receiptPdf: Handler = async (req, res) => {
    const loaded = await loadReceipt(req, res, false);
    if (!loaded) return;
    download(
      res,
      'application/pdf',
      `ontvangstbevestiging-bestand-${loaded.id}.pdf`,
      await renderBulkReceiptPdf(loaded.model),
    );
  };

  const receiptCsv: Handler = async (req, res) => {
    const auth = organisationAuth(req);
    const id = positiveId(req.params.id);
    const upload = await service.findUpload(auth.organisation.id, id);
    if (upload.status !== 'ingediend') return res.redirect(303, uploadPath(id));
    const rows = (await repo.filedRows(deps.db, id)).map(receiptDossier);
    const csv = toCsv(
      [
        'Regel',
        'Dossiernummer',
        'Werknemer',
        'INSZ (afgeschermd)',
        'Opleiding',
        'Schooljaar',
        'Uren',
        'Indicatief bedrag',
        'Status',
      ],
      rows.map((d) => [
        d.line,
        d.dossiernummer,
        d.employee,
        d.inszMasked,
        d.training,
        d.schoolYear,
        d.hours,
        d.amount,
        d.status,
      ]),
    );
    download(res, 'text/csv; charset=utf-8', `dossiers-bestand-${id}-${todayInBrussels(deps.now())}.csv`, csv);
  };

  router.get('/', start);
  router.post(
    '/',
    rateLimit(deps.db, {
      name: 'bulk-upload',
      limit: UPLOADS_PER_HOUR,
      windowSeconds: 3600,
      now: deps.now,
      key: (req) => String(req.auth!.person.id),
    }),
    upload,
  );
  router.get(within(paths.bulk, paths.bulkTemplate), template);
  router.get('/:id', preview);
  router.post('/:id/bevestigen', confirm);
  router.post('/:id/verwijderen', discard);
  router.get('/:id/fouten.csv', invalidCsv);
  router.get('/:id/ontvangstbevestiging', receipt);
  router.get('/:id/ontvangstbevestiging.pdf', receiptPdf);
  router.get('/:id/dossiers.csv', receiptCsv);
  return router;
}

/**
 * A file over the multipart limit (10 MB) is refused before any route runs; on the upload page that
 * refusal should speak of the 5 MB a CSV file may have, not of attachments. Mount it after the parsers.
 */
export const bulkFileTooLarge: ErrorRequestHandler = (err, req, _res, next) => {
  if (err instanceof HttpError && err.status === 413 && req.method === 'POST' && req.path === paths.bulk) {
    return next(
      new HttpError(
        413,
        `Een CSV-bestand met aanvragen mag hoogstens ${MAX_FILE_BYTES / 1024 / 1024} MB groot zijn en ${formatCount(MAX_ROWS)} regels hebben. Verdeel de aanvragen over meerdere bestanden.`,
      ),
    );
  }
  next(err);
};
