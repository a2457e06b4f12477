import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { certificateBody } from '../../src/auth/keys.js';
import { samlSettingsLoader } from '../../src/auth/saml-config.js';
import { checkSamlMaterial } from '../../src/auth/saml-material.js';
import { generateKeyPairWithCertificate, type KeyPairPem } from '../../src/auth/self-signed.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { buildTestApp } from '../helpers/app.js';

const ENTITY_ID = 'https://idp.example.be/metadata';

/** IdP metadata as an IdP publishes it, with `idp`'s signing certificate. */
function metadataXml(idp: KeyPairPem, sso = 'https://idp.example.be/sso'): string {
  const redirect = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
  return (
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"` +
    ` xmlns:ds="http://www.w3.org/2000/09/xmldsig#"` +
    ` ID="_metadata" entityID="${ENTITY_ID}">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>` +
    `<ds:X509Certificate>${certificateBody(idp.cert)}</ds:X509Certificate>` +
    `</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:SingleSignOnService Binding="${redirect}" Location="${sso}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

/** The metadata signed (enveloped, on its root) as a federation operator does. */
function signedMetadata(
  xml: string,
  signer: KeyPairPem,
  algorithms = {
    signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
  },
): string {
  const root = "/*[local-name(.)='EntityDescriptor']";
  const sig = new SignedXml({
    privateKey: signer.key,
    signatureAlgorithm: algorithms.signature,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: root,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: algorithms.digest,
  });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: root, action: 'prepend' } });
  return sig.getSignedXml();
}

/** The problems checkSamlMaterial reports for these settings (none: []). */
async function problemsOf(env: Record<string, string>): Promise<string[]> {
  try {
    await checkSamlMaterial(loadConfig({ NODE_ENV: 'test', ...env }));
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

/** A metadata server whose answer the test changes; it counts the requests. */
function metadataServer() {
  const state = { body: '', status: 200, requests: 0 };
  const server: Server = createServer((_req, res) => {
    state.requests += 1;
    res.writeHead(state.status, { 'content-type': 'application/samlmetadata+xml' }).end(state.body);
  });
  return {
    state,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`),
        ),
      ),
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('the SAML material is read and checked at start', () => {
  let dir: string;
  const sp = generateKeyPairWithCertificate('test SP');
  const other = generateKeyPairWithCertificate('another SP');
  const idp = generateKeyPairWithCertificate('test IdP');
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const server = metadataServer();
  let metadataUrl: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wse-saml-material-'));
    metadataUrl = await server.start();
    server.state.body = metadataXml(idp);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const keys = () => ({ SAML_SP_KEY: file('sp.key', sp.key), SAML_SP_CERT: file('sp.crt', sp.cert) });
  const bySsoUrl = () => ({
    SAML_IDP_SSO_URL: 'https://idp.example.be/sso',
    SAML_IDP_CERT: file('idp.crt', idp.cert),
    SAML_IDP_ENTITY_ID: ENTITY_ID,
  });

  it('accepts good material: files, PEM text, metadata from a file and from a URL', async () => {
    expect(await problemsOf({ ...keys(), ...bySsoUrl() })).toEqual([]);
    expect(
      await problemsOf({
        SAML_SP_KEY: sp.key,
        SAML_SP_CERT: sp.cert,
        SAML_IDP_METADATA: file('idp.xml', metadataXml(idp)),
      }),
    ).toEqual([]);
    expect(await problemsOf({ ...keys(), SAML_IDP_METADATA: metadataUrl })).toEqual([]);
  });

  it('names a missing file', async () => {
    const missing = join(dir, 'nowhere', 'sp.key');
    expect(await problemsOf({ ...keys(), SAML_SP_KEY: missing })).toEqual([
      `SAML_SP_KEY: cannot read the file ${missing} (ENOENT)`,
    ]);
    expect(await problemsOf({ SAML_IDP_METADATA: missing })).toEqual([
      `SAML_IDP_METADATA: cannot read the file ${missing} (ENOENT)`,
    ]);
  });

  it('names a malformed PEM', async () => {
    const broken = (pem: string) => pem.replace(/(-----\r?\n)[A-Za-z0-9+/]{16}/, '$1not base64 at all');
    expect(await problemsOf({ ...keys(), SAML_SP_CERT: file('broken.crt', broken(sp.cert)) })).toEqual([
      'SAML_SP_CERT: not a PEM certificate',
    ]);
    expect(await problemsOf({ ...keys(), SAML_SP_KEY: file('broken.key', broken(sp.key)) })).toEqual([
      'SAML_SP_KEY: not a PEM private key (or one protected by a passphrase)',
    ]);
    expect(await problemsOf({ ...bySsoUrl(), SAML_IDP_CERT: file('idp-key-instead.crt', idp.key) })).toEqual([
      'SAML_IDP_CERT: not a PEM certificate',
    ]);
  });

  it('names a key that does not belong to its certificate', async () => {
    expect(await problemsOf({ ...keys(), SAML_SP_CERT: file('other.crt', other.cert) })).toEqual([
      'SAML_SP_KEY: does not belong to the certificate in SAML_SP_CERT',
    ]);
  });

  it('names a metadata URL that cannot be fetched', async () => {
    const closed = metadataServer();
    const url = await closed.start();
    await closed.stop();
    const [problem, ...more] = await problemsOf({ SAML_IDP_METADATA: url });
    expect(more).toEqual([]);
    expect(problem).toMatch(new RegExp(`^SAML_IDP_METADATA: cannot fetch ${url}: connect ECONNREFUSED`));
    server.state.status = 404;
    try {
      expect(await problemsOf({ SAML_IDP_METADATA: metadataUrl })).toEqual([
        `SAML_IDP_METADATA: HTTP 404 from ${metadataUrl}`,
      ]);
    } finally {
      server.state.status = 200;
    }
  });

  it('names metadata that cannot be parsed or used', async () => {
    const garbage = file(
      'garbage.xml',
      '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><unclosed>',
    );
    expect(await problemsOf({ SAML_IDP_METADATA: garbage })).toEqual([
      expect.stringMatching(/^SAML_IDP_METADATA: .*unclosed xml tag.*\(.*garbage\.xml\)$/),
    ]);
    const noCert = file('no-cert.xml', metadataXml(idp).replace(/<md:KeyDescriptor[\s\S]*<\/md:KeyDescriptor>/, ''));
    expect(await problemsOf({ SAML_IDP_METADATA: noCert })).toEqual([
      `SAML_IDP_METADATA: IdP metadata has no signing certificate (${noCert})`,
    ]);
    const badCert = file(
      'bad-cert.xml',
      metadataXml(idp).replace(/<ds:X509Certificate>[^<]{20}/, '<ds:X509Certificate>'),
    );
    expect(await problemsOf({ SAML_IDP_METADATA: badCert })).toEqual([
      `SAML_IDP_METADATA: IdP metadata has a signing certificate that cannot be read (${badCert})`,
    ]);
  });

  it('lists every problem, one line each', async () => {
    const problems = await problemsOf({
      SAML_SP_KEY: file('k', 'nonsense'),
      SAML_SP_CERT: join(dir, 'missing.crt'),
      SAML_IDP_METADATA: file('m', 'nonsense'),
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['SAML_SP_KEY', 'SAML_SP_CERT', 'SAML_IDP_METADATA']);
    expect(problems.every((p) => !p.includes('\n'))).toBe(true);
  });

  describe('signed metadata (SAML_IDP_METADATA_CERT)', () => {
    const federation = generateKeyPairWithCertificate('federation operator');
    it('accepts metadata signed with that certificate', async () => {
      const signed = file('signed.xml', signedMetadata(metadataXml(idp), federation));
      expect(
        await problemsOf({
          SAML_IDP_METADATA: signed,
          SAML_IDP_METADATA_CERT: file('federation.crt', federation.cert),
        }),
      ).toEqual([]);
    });
    it.each([
      ['unsigned metadata', () => metadataXml(idp)],
      ['metadata signed by another key', () => signedMetadata(metadataXml(idp), other)],
      [
        'signed metadata changed afterwards',
        () =>
          signedMetadata(metadataXml(idp), federation).replace(
            'https://idp.example.be/sso',
            'https://evil.example/sso',
          ),
      ],
      [
        'metadata signed with RSA-SHA1',
        () =>
          signedMetadata(metadataXml(idp), federation, {
            signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
            digest: 'http://www.w3.org/2000/09/xmldsig#sha1',
          }),
      ],
    ])('refuses %s', async (_name, xml) => {
      const path = file('metadata.xml', xml());
      expect(
        await problemsOf({ SAML_IDP_METADATA: path, SAML_IDP_METADATA_CERT: file('federation.crt', federation.cert) }),
      ).toEqual([
        `SAML_IDP_METADATA: IdP metadata is not signed with the certificate in SAML_IDP_METADATA_CERT (${path})`,
      ]);
    });
  });
});

describe('IdP metadata that cannot be re-read later', () => {
  const T0 = new Date('2026-03-02T08:00:00Z');
  const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);
  const idp = generateKeyPairWithCertificate('test IdP');
  const rolled = generateKeyPairWithCertificate('test IdP, next certificate');
  const server = metadataServer();
  let metadataUrl: string;
  const unreadable = (status: number) =>
    `IdP metadata ${metadataUrl} could not be read: HTTP ${status} from ${metadataUrl}; ` +
    `still using the copy read at ${T0.toISOString()}`;
  beforeAll(async () => {
    metadataUrl = await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.state.status = 200;
    server.state.body = metadataXml(idp);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the last good copy, logs a warning naming the URL, and tries again later', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
    const loader = samlSettingsLoader(loadConfig({ NODE_ENV: 'test', SAML_IDP_METADATA: metadataUrl }), logger);
    const first = await loader.settings();
    expect(first.idp.certs).toEqual([certificateBody(idp.cert)]);
    expect(loader.warnings()).toEqual([]);

    server.state.status = 503;
    vi.setSystemTime(hours(23.9));
    expect(await loader.settings()).toBe(first);
    expect(server.state.requests).toBe(1); // not due yet

    vi.setSystemTime(hours(24));
    expect(await loader.settings()).toBe(first);
    expect(server.state.requests).toBe(2);
    const warning = unreadable(503);
    expect(loader.warnings()).toEqual([warning]);
    expect(lines.map((l) => JSON.parse(l) as { level: number; msg: string; metadata: string })).toEqual([
      expect.objectContaining({ level: 40, msg: warning, metadata: metadataUrl }),
    ]);

    vi.setSystemTime(hours(24.08)); // under 5 minutes later: no new attempt on every login
    expect(await loader.settings()).toBe(first);
    expect(server.state.requests).toBe(2);

    // The IdP is back, with a rolled-over certificate.
    server.state.status = 200;
    server.state.body = metadataXml(rolled);
    vi.setSystemTime(hours(24.09));
    expect((await loader.settings()).idp.certs).toEqual([certificateBody(rolled.cert)]);
    expect(loader.warnings()).toEqual([]);
  });

  it('shows in /readyz while logins go on with the last good copy', async () => {
    const t = await buildTestApp({ SAML_IDP_METADATA: metadataUrl });
    try {
      expect((await request(t.app).get('/aanmelden').expect(302)).headers.location).toMatch(
        /^https:\/\/idp\.example\.be\/sso\?/,
      );
      expect((await request(t.app).get('/readyz').expect(200)).text).toBe('ready');
      server.state.status = 500;
      vi.setSystemTime(hours(25));
      expect((await request(t.app).get('/aanmelden').expect(302)).headers.location).toMatch(
        /^https:\/\/idp\.example\.be\/sso\?/,
      );
      const ready = await request(t.app).get('/readyz').expect(200);
      expect(ready.text).toBe(`ready\nwarning: ${unreadable(500)}`);
    } finally {
      await t.close();
    }
  });
});
