import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateBody, serviceProviderKeys } from '../../src/auth/keys.js';
import { verifyRedirectSignature, type RedirectMessage } from '../../src/auth/dev-idp/redirect-binding.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { page } from '../helpers/page.js';
import { countRows, startLogin } from './saml-fixtures.js';

describe('the service provider', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '10000' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves its metadata with the signing certificate, the ACS and the SLO endpoint', async () => {
    const res = await request(t.app).get('/auth/saml/metadata').expect(200);
    expect(res.headers['content-type']).toContain('application/samlmetadata+xml');
    // SAML metadata, not a page: the XML an IdP reads is the point.
    expect(res.text).toContain(`entityID="${t.config.saml.spEntityId}"`);
    expect(res.text).toContain('AuthnRequestsSigned="true"');
    expect(res.text).toContain('WantAssertionsSigned="true"');
    expect(res.text).toMatch(
      /<AssertionConsumerService [^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="http:\/\/127\.0\.0\.1:3999\/auth\/saml\/acs"/,
    );
    expect(res.text).toMatch(
      /<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http:\/\/127\.0\.0\.1:3999\/auth\/saml\/slo"/,
    );
    const cert = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(res.text)![1];
    expect(cert.replace(/\s+/g, '')).toBe(certificateBody(serviceProviderKeys(t.config).cert));
  });

  it('starts a login with a signed AuthnRequest (HTTP-Redirect), stored for the InResponseTo check, without a session', async () => {
    const res = await request(t.app).get('/aanmelden').expect(302);
    // No session: only the short-lived cookie that binds this login to this browser.
    const loginCookieHeader =
      /^loket-login=[A-Za-z0-9_-]{43}; Max-Age=900; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/;
    expect(res.headers['set-cookie']).toEqual([expect.stringMatching(loginCookieHeader)]);
    expect(res.headers['cache-control']).toBe('no-store');
    const location = new URL(res.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:3999/dev-idp/sso');
    const message = Object.fromEntries(location.searchParams) as unknown as RedirectMessage;
    expect(message.SigAlg).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(verifyRedirectSignature(message, serviceProviderKeys(t.config).cert)).toBe(true);
    expect(verifyRedirectSignature({ ...message, RelayState: '/elders' }, serviceProviderKeys(t.config).cert)).toBe(
      false,
    );
    const xml = inflateRawSync(Buffer.from(message.SAMLRequest!, 'base64')).toString('utf8');
    expect(xml).toContain('AssertionConsumerServiceURL="http://127.0.0.1:3999/auth/saml/acs"');
    expect(xml).toContain('Destination="http://127.0.0.1:3999/dev-idp/sso"');
    expect(xml).toContain(`>${t.config.saml.spEntityId}</saml:Issuer>`);
    const id = /ID="([^"]+)"/.exec(xml)![1];
    const row = await t.database.db('saml_request').where({ id }).first();
    expect(row.expires_at.getTime()).toBeGreaterThan(Date.now());
    const loginCookie = /^loket-login=([^;]+)/.exec(res.headers['set-cookie'][0])![1];
    expect(row.browser_hash).toBe(createHash('sha256').update(loginCookie).digest('hex')); // the hash, never the value
  });

  it('answers a POST without SAMLResponse with the failure page', async () => {
    const res = await request(t.app).post('/auth/saml/acs').type('form').send({}).expect(401);
    expect(page(res.text).h1).toBe('Aanmelden is niet gelukt');
    expect(page(res.text).link('Opnieuw aanmelden')).toBe('/aanmelden');
  });

  it('answers garbage with the failure page, not a crash', async () => {
    const res = await request(t.app)
      .post('/auth/saml/acs')
      .type('form')
      .send({ SAMLResponse: Buffer.from('<x><y>').toString('base64') })
      .expect(401);
    expect(page(res.text).h1).toBe('Aanmelden is niet gelukt');
    const doctype = Buffer.from(
      '<!DOCTYPE r [<!ENTITY a "b">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&a;</samlp:Response>',
    ).toString('base64');
    const entities = await request(t.app).post('/auth/saml/acs').type('form').send({ SAMLResponse: doctype });
    expect(entities.status).toBe(401);
    expect(page(entities.text).h1).toBe('Aanmelden is niet gelukt');
  });
});

describe('rate limits on login', () => {
  let t: TestApp;
  let clock = new Date('2026-03-02T09:00:00Z');
  beforeAll(async () => {
    t = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' }, { now: () => clock });
  });
  afterAll(async () => {
    await t.close();
  });

  it('limits GET /aanmelden per client, until the minute since its first attempt is over', async () => {
    clock = new Date('2026-03-02T09:00:00Z');
    for (let i = 0; i < 3; i++) await request(t.app).get('/aanmelden').expect(302);
    clock = new Date('2026-03-02T09:00:20Z');
    const res = await request(t.app).get('/aanmelden').expect(429);
    expect(res.headers['retry-after']).toBe('40');
    clock = new Date('2026-03-02T09:00:59Z');
    expect((await request(t.app).get('/aanmelden').expect(429)).headers['retry-after']).toBe('1');
    clock = new Date('2026-03-02T09:01:00Z');
    await request(t.app).get('/aanmelden').expect(302);
  });

  it('limits POST /auth/saml/acs per client', async () => {
    clock = new Date('2026-03-02T10:00:00Z');
    for (let i = 0; i < 3; i++) await request(t.app).post('/auth/saml/acs').type('form').send({}).expect(401);
    await request(t.app).post('/auth/saml/acs').type('form').send({}).expect(429);
  });
});

describe('the InResponseTo store', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('purges expired requests and assertions', async () => {
    const { PgRequestStore, claimAssertionId } = await import('../../src/auth/request-store.js');
    const shortLived = new PgRequestStore(t.database.db, -1000);
    await shortLived.saveAsync('_expired', new Date().toISOString());
    expect(await shortLived.getAsync('_expired')).toBeNull();
    await startLogin(t.app); // saving a new request purges the expired ones
    expect(await t.database.db('saml_request').where({ id: '_expired' }).first()).toBeUndefined();

    expect(await claimAssertionId(t.database.db, '_old', new Date(Date.now() - 1000))).toBe(true);
    expect(await claimAssertionId(t.database.db, '_new', new Date(Date.now() + 60_000))).toBe(true);
    expect(await claimAssertionId(t.database.db, '_new', new Date(Date.now() + 60_000))).toBe(false);
    expect(await countRows(t, 'saml_assertion')).toBe(1);
  });
});
