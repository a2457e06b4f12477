import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { organisationAuth, requireVovRight } from '../auth/guards.js';
import { formatDateNl, parseDateNl } from '../domain/dates.js';
import { HttpError } from '../http/errors.js';
import { parseForm, type FormError } from '../http/form-errors.js';
import { noStore } from '../http/security.js';
import { checkUpload, type CheckedUpload } from '../refund/attachments.js';
import { DOSSIER_STATUS_LABELS } from '../refund/receipt.js';
import { receiptPath, actionPath } from '../paths.js';
import { findDossierState, type DossierStateRow } from './repository.js';
import type { Change, ChangeOutcome } from './service.js';
import { isAllowed, type EmployerActionKind } from './transitions.js';
import './session.js';
import type { Services } from '../services.js';

const DOSSIERNUMMER = /^VOV-\d{4}-\d{6,}$/;

/** Each employer action: its page, the sentence when the status no longer allows it, and the notice after it. */
const ACTIONS: Record<
  EmployerActionKind,
  { slug: string; view: string; title: string; refused: string; done: string }
> = {
  geannuleerd: {
    slug: 'annuleren',
    view: 'decisions/withdraw.njk',
    title: 'Aanvraag annuleren',
    refused: 'U kunt deze aanvraag niet meer annuleren: dat kan alleen zolang ze de status Ingediend heeft.',
    done: 'De aanvraag is geannuleerd. De contactpersoon en de werknemer krijgen een e-mail.',
  },
  stopgezet: {
    slug: 'stopzetting',
    view: 'decisions/stop.njk',
    title: 'Stopzetting melden',
    refused: 'U kunt voor dit dossier geen stopzetting (meer) melden.',
    done: 'De stopzetting is gemeld aan het Departement Werk en Sociale Economie. De contactpersoon en de werknemer krijgen een e-mail.',
  },
  antwoord: {
    slug: 'aanvulling',
    view: 'decisions/answer.njk',
    title: 'Aanvulling bezorgen',
    refused:
      'Er is voor dit dossier geen vraag van het Departement Werk en Sociale Economie die op een antwoord wacht.',
    done: 'Uw antwoord is bezorgd aan het Departement Werk en Sociale Economie. De contactpersoon en de werknemer krijgen een e-mail.',
  },
};

const reasonSchema = z.object({
  reden: z
    .string()
    .trim()
    .min(1, 'Vul de reden van de annulering in.')
    .max(1000, 'Houd de reden korter dan 1000 tekens.'),
  bevestigd: z.string(),
  versie: z.string(),
});
const stopSchema = z.object({
  datum: z
    .string()
    .trim()
    .min(1, 'Vul de datum in waarop de werknemer de opleiding stopte.')
    .refine((v) => parseDateNl(v) !== null, 'Vul een bestaande datum in als dd/mm/jjjj, bijvoorbeeld 15/01/2026.'),
  versie: z.string(),
});
const answerSchema = z.object({
  antwoord: z.string().trim().min(1, 'Vul uw antwoord in.').max(4000, 'Houd uw antwoord korter dan 4000 tekens.'),
  versie: z.string(),
});

/**
 * The employer's actions on a dossier (Mijn dossiers → the dossier): withdraw while ingediend, report a stop,
 * answer a question of the back office. Only with the VOV right of the dossier's organisation; each a POST with
 * CSRF, then a redirect to the dossier page; a status that no longer allows it is refused in plain Dutch.
 */
export function decisionRoutes(deps: Pick<Services, 'db' | 'life' | 'now'>): Router {
  const router = Router();

  const load = async (req: Request): Promise<DossierStateRow> => {
    const nummer = String(req.params.dossiernummer);
    const auth = organisationAuth(req);
    const dossier = DOSSIERNUMMER.test(nummer)
      ? await findDossierState(deps.db, nummer, auth.organisation.id)
      : undefined;
    // Another organisation's dossier is "not found": its existence is not confirmed.
    if (!dossier) throw new HttpError(404);
    return dossier;
  };

  const refuse = (res: Response, dossier: DossierStateRow, message: string) =>
    res.status(409).render('decisions/refused.njk', {
      message,
      status: DOSSIER_STATUS_LABELS[dossier.status],
      dossierHref: receiptPath(dossier.dossiernummer),
      dossiernummer: dossier.dossiernummer,
    });

  const show = (
    res: Response,
    kind: EmployerActionKind,
    dossier: DossierStateRow,
    extra: { values?: Record<string, string>; errors?: FormError[]; status?: number; confirm?: boolean } = {},
  ) => {
    const action = ACTIONS[kind];
    res.status(extra.status ?? 200).render(extra.confirm ? 'decisions/withdraw-confirm.njk' : action.view, {
      title: action.title,
      dossiernummer: dossier.dossiernummer,
      employeeName: `${dossier.employee_first_name} ${dossier.employee_last_name}`,
      trainingName: dossier.training_name,
      startDate: formatDateNl(dossier.training_start_date),
      dossierHref: receiptPath(dossier.dossiernummer),
      action: actionPath(dossier.dossiernummer, action.slug),
      values: { versie: String(dossier.version), ...extra.values },
      errors: extra.errors ?? [],
    });
  };

  /** The outcome of a change as the employer sees it: back to the dossier, or a refusal, or the form with its error. */
  const answer = (
    req: Request,
    res: Response,
    kind: EmployerActionKind,
    outcome: ChangeOutcome,
    values: Record<string, string>,
  ) => {
    switch (outcome.outcome) {
      case 'done':
        req.session.dossierNotice = ACTIONS[kind].done;
        return res.redirect(303, receiptPath(outcome.dossier.dossiernummer));
      case 'not_allowed':
        return refuse(res, outcome.dossier, ACTIONS[kind].refused);
      case 'version_conflict':
        return refuse(
          res,
          outcome.dossier,
          'Het dossier werd intussen gewijzigd. Bekijk de nieuwe toestand en probeer het daarna opnieuw.',
        );
      case 'invalid':
        return show(res, kind, outcome.dossier, {
          values: { ...values, versie: String(outcome.dossier.version) },
          errors: [{ text: outcome.message, href: '#datum' }],
          status: 400,
        });
      default:
        throw new HttpError(404);
    }
  };

  const change = (req: Request, versie: string, c: Change) => {
    const auth = organisationAuth(req);
    const expected = Number(versie);
    return deps.life.change({
      dossiernummer: String(req.params.dossiernummer),
      organisationId: auth.organisation.id,
      expectedVersion: Number.isSafeInteger(expected) && expected > 0 ? expected : undefined,
      actor: { kind: 'werkgever', personId: auth.person.id, name: `${auth.person.firstName} ${auth.person.lastName}` },
      change: c,
      requestId: String(req.id ?? ''),
    });
  };

  const base = '/:dossiernummer';
  for (const kind of Object.keys(ACTIONS) as EmployerActionKind[]) {
    router.get(`${base}/${ACTIONS[kind].slug}`, requireVovRight, noStore, async (req, res) => {
      const dossier = await load(req);
      if (!isAllowed(kind, dossier.status)) return refuse(res, dossier, ACTIONS[kind].refused);
      show(res, kind, dossier);
    });
  }

  router.post(`${base}/annuleren`, requireVovRight, noStore, async (req, res) => {
    const dossier = await load(req);
    if (!isAllowed('geannuleerd', dossier.status)) return refuse(res, dossier, ACTIONS.geannuleerd.refused);
    const form = parseForm(reasonSchema, req.body);
    if (!form.ok) return show(res, 'geannuleerd', dossier, { values: form.values, errors: form.errors, status: 400 });
    // The confirmation page first; only its "Ja, annuleren" withdraws the request.
    if (form.data.bevestigd !== 'ja') return show(res, 'geannuleerd', dossier, { values: form.values, confirm: true });
    answer(
      req,
      res,
      'geannuleerd',
      await change(req, form.data.versie, { kind: 'geannuleerd', reason: form.data.reden }),
      form.values,
    );
  });

  router.post(`${base}/stopzetting`, requireVovRight, noStore, async (req, res) => {
    const dossier = await load(req);
    if (!isAllowed('stopgezet', dossier.status)) return refuse(res, dossier, ACTIONS.stopgezet.refused);
    const form = parseForm(stopSchema, req.body);
    if (!form.ok) return show(res, 'stopgezet', dossier, { values: form.values, errors: form.errors, status: 400 });
    const stopDate = parseDateNl(form.data.datum) as string;
    answer(req, res, 'stopgezet', await change(req, form.data.versie, { kind: 'stopgezet', stopDate }), form.values);
  });

  router.post(`${base}/aanvulling`, requireVovRight, noStore, async (req, res) => {
    const dossier = await load(req);
    if (!isAllowed('antwoord', dossier.status)) return refuse(res, dossier, ACTIONS.antwoord.refused);
    const form = parseForm(answerSchema, req.body);
    const errors: FormError[] = form.ok ? [] : [...form.errors];
    const uploads: CheckedUpload[] = [];
    for (const file of (req.files ?? []).filter((f) => f.field === 'bijlage')) {
      const checked = checkUpload('aanvulling', file);
      if (checked.ok) uploads.push(checked.upload);
      else if (!errors.some((e) => e.href === '#bijlage'))
        errors.push({ text: `${file.filename || 'Het bestand'}: ${checked.message}`, href: '#bijlage' });
    }
    // Files are not kept across a refused post (a browser can not refill a file input): the message says so.
    if (!form.ok || errors.length) {
      if (uploads.length && !errors.some((e) => e.href === '#bijlage'))
        errors.push({ text: 'Kies uw bijlagen opnieuw: ze werden nog niet verstuurd.', href: '#bijlage' });
      return show(res, 'antwoord', dossier, { values: form.values, errors, status: 400 });
    }
    answer(
      req,
      res,
      'antwoord',
      await change(req, form.data.versie, { kind: 'antwoord', text: form.data.antwoord, attachments: uploads }),
      form.values,
    );
  });

  return router;
}
