import { inflateRawSync } from 'node:zlib';
import request from 'supertest';
import type { App } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { devIdpUrls } from '../../src/auth/saml-config.js';
import { developmentKeyPair } from '../../src/auth/keys.js';
import type { ResponseSpec, SigningKey } from '../../src/auth/dev-idp/saml-response.js';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/http/logger.js';
import type { TestApp } from '../helpers/app.js';

export type Browser = ReturnType<typeof request.agent>;

/**
 * Starts a login the way a browser does and returns the ID of the AuthnRequest the SP issued, and the
 * browser (it holds the login cookie the response must come back with).
 */
export async function startLogin(
  app: App,
  terug?: string,
  browser: Browser = request.agent(app),
): Promise<{ requestId: string; relayState: string | null; location: URL; browser: Browser }> {
  const res = await browser.get(terug ? `/aanmelden?terug=${encodeURIComponent(terug)}` : '/aanmelden');
  if (res.status !== 302) throw new Error(`GET /aanmelden answered ${res.status}`);
  const location = new URL(res.headers.location);
  const xml = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  const requestId = /ID="([^"]+)"/.exec(xml)![1];
  return { requestId, relayState: location.searchParams.get('RelayState'), location, browser };
}

/** The development IdP's key pair (the same in-memory one the app uses within this test process). */
export function idpSigner(config: Config): SigningKey {
  return developmentKeyPair(config, 'dev-idp');
}

/** A response the SP must accept, for the person Lotte Peeters; tests change one thing at a time. */
export function validSpec(config: Config, inResponseTo: string | null, now = new Date()): ResponseSpec {
  const names = config.saml.attributes;
  return {
    issuer: devIdpUrls(config).entityId,
    destination: config.saml.acsUrl,
    recipient: config.saml.acsUrl,
    audience: config.saml.spEntityId,
    inResponseTo,
    nameId: 'pseudonym-lotte',
    attributes: {
      [names.insz]: '85073003328',
      [names.givenName]: 'Lotte',
      [names.surname]: 'Peeters',
      [names.email]: 'lotte@example.org',
    },
    authnContextClassRef: 'urn:wse-loket:dev-idp:ac:eid',
    now,
  };
}

/** Posts a response to the ACS from `browser` (same-site: the login cookie goes along when it has one). */
export function postToAcs(browser: Browser, xml: string, relayState?: string) {
  return browser
    .post('/auth/saml/acs')
    .type('form')
    .send({
      SAMLResponse: Buffer.from(xml, 'utf8').toString('base64'),
      ...(relayState ? { RelayState: relayState } : {}),
    });
}

/** A second portal instance on the same database (as behind a load balancer). */
export function secondInstance(t: TestApp): App {
  return createApp(t.config, { db: t.database.db, databaseUrl: t.database.url, logger: createLogger('silent') });
}

export async function countRows(t: TestApp, table: string): Promise<number> {
  const row = await t.database.db(table).count<{ count: number }[]>('* as count').first();
  return Number(row?.count ?? 0);
}

export async function lastAuditReason(t: TestApp): Promise<string | undefined> {
  const row = await t.database.db('audit_log').where({ action: 'login.failed' }).orderBy('id', 'desc').first();
  return row?.details?.reason;
}
