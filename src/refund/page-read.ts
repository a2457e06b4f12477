import type { Request } from 'express';
import { normaliseInsz } from '../domain/insz.js';
import { pickFields } from '../http/form-body.js';
import { takePageRow, type PageRead } from '../http/session.js';
import { paths, NEW_DRAFT } from '../paths.js';
import { draftPageSql, toDraftPage, type DraftPage, type DraftPageRow, type StepInputs } from './repository.js';
import { OVERVIEW_STEP, stepBySlug, type StepDefinition } from './steps.js';
import { formActions, pressedAction } from '../http/form-actions.js';

/*
 * A form page's data (repository.draftPageSql) read in the same statement as the session and the auth
 * context: a step GET then costs one round trip, a step POST and Bevestigen one read each. The organisation is
 * the session's (`j.organisation_id` of the auth join: null when the person is not a member, so nothing of
 * another organisation is read). The guards still decide, after the read, whether the request may see it; a
 * Bevestigen they refuse (or CSRF does) leaves its reserved dossier number unused, a gap as after a double click.
 */

/** What a form request reads: the draft, the INSZ just posted (its prior dossiers), and a dossier number on Bevestigen. */
export interface DraftPageQuery {
  draftId: number | null;
  insz: readonly string[];
  reserveNumber: boolean;
}

/**
 * The employee whose prior dossiers a judgement of `inputs` (what was just posted) needs besides the stored
 * draft's: the one rule for the service's read and for the read made with the session.
 */
export function postedInsz(inputs: StepInputs): string[] {
  const insz = normaliseInsz(inputs.werknemer?.insz ?? '');
  return insz ? [insz] : [];
}

/** The draft page of this request when it was read with the session; else undefined (read it then). */
export type PreRead = (query: DraftPageQuery) => DraftPage | undefined;

const STEP_PATH = new RegExp(`^${paths.refund}/([1-9]\\d{0,15}|${NEW_DRAFT})/([a-z]+)$`);

/** The step request's draft and step, as the refund routes will see them; null for any other request. */
function stepRequest(req: Request): { draftId: number | null; step: StepDefinition } | null {
  if (req.method !== 'GET' && req.method !== 'POST') return null;
  const match = STEP_PATH.exec(req.path);
  const step = match ? stepBySlug(match[2]) : undefined;
  if (!match || !step) return null;
  return { draftId: match[1] === NEW_DRAFT ? null : Number(match[1]), step };
}

function bindingsOf(query: DraftPageQuery): unknown[] {
  return [query.draftId ?? 0, [...query.insz]];
}

/** What the refund routes will ask for this request (routes.ts and service.ts): the same query, so the read is used. */
function queryOf(req: Request): DraftPageQuery | null {
  const request = stepRequest(req);
  if (!request) return null;
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (req.method === 'GET') return { draftId: request.draftId, insz: [], reserveNumber: false };
  if (request.step === OVERVIEW_STEP)
    return pressedAction(body) === formActions.save || request.draftId === null
      ? null
      : { draftId: request.draftId, insz: [], reserveNumber: true };
  return {
    draftId: request.draftId,
    insz: postedInsz({ [request.step.id]: pickFields(request.step.fields, body) }),
    reserveNumber: false,
  };
}

function readOf(reserveNumber: boolean): PageRead {
  return {
    name: reserveNumber ? 'draft-page-reserve' : 'draft-page',
    sql: (first) =>
      draftPageSql(`SELECT $${first}::bigint AS draft_id, j.organisation_id, $${first + 1}::text[] AS insz`, {
        reserveNumber,
      }),
    bindings: (req) => {
      const query = queryOf(req);
      return query && query.reserveNumber === reserveNumber ? bindingsOf(query) : null;
    },
  };
}

const plainRead = readOf(false);
const reserveRead = readOf(true);

/** The reads to register with the session store (app.ts). */
export const draftPageReads: readonly PageRead[] = [plainRead, reserveRead];

/** This request's pre-read draft page, for the refund service; each page is used at most once. */
export function preReadOf(req: Request): PreRead {
  return (query) => {
    const row = takePageRow<DraftPageRow>(req, query.reserveNumber ? reserveRead : plainRead, bindingsOf(query));
    return row && toDraftPage(row);
  };
}
