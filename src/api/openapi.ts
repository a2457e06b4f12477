import { createDocument } from 'zod-openapi';
import { API_SCOPES } from './clients.js';
import {
  attachmentList,
  attachmentPath,
  decisionBody,
  dossier,
  dossierPage,
  dossierPath,
  dossierState,
  feedQuery,
  idempotencyHeader,
  problem,
} from './schemas.js';

const json = <S>(schema: S) => ({ 'application/json': { schema } });
const problemContent = { 'application/problem+json': { schema: problem } };
const refusals = {
  '401': { description: 'No valid Bearer token.', content: problemContent },
  '403': { description: 'The token lacks the scope this call needs.', content: problemContent },
  '429': { description: 'Too many calls; retry after the Retry-After seconds.', content: problemContent },
};
const notFound = { '404': { description: 'No such dossier (or attachment).', content: problemContent } };

/** The OpenAPI 3.1 document of /api/v1, generated from the zod schemas that validate the requests. */
export function openApiDocument(serverUrl: string) {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'WSE-loket back-office API',
      version: '1.0.0',
      description: `Dossiers of Vlaams opleidingsverlof for the back office of the Departement WSE: read what was filed and decide. Scopes: ${API_SCOPES.join(', ')}.`,
    },
    servers: [{ url: `${serverUrl.replace(/\/+$/, '')}/api/v1` }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A client token from `npm run cli -- api-client:create`.',
        },
      },
    },
    paths: {
      '/dossiers': {
        get: {
          operationId: 'listDossiers',
          summary: 'Dossiers filed or changed since a cursor (scope read)',
          requestParams: { query: feedQuery },
          responses: {
            '200': { description: 'A page of dossiers, oldest change first.', content: json(dossierPage) },
            '400': { description: 'Invalid query.', content: problemContent },
            ...refusals,
          },
        },
      },
      '/dossiers/{dossiernummer}': {
        get: {
          operationId: 'getDossier',
          summary: 'One dossier (scope read)',
          requestParams: { path: dossierPath },
          responses: { '200': { description: 'The dossier.', content: json(dossier) }, ...refusals, ...notFound },
        },
      },
      '/dossiers/{dossiernummer}/bijlagen': {
        get: {
          operationId: 'listAttachments',
          summary: 'The attachments of a dossier (scope read)',
          requestParams: { path: dossierPath },
          responses: {
            '200': { description: 'The attachments, filed and sent with answers.', content: json(attachmentList) },
            ...refusals,
            ...notFound,
          },
        },
      },
      '/dossiers/{dossiernummer}/bijlagen/{bijlageId}': {
        get: {
          operationId: 'getAttachment',
          summary: 'The content of one attachment (scope read)',
          requestParams: { path: attachmentPath },
          responses: {
            '200': {
              description: 'The file as uploaded.',
              content: { 'application/pdf': {}, 'image/png': {}, 'image/jpeg': {} },
            },
            ...refusals,
            ...notFound,
          },
        },
      },
      '/dossiers/{dossiernummer}/beslissingen': {
        post: {
          operationId: 'decide',
          summary: 'Decide on a dossier (scope decide)',
          requestParams: { path: dossierPath, header: idempotencyHeader },
          requestBody: { required: true, content: json(decisionBody) },
          responses: {
            '200': { description: 'The decision is recorded; the dossier’s new state.', content: json(dossierState) },
            '400': { description: 'Invalid input: each field named.', content: problemContent },
            '409': {
              description:
                'The version is not the current one, or the status does not allow this decision; with the current state.',
              content: problemContent,
            },
            '422': { description: 'The Idempotency-Key was used for another request.', content: problemContent },
            ...refusals,
            ...notFound,
          },
        },
      },
    },
  });
}
