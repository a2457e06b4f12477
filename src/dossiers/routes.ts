import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { organisationAuth, requireLogin, requireOrganisation, requireVovRight } from '../auth/guards.js';
import { formatDateNl, formatDateTimeNl, todayInBrussels } from '../domain/dates.js';
import { maskInsz } from '../domain/insz.js';
import { formatCount, formatDecimalNl, formatEuro } from '../domain/money.js';
import { parseSchoolYearLabel, schoolYearLabel } from '../domain/school-year.js';
import { initiativeLabels, trainingTypeLabels, type Initiative, type TrainingType } from '../domain/training.js';
import { HttpError } from '../http/errors.js';
import { noStore } from '../http/security.js';
import { paths, within, deleteDraftPath, draftPath, receiptPath, receiptPdfPath } from '../paths.js';
import { DOSSIER_STATUS_LABELS, receiptModel } from '../refund/receipt.js';
import { renderReceiptPdf } from '../refund/receipt-pdf.js';
import { listDrafts } from '../refund/repository.js';
import { recordAccess } from '../privacy/access.js';
import { dossierLifeModel } from '../decisions/timeline.js';
import { csvLine, CSV_BOM } from './csv.js';
import { cursorOf, keysetPager, withQuery } from './paging.js';
import {
  countDossiersUpTo,
  dossierSchoolYears,
  findDossierByNumber,
  findDossierPage,
  streamDossiers,
  type DossierFilter,
  type DossierListRow,
} from './repository.js';
import type { Services } from '../services.js';

type Handler = (req: Request, res: Response) => Promise<void>;

/** 266250 → '2662,50': a plain number that Excel in nl-BE reads as one (no € sign, no thousands dots). */
function euroAmountForCsv(cents: number): string {
  return `${Math.trunc(cents / 100)},${String(Math.abs(cents % 100)).padStart(2, '0')}`;
}

const DOSSIERNUMMER = /^VOV-\d{4}-\d{6,}$/;

const CSV_HEADER = [
  'Dossiernummer',
  'Werknemer',
  'INSZ (afgeschermd)',
  'Opleiding',
  'Soort opleiding',
  'Schooljaar',
  'Startdatum',
  'Initiatief',
  'Uren',
  'Indicatief bedrag (EUR)',
  'Status',
  'Ingediend op',
  'Status sinds',
  'Goedgekeurde uren',
  'Goedgekeurd bedrag (EUR)',
];

/** Dossiers per page of the overview. */
export const DOSSIERS_PAGE_SIZE = 25;

/** Up to this many dossiers the list says how many there are; beyond it "meer dan 1.000" (never a full count). */
export const DOSSIERS_COUNT_LIMIT = 1000;

/** The overview's filters as GET parameters: ?schooljaar=2025-2026&status=ingediend&zoek=Peeters (&na=… or &voor=…). */
interface OverviewQuery {
  schoolYear: number | null;
  status: string | null;
  search: string | null;
}

const STATUSES = Object.keys(DOSSIER_STATUS_LABELS);

/** Unknown values (also none) mean "no filter": a bookmarked or edited URL never gives an error page. */
function overviewQuery(req: Request): OverviewQuery {
  const text = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : '');
  const search = text('zoek').replace(/\s+/g, ' ').trim().slice(0, 100);
  return {
    schoolYear: parseSchoolYearLabel(text('schooljaar')),
    status: STATUSES.includes(text('status')) ? text('status') : null,
    search: search === '' ? null : search,
  };
}

function queryParams(q: OverviewQuery): Record<string, string | null> {
  return { schooljaar: q.schoolYear === null ? null : schoolYearLabel(q.schoolYear), status: q.status, zoek: q.search };
}

function listRow(d: DossierListRow) {
  return {
    dossiernummer: d.dossiernummer,
    employee: `${d.employee_first_name} ${d.employee_last_name}`,
    insz: maskInsz(d.employee_insz),
    training: d.training_name,
    trainingType: trainingTypeLabels[d.training_type as TrainingType] ?? d.training_type,
    schoolYear: schoolYearLabel(d.school_year_start),
    startDate: formatDateNl(d.training_start_date),
    initiative: initiativeLabels[d.initiative as Initiative] ?? d.initiative,
    hours: formatDecimalNl(Number(d.vov_hours)),
    amountCents: d.amount_cents,
    status: DOSSIER_STATUS_LABELS[d.status] ?? d.status,
    statusSince: formatDateTimeNl(d.status_changed_at ?? d.submitted_at),
    approvedHours: d.approved_hours === null ? '' : formatDecimalNl(Number(d.approved_hours)),
    approvedAmountCents: d.approved_amount_cents,
    submittedAt: formatDateTimeNl(d.submitted_at),
    href: receiptPath(d.dossiernummer),
  };
}

/**
 * Mijn dossiers, the follow-up overview: the organisation's dossiers filtered by school year and status,
 * searched by dossiernummer or employee name, a page at a time (GET parameters: works without JavaScript),
 * exportable as CSV with the same filters; the drafts; each dossier's receipt (page and PDF).
 */
export function dossierRoutes(deps: Pick<Services, 'db' | 'now' | 'rules'>): Router {
  const router = Router();
  router.use(requireLogin, requireOrganisation, requireVovRight, noStore);

  const filterOf = (req: Request, q: OverviewQuery): DossierFilter => ({
    organisationId: organisationAuth(req).organisation.id,
    schoolYearStart: q.schoolYear,
    status: q.status,
    search: q.search,
  });

  const list: Handler = async (req, res) => {
    const organisationId = organisationAuth(req).organisation.id;
    const q = overviewQuery(req);
    const filter = filterOf(req, q);
    const [total, page, years, drafts] = await Promise.all([
      countDossiersUpTo(deps.db, filter, DOSSIERS_COUNT_LIMIT),
      findDossierPage(deps.db, filter, cursorOf(req.query, DOSSIERNUMMER), DOSSIERS_PAGE_SIZE),
      dossierSchoolYears(deps.db, organisationId),
      listDrafts(deps.db, organisationId),
    ]);
    const params = queryParams(q);
    const filtered = q.schoolYear !== null || q.status !== null || q.search !== null;
    res.render('dossiers/index.njk', {
      dossiers: page.rows.map(listRow).map((d) => ({
        ...d,
        amount: formatEuro(d.amountCents),
        approvedAmount: d.approvedAmountCents === null ? '' : formatEuro(d.approvedAmountCents),
      })),
      total,
      totalText: total > DOSSIERS_COUNT_LIMIT ? `Meer dan ${formatCount(DOSSIERS_COUNT_LIMIT)}` : formatCount(total),
      filtered,
      drafts: drafts.map((d) => ({
        ...d,
        updatedAt: formatDateTimeNl(d.updated_at),
        resumeHref: draftPath(d.id),
        deleteHref: deleteDraftPath(d.id),
      })),
      schoolYearItems: [
        { value: '', text: 'Alle schooljaren' },
        ...years.map((y) => ({ value: schoolYearLabel(y), text: schoolYearLabel(y) })),
      ],
      statusItems: [
        { value: '', text: 'Alle statussen' },
        ...STATUSES.map((s) => ({ value: s, text: DOSSIER_STATUS_LABELS[s] })),
      ],
      selectedSchoolYear: params.schooljaar ?? '',
      selectedStatus: q.status ?? '',
      search: q.search ?? '',
      csvHref: withQuery(paths.dossiersExport, params),
      pagerModel: keysetPager(page, (cursor) => withQuery(paths.dossiers, { ...params, ...cursor })),
    });
  };

  const exportCsv: Handler = async (req, res) => {
    const auth = organisationAuth(req);
    const q = overviewQuery(req);
    const name = `dossiers-${auth.organisation.kbo}${q.schoolYear === null ? '' : `-${schoolYearLabel(q.schoolYear)}`}-${todayInBrussels(deps.now())}.csv`;
    res.attachment(name);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    // Streamed from a database cursor, a row at a time as the client reads: flat memory for any number of rows.
    // A failure or a closed connection half-way ends the download (the error handler drops the socket).
    await pipeline(
      streamDossiers(deps.db, filterOf(req, q)),
      async function* (rows: AsyncIterable<DossierListRow>) {
        yield `${CSV_BOM}${csvLine(CSV_HEADER)}`;
        for await (const row of rows) {
          const d = listRow(row);
          yield csvLine([
            d.dossiernummer,
            d.employee,
            d.insz,
            d.training,
            d.trainingType,
            d.schoolYear,
            d.startDate,
            d.initiative,
            d.hours,
            euroAmountForCsv(d.amountCents),
            d.status,
            d.submittedAt,
            d.statusSince,
            d.approvedHours,
            d.approvedAmountCents === null ? '' : euroAmountForCsv(d.approvedAmountCents),
          ]);
        }
      },
      res,
    );
  };

  const findDossier = async (req: Request) => {
    const nummer = String(req.params.dossiernummer);
    const dossier = DOSSIERNUMMER.test(nummer)
      ? await findDossierByNumber(deps.db, organisationAuth(req).organisation.id, nummer)
      : undefined;
    // Another organisation's dossier is "not found", not "forbidden": its existence is not confirmed.
    if (!dossier) throw new HttpError(404);
    return dossier;
  };

  // The dossier page: the receipt of what was filed, then its status, the employer's actions and its history.
  const receipt: Handler = async (req, res) => {
    const dossier = await findDossier(req);
    const model = receiptModel(dossier, deps.rules);
    await recordAccess(deps.db, req, deps.now(), { what: 'dossier', dossiernummer: model.dossiernummer });
    const life = await dossierLifeModel(req, deps.db, dossier);
    res.render('dossiers/receipt.njk', { receipt: model, pdfHref: receiptPdfPath(model.dossiernummer), life });
  };

  const receiptPdf: Handler = async (req, res) => {
    const model = receiptModel(await findDossier(req), deps.rules);
    await recordAccess(deps.db, req, deps.now(), { what: 'dossier-pdf', dossiernummer: model.dossiernummer });
    const pdf = await renderReceiptPdf(model);
    res.attachment(`ontvangstbevestiging-${model.dossiernummer}.pdf`);
    res.send(pdf);
  };

  router.get('/', list);
  router.get(within(paths.dossiers, paths.dossiersExport), exportCsv);
  router.get('/:dossiernummer', receipt);
  router.get('/:dossiernummer/ontvangstbevestiging.pdf', receiptPdf);
  return router;
}
