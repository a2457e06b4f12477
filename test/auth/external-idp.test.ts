import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentKeyPair } from '../../src/auth/keys.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { PAGE_WITH_HEADER, type Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';

const DEV_IDP_ENTITY_ID = 'http://127.0.0.1:3999/dev-idp/metadata';

/**
 * The portal pointed at an "external" IdP: a second portal instance whose development IdP plays
 * that role. The SP side has no dev IdP of its own and is configured only through the environment.
 */
async function loginAcross(sp: TestApp, idp: TestApp, persoon: string) {
  const spAgent = request.agent(sp.app);
  const start = await spAgent.get('/aanmelden').expect(302);
  const sso = new URL(start.headers.location);
  const idpAgent = request.agent(idp.app);
  const keyPage = await idpAgent.get(`${sso.pathname}${sso.search}&sleutel=eid`).expect(200);
  const answer = await idpAgent
    .post(sso.pathname)
    .type('form')
    .send({
      _csrf: page(keyPage.text).csrf,
      SAMLRequest: sso.searchParams.get('SAMLRequest'),
      SigAlg: sso.searchParams.get('SigAlg'),
      Signature: sso.searchParams.get('Signature'),
      sleutel: 'eid',
      persoon,
    })
    .expect(200);
  // The IdP's page posts its form (SAMLResponse) to the SP's ACS.
  const acs = await spAgent.post('/auth/saml/acs').type('form').send(page(answer.text).form('Doorgaan').fields);
  return { acs, spAgent };
}

/** Whom the site header names as logged in. */
const headerOf = async (agent: Agent) => page((await agent.get(PAGE_WITH_HEADER).expect(200)).text).header;

describe('an external IdP configured through the environment', () => {
  let idp: TestApp;
  let server: Server;
  let dir: string;
  let metadataFile: string;
  let metadataUrl: string;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    idp = await buildTestApp();
    const metadata = (await request(idp.app).get('/dev-idp/metadata').expect(200)).text;
    dir = mkdtempSync(join(tmpdir(), 'wse-idp-'));
    metadataFile = join(dir, 'idp-metadata.xml');
    writeFileSync(metadataFile, metadata);
    server = createServer(idp.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    metadataUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dev-idp/metadata`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    for (const a of apps) await a.close();
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const configurations: [string, () => Record<string, string>][] = [
    ['SAML_IDP_METADATA as a file path', () => ({ SAML_IDP_METADATA: metadataFile })],
    ['SAML_IDP_METADATA as a URL', () => ({ SAML_IDP_METADATA: metadataUrl })],
    [
      'SAML_IDP_SSO_URL + SAML_IDP_CERT (PEM text) + SAML_IDP_SLO_URL',
      () => ({
        SAML_IDP_SSO_URL: 'http://127.0.0.1:3999/dev-idp/sso',
        SAML_IDP_CERT: developmentKeyPair(idp.config, 'dev-idp').cert,
        SAML_IDP_ENTITY_ID: DEV_IDP_ENTITY_ID,
        SAML_IDP_SLO_URL: 'http://127.0.0.1:3999/dev-idp/slo',
      }),
    ],
  ];

  it.each(configurations)('logs in with %s', async (_name, env) => {
    const sp = await buildTestApp(env());
    apps.push(sp);
    expect(sp.config.saml.useDevIdp).toBe(false);
    await request(sp.app).get('/dev-idp/metadata').expect(404); // no built-in IdP next to an external one
    const { acs, spAgent } = await loginAcross(sp, idp, 'eva');
    expect(acs.status).toBe(303);
    expect(await headerOf(spAgent)).toContain('Eva Werknemer');
  });

  it('refuses a response signed by another IdP than the configured one', async () => {
    const other = await buildTestApp({
      SAML_IDP_SSO_URL: 'http://127.0.0.1:3999/dev-idp/sso',
      SAML_IDP_CERT: developmentKeyPair(idp.config, 'sp').cert,
      SAML_IDP_ENTITY_ID: DEV_IDP_ENTITY_ID,
    });
    apps.push(other);
    const { acs } = await loginAcross(other, idp, 'eva');
    expect(acs.status).toBe(401);
  });
});

describe('other attribute names, and the INSZ in the NameID', () => {
  const env = {
    SAML_ATTR_INSZ: 'urn:be:fedict:iam:attr:rrn',
    SAML_ATTR_GIVEN_NAME: 'urn:oid:2.5.4.42',
    SAML_ATTR_SURNAME: 'urn:oid:2.5.4.4',
    SAML_ATTR_EMAIL: 'urn:oid:0.9.2342.19200300.100.1.3',
  };
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await buildTestApp(env);
    b = await buildTestApp({ ...env, SAML_INSZ_FROM_NAMEID: 'true' });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it.each([
    ['attributes with other names', () => a],
    ['the INSZ taken from the NameID', () => b],
  ])('logs in with %s', async (_name, app) => {
    const { acs, spAgent } = await loginAcross(app(), app(), 'an');
    expect(acs.status).toBe(303);
    expect(await headerOf(spAgent)).toContain('An Beheerder');
    expect(await app().database.db('person').where({ insz: '75041212353' }).first()).toMatchObject({
      email: 'an.beheerder@demeeuw.example',
    });
  });
});
