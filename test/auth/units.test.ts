import { X509Certificate, createPrivateKey, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { requireLocalAdmin, requireLogin, requireOrganisation, requireVovRight } from '../../src/auth/guards.js';
import { parseIdpMetadata } from '../../src/auth/idp-metadata.js';
import { certificateBody, developmentKeyPair, pemFromSetting } from '../../src/auth/keys.js';
import { generateKeyPairWithCertificate } from '../../src/auth/self-signed.js';
import { loadConfig } from '../../src/config.js';
import type { AuthContext } from '../../src/http/types.js';

describe('self-signed certificates for development', () => {
  it('are valid X.509 certificates for their own key', () => {
    const pair = generateKeyPairWithCertificate('WSE-loket test');
    const cert = new X509Certificate(pair.cert);
    expect(cert.subject).toBe('CN=WSE-loket test');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(pair.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const privateKey = createPrivateKey(pair.key);
    expect(cert.checkPrivateKey(privateKey)).toBe(true);
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const data = Buffer.from('SAML');
    expect(verify('sha256', data, cert.publicKey, sign('sha256', data, privateKey))).toBe(true);
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(Date.now());
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 5 * 365 * 86_400_000);
  });

  it('have a random positive serial number and keep a non-ASCII common name', () => {
    const a = new X509Certificate(generateKeyPairWithCertificate('Vlaams opleidingsverlof – €').cert);
    const b = new X509Certificate(generateKeyPairWithCertificate('x').cert);
    expect(a.subject).toBe('CN=Vlaams opleidingsverlof – €');
    expect(a.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    expect(a.serialNumber).not.toBe(b.serialNumber);
  });

  it('are kept under DATA_DIR/saml in development, the private key readable by the owner only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wse-keys-'));
    try {
      const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir });
      const first = developmentKeyPair(config, 'sp');
      expect(developmentKeyPair(config, 'sp')).toEqual(first);
      expect(readFileSync(join(dir, 'saml', 'sp-cert.pem'), 'utf8')).toBe(first.cert);
      expect(statSync(join(dir, 'saml', 'sp-key.pem')).mode & 0o077).toBe(0);
      expect(developmentKeyPair(config, 'dev-idp').cert).not.toBe(first.cert);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are refused in production', () => {
    const config = { ...loadConfig({ NODE_ENV: 'test' }), isProduction: true };
    expect(() => developmentKeyPair(config, 'sp')).toThrow(/production/);
  });

  it('PEM settings may be text (also with \\n escapes, as in .env files) or a path', () => {
    const pair = generateKeyPairWithCertificate('x');
    expect(pemFromSetting(pair.cert.replace(/\n/g, '\\n'))).toBe(pair.cert);
    const dir = mkdtempSync(join(tmpdir(), 'wse-pem-'));
    try {
      const file = join(dir, 'cert.pem');
      writeFileSync(file, pair.cert);
      expect(pemFromSetting(file)).toBe(pair.cert);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('IdP metadata', () => {
  const cert = certificateBody(generateKeyPairWithCertificate('idp').cert);
  const encryptionCert = certificateBody(generateKeyPairWithCertificate('enc').cert);
  // The shape SimpleSAMLphp publishes (wrapped in an EntitiesDescriptor, as federations do).
  const simpleSamlPhp = `<?xml version="1.0"?>
<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">
<md:EntityDescriptor xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.org/simplesaml/module.php/saml/idp/metadata">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
${cert.replace(/(.{64})/g, '$1\n')}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${encryptionCert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.org/simplesaml/module.php/saml/idp/singleLogout"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.org/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.org/simplesaml/module.php/saml/idp/singleSignOnService"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
</md:EntitiesDescriptor>`;

  it('gives the entity id, the HTTP-Redirect SSO and SLO URLs and only the signing certificates', () => {
    expect(parseIdpMetadata(simpleSamlPhp)).toEqual({
      entityId: 'https://idp.example.org/simplesaml/module.php/saml/idp/metadata',
      ssoUrl: 'https://idp.example.org/simplesaml/module.php/saml/idp/singleSignOnService',
      sloUrl: 'https://idp.example.org/simplesaml/module.php/saml/idp/singleLogout',
      certs: [cert],
    });
  });

  it('refuses metadata without a redirect SSO endpoint or a signing certificate', () => {
    expect(() =>
      parseIdpMetadata(simpleSamlPhp.replace(/<md:SingleSignOnService[^>]*HTTP-Redirect[^>]*\/>/, '')),
    ).toThrow(/SingleSignOnService/);
    expect(() =>
      parseIdpMetadata(simpleSamlPhp.replace(/<md:KeyDescriptor use="signing">[\s\S]*?<\/md:KeyDescriptor>/, '')),
    ).toThrow(/signing certificate/);
    expect(() => parseIdpMetadata('<!DOCTYPE x><x/>')).toThrow();
  });
});

describe('guards', () => {
  const person = { id: 1, insz: '85073003328', firstName: 'Lotte', lastName: 'Peeters', email: null };
  const appWith = (auth: AuthContext | undefined) => {
    const app = express();
    app.use((req, _res, next) => {
      req.auth = auth;
      next();
    });
    app.all('/login', requireLogin, (_req, res) => void res.send('ok'));
    app.get('/org', requireOrganisation, (_req, res) => void res.send('ok'));
    app.get('/admin', requireLocalAdmin, (_req, res) => void res.send('ok'));
    app.get('/vov', requireVovRight, (_req, res) => void res.send('ok'));
    app.use(
      (err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) =>
        void res.status(err.status ?? 500).send('error'),
    );
    return app;
  };
  const organisation = { id: 7, kbo: '0403170701', name: 'Bouwbedrijf De Meeuw NV' };

  it('requireLogin sends a GET to the login with the way back, and answers other methods with 401', async () => {
    const app = appWith(undefined);
    const res = await request(app).get('/login?x=1').expect(303);
    expect(res.headers.location).toBe('/aanmelden?terug=%2Flogin%3Fx%3D1');
    await request(app).post('/login').expect(401);
  });

  it.each([
    [
      'no organisation chosen',
      { person, organisation: null, isLocalAdmin: false, hasVovRight: false },
      { org: 303, admin: 303, vov: 303 },
    ],
    [
      'a member without rights',
      { person, organisation, isLocalAdmin: false, hasVovRight: false },
      { org: 200, admin: 403, vov: 403 },
    ],
    [
      'a local administrator',
      { person, organisation, isLocalAdmin: true, hasVovRight: false },
      { org: 200, admin: 200, vov: 403 },
    ],
    [
      'an employer with the VOV right',
      { person, organisation, isLocalAdmin: false, hasVovRight: true },
      { org: 200, admin: 403, vov: 200 },
    ],
  ])('%s', async (_name, auth, expected) => {
    const app = appWith(auth as AuthContext);
    const org = await request(app).get('/org').expect(expected.org);
    if (expected.org === 303) expect(org.headers.location).toBe('/organisatie-kiezen');
    await request(app).get('/admin').expect(expected.admin);
    await request(app).get('/vov').expect(expected.vov);
  });
});
