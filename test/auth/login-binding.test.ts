import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedResponse, type SigningKey } from '../../src/auth/dev-idp/saml-response.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { PAGE_WITH_HEADER } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import {
  countRows,
  idpSigner,
  lastAuditReason,
  postToAcs,
  secondInstance,
  startLogin,
  validSpec,
  type Browser,
} from './saml-fixtures.js';

/**
 * Login CSRF: an attacker logs in at the IdP as himself, keeps the signed response and has a victim's
 * browser post it. The response must be accepted only in the browser that started that login.
 */
describe('a login is bound to the browser that started it', () => {
  let t: TestApp;
  let signer: SigningKey;
  beforeAll(async () => {
    t = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '10000' });
    signer = idpSigner(t.config);
  });
  afterAll(async () => {
    await t.close();
  });

  /** The attacker's own login: a response the IdP signed for him, for a request his browser started. */
  async function attackersResponse(): Promise<string> {
    const { requestId } = await startLogin(t.app);
    return buildSignedResponse(validSpec(t.config, requestId), signer);
  }

  /** The text of the site header on a page anyone may see: whom the browser is logged in as, if anyone. */
  const headerOf = async (browser: Browser) => page((await browser.get(PAGE_WITH_HEADER).expect(200)).text).header;

  async function expectRefused(res: request.Response, victim: Browser) {
    expect(res.status).toBe(401);
    expect(page(res.text).headings.slice(0, 2)).toEqual([
      'Aanmelden is niet gelukt',
      'Deze aanmelding begon niet in deze browser',
    ]);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await lastAuditReason(t)).toBe('other_browser');
    const header = await headerOf(victim);
    expect(header).not.toContain('Lotte Peeters');
    expect(header).not.toContain('Afmelden');
  }

  it('answers a POST without the login cookie (cross-site) with a page that posts it again from here', async () => {
    const xml = await attackersResponse();
    const res = await postToAcs(request.agent(t.app), xml, '/mijn-dossiers').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['set-cookie']).toBeUndefined();
    const shown = page(res.text);
    expect(shown.h1).toBe('Verder met aanmelden');
    // Works without JavaScript (a button) and with it (the form the script submits, carrying the page's CSP nonce).
    const repost = shown.form('Verder met aanmelden');
    expect([repost.method, repost.action]).toEqual(['post', '/auth/saml/acs']);
    expect(shown.$('form[data-auto-submit]').attr('action')).toBe(repost.action);
    expect(repost.fields).toEqual({
      SAMLResponse: Buffer.from(xml).toString('base64'),
      RelayState: '/mijn-dossiers',
      reposted: '1',
    });
    const nonce = /script-src[^;]*'nonce-([^']+)'/.exec(res.headers['content-security-policy'])![1];
    const script = shown.$('script[src$="/js/auto-submit.js"]');
    expect(script.attr('src')).toMatch(/^\/assets\/[0-9a-f]{12}\/js\/auto-submit\.js$/);
    expect(script.attr('nonce')).toBe(nonce);
    expect(await countRows(t, 'session')).toBe(0);
  });

  it('refuses the attacker’s response in a browser without login cookie, after the page posted it again', async () => {
    const victim = request.agent(t.app);
    const repost = await postToAcs(victim, await attackersResponse()).expect(200);
    const res = await victim
      .post('/auth/saml/acs')
      .type('form')
      .send(page(repost.text).form('Verder met aanmelden').fields);
    await expectRefused(res, victim);
  });

  it('refuses the attacker’s response in a browser that started a login of its own', async () => {
    const { browser: victim } = await startLogin(t.app);
    await expectRefused(await postToAcs(victim, await attackersResponse()), victim);
  });

  it('refuses a login cookie that was not issued by the portal', async () => {
    const victim = request.agent(t.app);
    const res = await postToAcs(victim, await attackersResponse()).set('Cookie', `loket-login=${'A'.repeat(43)}`);
    await expectRefused(res, victim);
  });

  it('refuses an answer to a request stored without a browser (from before the binding, a LogoutRequest)', async () => {
    const id = '_unbound-request';
    await t.database
      .db('saml_request')
      .insert({ id, created_at: new Date(), expires_at: new Date(Date.now() + 600_000), browser_hash: null });
    const xml = buildSignedResponse(validSpec(t.config, id), signer);
    const without = request.agent(t.app);
    const reposted = await without
      .post('/auth/saml/acs')
      .type('form')
      .send({ SAMLResponse: Buffer.from(xml).toString('base64'), reposted: '1' });
    await expectRefused(reposted, without);
    const { browser: withCookie } = await startLogin(t.app);
    await expectRefused(await postToAcs(withCookie, xml), withCookie);
  });

  it('keeps a browser’s logins apart from each other’s: two tabs, both finish', async () => {
    const first = await startLogin(t.app);
    const second = await startLogin(t.app, undefined, first.browser);
    expect(
      (await postToAcs(first.browser, buildSignedResponse(validSpec(t.config, second.requestId), signer))).status,
    ).toBe(303);
    const other = buildSignedResponse({ ...validSpec(t.config, first.requestId), nameId: 'pseudonym-lotte-2' }, signer);
    expect((await postToAcs(first.browser, other)).status).toBe(303);
  });

  it('logs in when the IdP’s cross-site POST is posted again from the browser that started the login', async () => {
    const { requestId, browser } = await startLogin(t.app, '/mijn-dossiers');
    const xml = buildSignedResponse(validSpec(t.config, requestId), signer);
    // The IdP's POST is cross-site: SameSite=Lax keeps the login cookie home.
    const repost = await postToAcs(request.agent(t.app), xml, '/mijn-dossiers').expect(200);
    // The browser that started the login presses "Verder met aanmelden" (or the script does).
    const res = await browser
      .post('/auth/saml/acs')
      .type('form')
      .send(page(repost.text).form('Verder met aanmelden').fields)
      .expect(303);
    expect(res.headers.location).toBe('/mijn-dossiers');
    expect(await headerOf(browser)).toContain('Lotte Peeters');
  });

  it('finishes on a second instance a login started on the first (the binding is in the database)', async () => {
    const b = secondInstance(t);
    try {
      const { requestId, browser } = await startLogin(t.app);
      const cookie = (await browser.get('/aanmelden')).headers['set-cookie'][0].split(';')[0];
      const res = await postToAcs(request.agent(b), buildSignedResponse(validSpec(t.config, requestId), signer)).set(
        'Cookie',
        cookie,
      );
      expect(res.status).toBe(303);
    } finally {
      await b.close();
    }
  });
});
