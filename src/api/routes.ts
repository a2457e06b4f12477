import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { sha256Hex } from '../decisions/service.js';
import type { Change } from '../decisions/service.js';
import { findDossierAttachmentContent, findDossierState } from '../decisions/repository.js';
import { HttpError, isDatabaseUnavailable } from '../http/errors.js';
import { rateLimit } from '../http/rate-limit.js';
import { clientForToken, type ApiClient, type ApiScope } from './clients.js';
import { apiDossiers, apiState, attachmentsOf, feed } from './dossiers.js';
import { openApiDocument } from './openapi.js';
import {
  attachmentPath,
  decisionBody,
  dossierPath,
  feedQuery,
  idempotencyHeader,
  type DecisionBody,
} from './schemas.js';
import type { Services } from '../services.js';
import { safeFilename, type AllowedContentType } from '../refund/attachments.js';

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Authentication required',
  403: 'Missing scope',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request body too large',
  415: 'Unsupported media type',
  422: 'Idempotency-Key reused',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

/** An RFC 9457 problem answer: every API error is one, never an HTML page. */
function problem(
  res: Response,
  status: number,
  extra: { detail?: string; errors?: { field: string; message: string }[]; dossier?: unknown } = {},
) {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, ...extra }));
}

/** Every invalid field by its path (`uren`, `vraag`, `path.dossiernummer`), for the 400 answer. */
function fieldErrors(error: z.ZodError, prefix = ''): { field: string; message: string }[] {
  return error.issues.map((i) => ({
    field: `${prefix}${i.path.join('.') || (prefix ? prefix.slice(0, -1) : 'body')}`,
    message: i.message,
  }));
}

class ApiInputError extends Error {
  constructor(readonly errors: { field: string; message: string }[]) {
    super('invalid input');
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiInputError(fieldErrors(result.error, prefix));
  return result.data;
}

const clientOf = (res: Response) => res.locals.apiClient as ApiClient;

function toChange(body: DecisionBody): Change {
  switch (body.beslissing) {
    case 'in_behandeling':
      return { kind: 'in_behandeling' };
    case 'aanvulling_gevraagd':
      return { kind: 'aanvulling_gevraagd', question: body.vraag, dueDate: body.antwoordTegen };
    case 'goedgekeurd':
      return { kind: 'goedgekeurd', hours: body.uren, amountCents: body.bedragCent ?? null };
    case 'geweigerd':
      return { kind: 'geweigerd', reason: body.reden };
  }
}

/**
 * The back-office JSON API under /api/v1: Bearer tokens per client (no session, no CSRF: it is mounted before
 * them), scopes, a rate limit per client, every call in the audit log, problem+json for every error.
 */
export function apiRoutes(deps: Pick<Services, 'db' | 'config' | 'life' | 'logger' | 'now'>): Router {
  const { db, config, life, logger } = deps;
  const router = Router();
  const document = openApiDocument(config.publicUrl);

  // Every call, answered or refused, in the audit log once it is answered.
  router.use((req, res, next) => {
    res.on('finish', () => {
      const client = res.locals.apiClient as ApiClient | undefined;
      db('audit_log')
        .insert({
          action: 'api.call',
          details: {
            client: client?.name ?? null,
            clientId: client?.id ?? null,
            method: req.method,
            path: req.originalUrl.slice(0, 300),
            status: res.statusCode,
          },
          request_id: String(req.id ?? ''),
        })
        .catch((err: unknown) => logger.error({ err, requestId: req.id }, 'api audit entry failed'));
    });
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  router.get('/openapi.json', (_req, res) => void res.json(document));

  const authenticate: RequestHandler = async (req, res, next) => {
    try {
      const m = /^Bearer ([\x21-\x7e]+)$/.exec(req.get('authorization') ?? '');
      const client = m ? await clientForToken(db, m[1]) : undefined;
      if (!client) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="wse-loket"');
        return problem(res, 401, { detail: 'Send a valid client token as "Authorization: Bearer <token>".' });
      }
      res.locals.apiClient = client;
      next();
    } catch (err) {
      next(err);
    }
  };
  const scope =
    (needed: ApiScope): RequestHandler =>
    (_req, res, next) =>
      clientOf(res).scopes.includes(needed)
        ? next()
        : problem(res, 403, { detail: `This call needs the scope "${needed}".` });

  router.use(
    authenticate,
    rateLimit(db, {
      name: 'api',
      limit: config.apiRateLimitPerMinute,
      windowSeconds: 60,
      now: deps.now,
      key: (r) => String(clientOf(r.res as Response).id),
    }),
    express.json({ limit: '100kb', type: ['application/json', 'application/*+json'] }),
  );

  type Handler = (req: Request, res: Response) => Promise<void>;
  const handle =
    (fn: Handler): RequestHandler =>
    (req, res, next) =>
      fn(req, res).catch(next);

  router.get(
    '/dossiers',
    scope('read'),
    handle(async (req, res) => {
      const q = parse(feedQuery, req.query, 'query.');
      res.json(await feed(db, q.na ?? null, q.aantal));
    }),
  );

  router.get(
    '/dossiers/:dossiernummer',
    scope('read'),
    handle(async (req, res) => {
      const { dossiernummer } = parse(dossierPath, req.params, 'path.');
      const row = await findDossierState(db, dossiernummer);
      if (!row) return problem(res, 404, { detail: `No dossier ${dossiernummer}.` });
      res.json((await apiDossiers(db, [row]))[0]);
    }),
  );

  router.get(
    '/dossiers/:dossiernummer/bijlagen',
    scope('read'),
    handle(async (req, res) => {
      const { dossiernummer } = parse(dossierPath, req.params, 'path.');
      const row = await findDossierState(db, dossiernummer);
      if (!row) return problem(res, 404, { detail: `No dossier ${dossiernummer}.` });
      res.json({ bijlagen: await attachmentsOf(db, row) });
    }),
  );

  router.get(
    '/dossiers/:dossiernummer/bijlagen/:bijlageId',
    scope('read'),
    handle(async (req, res) => {
      const { dossiernummer, bijlageId } = parse(attachmentPath, req.params, 'path.');
      const row = await findDossierState(db, dossiernummer);
      const file = row ? await findDossierAttachmentContent(db, row.draft_id, bijlageId) : undefined;
      if (!file) return problem(res, 404, { detail: 'No such attachment in this dossier.' });
      res.attachment(safeFilename(file.filename, file.content_type as AllowedContentType));
      res.setHeader('Content-Type', file.content_type);
      res.send(file.content);
    }),
  );

  router.post(
    '/dossiers/:dossiernummer/beslissingen',
    scope('decide'),
    handle(async (req, res) => {
      const { dossiernummer } = parse(dossierPath, req.params, 'path.');
      const key = parse(idempotencyHeader, { 'idempotency-key': req.get('idempotency-key') }, 'header.')[
        'idempotency-key'
      ];
      if (!req.is('application/json')) return problem(res, 415, { detail: 'Send the decision as application/json.' });
      const body = parse(decisionBody, req.body, '');
      const client = clientOf(res);
      const outcome = await life.change({
        dossiernummer,
        expectedVersion: body.versie,
        actor: { kind: 'backoffice', clientId: client.id, name: client.name },
        change: toChange(body),
        requestId: String(req.id ?? ''),
        idempotency: key
          ? {
              clientId: client.id,
              key,
              requestHash: sha256Hex(JSON.stringify([dossiernummer, body])),
              answer: (d) => ({ status: 200, body: apiState(d) }),
            }
          : undefined,
      });
      switch (outcome.outcome) {
        case 'done':
          return void res.status(200).json(apiState(outcome.dossier));
        case 'replay':
          res.setHeader('Idempotency-Replayed', 'true');
          return void res.status(outcome.status).json(outcome.body);
        case 'key_reused':
          return problem(res, 422, {
            detail: 'This Idempotency-Key was used for another request; use a new key per decision.',
          });
        case 'not_found':
          return problem(res, 404, { detail: `No dossier ${dossiernummer}.` });
        case 'version_conflict':
          return problem(res, 409, {
            detail: `The dossier is at version ${outcome.dossier.version}, not ${body.versie}: it changed since it was read. Read it again before deciding.`,
            dossier: apiState(outcome.dossier),
          });
        case 'not_allowed':
          return problem(res, 409, {
            detail: `A dossier with status ${outcome.dossier.status} can not become ${body.beslissing}.`,
            dossier: apiState(outcome.dossier),
          });
        case 'invalid':
          return problem(res, 400, { errors: [{ field: outcome.field, message: outcome.message }] });
      }
    }),
  );

  router.use((_req, res) => problem(res, 404, { detail: 'No such API call.' }));

  const errors: ErrorRequestHandler = (err, req, res, _next) => {
    if (res.headersSent) return req.socket.destroy();
    if (err instanceof ApiInputError) return problem(res, 400, { errors: err.errors });
    const e = err as { type?: string; status?: number };
    if (e?.type === 'entity.parse.failed')
      return problem(res, 400, {
        detail: 'The body is not valid JSON.',
        errors: [{ field: 'body', message: 'Invalid JSON' }],
      });
    if (e?.type === 'entity.too.large') return problem(res, 413);
    if (err instanceof HttpError && err.status === 429)
      return problem(res, 429, { detail: 'Too many calls for this client; wait a minute.' });
    if (isDatabaseUnavailable(err)) {
      res.setHeader('Retry-After', '10');
      return problem(res, 503);
    }
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return problem(res, e.status);
    logger.error({ err, requestId: req.id }, 'api request failed');
    problem(res, 500, { detail: `Reference ${String(req.id ?? '')}` });
  };
  router.use(errors);
  return router;
}
