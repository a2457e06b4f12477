import { Router, type Request, type Response } from 'express';
import { requireLogin, requireOrganisation, requireVovRight } from '../auth/guards.js';
import type { Db } from '../db/knex.js';
import { formatDateNl, formatDateTimeNl, todayInBrussels } from '../domain/dates.js';
import { maskInsz } from '../domain/insz.js';
import { formatDecimalNl, formatEuro } from '../domain/money.js';
import type { RulesData } from '../domain/rules-data.js';
import { parseSchoolYearLabel, schoolYearLabel } from '../domain/school-year.js';
import { initiativeLabels, trainingTypeLabels, type Initiative, type TrainingType } from '../domain/training.js';
import { HttpError } from '../http/errors.js';
import { noStore } from '../http/security.js';
import { paths } from '../paths.js';
import { DOSSIER_STATUS_LABELS, receiptModel } from '../refund/receipt.js';
import { renderReceiptPdf } from '../refund/receipt-pdf.js';
import { dossierSchoolYears, findDossierByNumber, listDossiers, listDrafts } from '../refund/repository.js';
import type { OrganisationAuth } from '../refund/service.js';
import { deleteDraftPath, draftPath, receiptPath, receiptPdfPath } from '../refund/urls.js';
import { toCsv } from './csv.js';

export interface DossierRouteDeps {
  db: Db;
  now: () => Date;
  rules: RulesData;
}

type Handler = (req: Request, res: Response) => Promise<void>;

/** 266250 → '2662,50': a plain number that Excel in nl-BE reads as one (no € sign, no thousands dots). */
function euroAmountForCsv(cents: number): string {
  return `${Math.trunc(cents / 100)},${String(Math.abs(cents % 100)).padStart(2, '0')}`;
}

const DOSSIERNUMMER = /^VOV-\d{4}-\d{6,}$/;

const CSV_HEADER = ['Dossiernummer', 'Werknemer', 'INSZ (afgeschermd)', 'Opleiding', 'Soort opleiding', 'Schooljaar', 'Startdatum', 'Initiatief', 'Uren', 'Indicatief bedrag (EUR)', 'Status', 'Ingediend op'];

/** Mijn dossiers: the organisation's dossiers and drafts, each dossier's receipt (page and PDF), and the CSV export. */
export function dossierRoutes(deps: DossierRouteDeps): Router {
  const router = Router();
  router.use(paths.dossiers, requireLogin, requireOrganisation, requireVovRight, noStore);

  /** ?schooljaar=2025-2026 filters; anything else (also nothing) means every school year. */
  const schoolYearFilter = (req: Request): number | null => (typeof req.query.schooljaar === 'string' ? parseSchoolYearLabel(req.query.schooljaar) : null);

  const loadList = async (req: Request) => {
    const organisationId = (req.auth as OrganisationAuth).organisation.id;
    const schoolYear = schoolYearFilter(req);
    const rows = await listDossiers(deps.db, organisationId, schoolYear);
    return {
      schoolYear,
      dossiers: rows.map((d) => ({
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
        submittedAt: formatDateTimeNl(d.submitted_at),
        href: receiptPath(d.dossiernummer),
      })),
    };
  };

  const list: Handler = async (req, res) => {
    const organisationId = (req.auth as OrganisationAuth).organisation.id;
    const [{ schoolYear, dossiers }, years, drafts] = await Promise.all([loadList(req), dossierSchoolYears(deps.db, organisationId), listDrafts(deps.db, organisationId)]);
    const selected = schoolYear === null ? '' : schoolYearLabel(schoolYear);
    res.render('dossiers/index.njk', {
      dossiers: dossiers.map((d) => ({ ...d, amount: formatEuro(d.amountCents) })),
      drafts: drafts.map((d) => ({ ...d, updatedAt: formatDateTimeNl(d.updated_at), resumeHref: draftPath(d.id), deleteHref: deleteDraftPath(d.id) })),
      schoolYearItems: [{ value: '', text: 'Alle schooljaren' }, ...years.map((y) => ({ value: schoolYearLabel(y), text: schoolYearLabel(y) }))],
      selectedSchoolYear: selected,
      csvHref: selected ? `${paths.dossiersExport}?schooljaar=${encodeURIComponent(selected)}` : paths.dossiersExport,
    });
  };

  const exportCsv: Handler = async (req, res) => {
    const auth = req.auth as OrganisationAuth;
    const { schoolYear, dossiers } = await loadList(req);
    const csv = toCsv(
      CSV_HEADER,
      dossiers.map((d) => [d.dossiernummer, d.employee, d.insz, d.training, d.trainingType, d.schoolYear, d.startDate, d.initiative, d.hours, euroAmountForCsv(d.amountCents), d.status, d.submittedAt]),
    );
    const name = `dossiers-${auth.organisation.kbo}${schoolYear === null ? '' : `-${schoolYearLabel(schoolYear)}`}-${todayInBrussels(deps.now())}.csv`;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.send(csv);
  };

  const findReceipt = async (req: Request) => {
    const nummer = String(req.params.dossiernummer);
    const dossier = DOSSIERNUMMER.test(nummer) ? await findDossierByNumber(deps.db, (req.auth as OrganisationAuth).organisation.id, nummer) : undefined;
    // Another organisation's dossier is "not found", not "forbidden": its existence is not confirmed.
    if (!dossier) throw new HttpError(404);
    return receiptModel(dossier, deps.rules);
  };

  const receipt: Handler = async (req, res) => {
    const model = await findReceipt(req);
    res.render('dossiers/receipt.njk', { receipt: model, pdfHref: receiptPdfPath(model.dossiernummer) });
  };

  const receiptPdf: Handler = async (req, res) => {
    const model = await findReceipt(req);
    const pdf = await renderReceiptPdf(model);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="ontvangstbevestiging-${model.dossiernummer}.pdf"`);
    res.send(pdf);
  };

  router.get(paths.dossiers, list);
  router.get(paths.dossiersExport, exportCsv);
  router.get(`${paths.dossiers}/:dossiernummer`, receipt);
  router.get(`${paths.dossiers}/:dossiernummer/ontvangstbevestiging.pdf`, receiptPdf);
  return router;
}
