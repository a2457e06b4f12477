import { inflateRawSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devIdpRoutes } from '../../src/auth/dev-idp/routes.js';
import { createServiceProvider } from '../../src/auth/saml-sp.js';
import { isValidInsz } from '../../src/domain/insz.js';
import { demoPeople } from '../../src/db/demo-people.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { page } from '../helpers/page.js';
import { startLogin } from './saml-fixtures.js';

describe('the development IdP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '10000' });
  });
  afterAll(async () => {
    await t.close();
  });

  const ssoPath = (location: URL, extra = '') => `${location.pathname}${location.search}${extra}`;

  it('has demo people with valid INSZ numbers', () => {
    expect(demoPeople.map((p) => `${p.firstName} ${p.lastName}`)).toEqual([
      'An Beheerder',
      'Jan Werkgever',
      'Eva Werknemer',
      'Piet Zondermeer',
    ]);
    for (const p of demoPeople) expect(isValidInsz(p.insz)).toBe(true);
  });

  it('publishes its metadata with its signing certificate and SSO/SLO endpoints', async () => {
    const res = await request(t.app).get('/dev-idp/metadata').expect(200);
    // SAML metadata, not a page: the XML a service provider reads is the point.
    expect(res.text).toContain('entityID="http://127.0.0.1:3999/dev-idp/metadata"');
    expect(res.text).toContain(
      '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http://127.0.0.1:3999/dev-idp/sso"/>',
    );
    expect(res.text).toMatch(/<ds:X509Certificate>[A-Za-z0-9+/=]{200,}<\/ds:X509Certificate>/);
  });

  it('shows the digital keys like the federal login page', async () => {
    const { location } = await startLogin(t.app);
    const res = await request(t.app).get(ssoPath(location)).expect(200);
    const shown = page(res.text);
    expect(shown.title).toBe('Aanmelden bij de digitale overheid – WSE-loket');
    expect(shown.h1).toBe('Aanmelden bij de digitale overheid');
    expect(shown.choices('Kies uw digitale sleutel').map((c) => c.text)).toEqual([
      'itsme',
      'eID met kaartlezer',
      'Beveiligingscode via mobiele app',
      'Beveiligingscode via sms',
      'Beveiligingscode via e-mail',
      'Europees erkend inlogmiddel (eIDAS)',
    ]);
    expect(shown.$('script:not([src])')).toHaveLength(0); // no inline script
  });

  it('asks again when no key is chosen', async () => {
    const { location } = await startLogin(t.app);
    const res = await request(t.app).get(ssoPath(location, '&sleutel=')).expect(400);
    expect(page(res.text).title).toBe('Fout: Aanmelden bij de digitale overheid – WSE-loket');
    expect(page(res.text).errors).toEqual(['Kies een digitale sleutel.']);
  });

  it('asks again when "Volgende" is pressed without choosing a key (no sleutel field at all)', async () => {
    const { location } = await startLogin(t.app);
    const first = page((await request(t.app).get(ssoPath(location, '')).expect(200)).text);
    const next = first.$('button:contains("Volgende")');
    expect([next.attr('name'), next.attr('value')]).toEqual(['stap', 'sleutel']);
    expect(first.errors).toEqual([]);
    expect(first.fieldError('Kies uw digitale sleutel')).toBeUndefined();
    const res = page((await request(t.app).get(ssoPath(location, '&stap=sleutel')).expect(400)).text);
    expect(res.errorLinks).toEqual([{ text: 'Kies een digitale sleutel.', href: '#sleutel' }]);
    expect(res.fieldError('Kies uw digitale sleutel')).toBe('Kies een digitale sleutel.');
  });

  it('lists the demo people after a key is chosen', async () => {
    const { location } = await startLogin(t.app);
    const res = page((await request(t.app).get(ssoPath(location, '&sleutel=eid')).expect(200)).text);
    expect(res.h1).toBe('Aanmelden met eID met kaartlezer');
    const people = res.choices('Met wie meldt u zich aan?').map((c) => c.text);
    for (const name of ['An Beheerder', 'Jan Werkgever', 'Eva Werknemer', 'Piet Zondermeer', 'Iemand anders'])
      expect(people.some((p) => p.startsWith(name))).toBe(true);
  });

  it('refuses an AuthnRequest that is not signed by the portal', async () => {
    const { location } = await startLogin(t.app);
    const tampered = new URL(location);
    tampered.searchParams.set('RelayState', '/ergens-anders');
    await request(t.app).get(ssoPath(tampered)).expect(400);
    tampered.searchParams.delete('Signature');
    await request(t.app).get(ssoPath(tampered)).expect(400);
  });

  async function personPage() {
    const { location, browser: agent } = await startLogin(t.app, '/mijn-dossiers');
    const res = await agent.get(ssoPath(location, '&sleutel=itsme')).expect(200);
    const form = {
      _csrf: page(res.text).csrf,
      SAMLRequest: location.searchParams.get('SAMLRequest')!,
      RelayState: location.searchParams.get('RelayState')!,
      SigAlg: location.searchParams.get('SigAlg')!,
      Signature: location.searchParams.get('Signature')!,
      sleutel: 'itsme',
    };
    return { agent, form };
  }

  it('re-asks with the typed values when the INSZ of someone new is invalid', async () => {
    const { agent, form } = await personPage();
    const res = await agent
      .post('/dev-idp/sso')
      .type('form')
      .send({ ...form, persoon: 'nieuw', insz: '85.07.30-033.29', voornaam: 'Lotte', achternaam: '' })
      .expect(400);
    const shown = page(res.text);
    expect(shown.fieldError('Rijksregisternummer')).toMatch(/^Vul een geldig rijksregisternummer in/);
    expect(shown.fieldError('Achternaam')).toBe('Vul een achternaam in.');
    expect(shown.value('Rijksregisternummer')).toBe('85.07.30-033.29');
    expect(shown.value('Voornaam')).toBe('Lotte');
  });

  it('answers with an auto-submitting form to the ACS, honouring the RelayState', async () => {
    const { agent, form } = await personPage();
    const res = await agent
      .post('/dev-idp/sso')
      .type('form')
      .send({ ...form, persoon: 'jan' })
      .expect(200);
    const shown = page(res.text);
    const post = shown.form('Doorgaan');
    expect([post.method, post.action]).toEqual(['post', 'http://127.0.0.1:3999/auth/saml/acs']);
    expect(shown.$('form[data-auto-submit]').attr('action')).toBe(post.action);
    const script = shown.$('script[src$="/js/auto-submit.js"]');
    expect(script.attr('src')).toMatch(/^\/assets\/[0-9a-f]{12}\/js\/auto-submit\.js$/);
    expect(script.attr('nonce')).toBeTruthy();
    expect(post.fields.RelayState).toBe('/mijn-dossiers');
    const xml = Buffer.from(post.fields.SAMLResponse, 'base64').toString('utf8');
    expect(xml).toContain('Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"');
    expect(xml).toContain('Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"');
    const requestId = /ID="([^"]+)"/.exec(inflateRawSync(Buffer.from(form.SAMLRequest, 'base64')).toString('utf8'))![1];
    expect(xml).toContain(`InResponseTo="${requestId}"`);
    expect(xml).toContain('<saml:AuthnContextClassRef>urn:wse-loket:dev-idp:ac:itsme</saml:AuthnContextClassRef>');
    expect(xml).toContain('>68110304512</saml:AttributeValue>');
    // What the browser posts when the script (or the user) presses Doorgaan.
    const acs = await agent.post('/auth/saml/acs').type('form').send(post.fields).expect(303);
    expect(acs.headers.location).toBe('/mijn-dossiers');
  });

  it('lets the user cancel, which the portal explains in its own words', async () => {
    const { agent, form } = await personPage();
    const res = await agent
      .post('/dev-idp/sso')
      .type('form')
      .send({ ...form, actie: 'annuleren' })
      .expect(200);
    const acs = await agent
      .post('/auth/saml/acs')
      .type('form')
      .send(page(res.text).form('Doorgaan').fields)
      .expect(401);
    expect(page(acs.text).headings).toEqual(['Aanmelden is niet gelukt', 'U hebt het aanmelden afgebroken']);
  });

  it('refuses to run in production', () => {
    const production = { ...t.config, isProduction: true, env: 'production' as const };
    expect(() => devIdpRoutes(production, createServiceProvider(production, t.database.db))).toThrow(/refused/);
  });
});
