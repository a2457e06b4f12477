import { formatDateTimeNl } from '../domain/dates.js';
import { maskInsz } from '../domain/insz.js';
import { formatKbo } from '../domain/kbo.js';
import { formatEuro } from '../domain/money.js';
import type { RulesData } from '../domain/rules-data.js';
import { schoolYearLabel } from '../domain/school-year.js';
import { DOSSIER_STATUS_LABELS, hoursText } from '../refund/receipt.js';
import { receiptPath } from '../paths.js';
import { formatCount } from '../domain/money.js';
import type { FiledRow, UploadRow } from './repository.js';

export interface BulkReceiptDossier {
  line: number;
  dossiernummer: string;
  href: string;
  employee: string;
  inszMasked: string;
  training: string;
  schoolYear: string;
  hours: string;
  amount: string;
  status: string;
}

/** The summary receipt of a confirmed upload; the page and the PDF are made from this one model. */
export interface BulkReceiptModel {
  reference: string;
  count: number;
  /** "5.000" */
  countText: string;
  rows: { key: string; value: string }[];
  dossiers: BulkReceiptDossier[];
  nextSteps: string[];
  contactEmail: string;
}

export function receiptDossier(d: FiledRow): BulkReceiptDossier {
  return {
    line: d.line,
    dossiernummer: d.dossiernummer,
    href: receiptPath(d.dossiernummer),
    employee: `${d.employee_first_name} ${d.employee_last_name}`,
    inszMasked: maskInsz(d.employee_insz),
    training: d.training_name,
    schoolYear: schoolYearLabel(d.school_year_start),
    hours: hoursText(Number(d.vov_hours)),
    amount: formatEuro(d.amount_cents),
    status: DOSSIER_STATUS_LABELS[d.status] ?? d.status,
  };
}

export function bulkReceiptModel(
  upload: UploadRow,
  o: {
    organisation: { name: string; kbo: string };
    submittedBy: string;
    totals: { count: number; amountCents: number };
    dossiers: FiledRow[];
    rules: RulesData;
  },
): BulkReceiptModel {
  const notFiled = upload.row_count - o.totals.count;
  return {
    reference: `${upload.filename} (${formatDateTimeNl(upload.submitted_at ?? upload.created_at)})`,
    count: o.totals.count,
    countText: formatCount(o.totals.count),
    rows: [
      { key: 'Ontvangen op', value: formatDateTimeNl(upload.submitted_at ?? upload.created_at) },
      { key: 'Organisatie', value: `${o.organisation.name} (KBO ${formatKbo(o.organisation.kbo)})` },
      { key: 'Ingediend door', value: o.submittedBy },
      { key: 'Bestand', value: upload.filename },
      { key: 'Aantal dossiers', value: formatCount(o.totals.count) },
      ...(notFiled > 0
        ? [
            {
              key: 'Niet ingediend',
              value: `${formatCount(notFiled)} ${notFiled === 1 ? 'regel' : 'regels'} met fouten`,
            },
          ]
        : []),
      { key: 'Indicatief bedrag (samen)', value: formatEuro(o.totals.amountCents) },
    ],
    dossiers: o.dossiers.map(receiptDossier),
    nextSteps: [
      'Elke aanvraag is een apart dossier met een eigen dossiernummer en een eigen ontvangstbevestiging. U en de werknemers met een e-mailadres krijgen die per e-mail.',
      'Het Departement Werk en Sociale Economie behandelt de aanvragen. U hoeft nu niets meer te doen.',
      'De terugbetaling volgt per kwartaal, na controle van de aangifte van uw werknemers (DmfA) en van de aanwezigheidsattesten van de opleidingsverstrekkers.',
      'U volgt de dossiers op in Mijn dossiers. Vermeld het dossiernummer als u contact met ons opneemt.',
    ],
    contactEmail: o.rules.contact.supportEmail,
  };
}
