import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { problemsOf, productionBase } from './config-fixtures.js';

describe('configuration', () => {
  it('runs in development with nothing set: embedded database, development IdP and mailbox', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.database.url).toBeUndefined();
    expect(config.saml.useDevIdp).toBe(true);
    expect(config.mail.devMailbox).toBe(true);
    expect(config.seedDemoData).toBe(true);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.saml.acsUrl).toBe('http://localhost:3000/auth/saml/acs');
    expect(config.saml.spEntityId).toBe('http://localhost:3000/auth/saml/metadata');
  });

  it('names each malformed setting on its own line', () => {
    const problems = problemsOf({
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      PUBLIC_URL: 'not a url',
      SESSION_SECRET: 'short',
    });
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DATABASE_URL:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('PUBLIC_URL:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('SESSION_SECRET:'))).toBe(true);
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig(productionBase);
    expect(config.isProduction).toBe(true);
    expect(config.session.cookieSecure).toBe(true);
    expect(config.seedDemoData).toBe(false);
  });

  it.each([
    ['the embedded database', { DATABASE_URL: '' }, 'DATABASE_URL'],
    ['the development IdP', { SAML_IDP_METADATA: '' }, 'SAML_IDP_METADATA'],
    ['the development mailbox', { SMTP_URL: '' }, 'SMTP_URL'],
    ['the default session secret', { SESSION_SECRET: '' }, 'SESSION_SECRET'],
    ['cookies without secure', { COOKIE_SECURE: 'false' }, 'COOKIE_SECURE'],
    ['a plain-http public URL', { PUBLIC_URL: 'http://loket.example.be' }, 'PUBLIC_URL'],
  ])('refuses %s in production', (_what, change, setting) => {
    const problems = problemsOf({ ...productionBase, ...change });
    expect(problems.some((p) => p.startsWith(setting))).toBe(true);
  });

  it('wants the IdP certificate and entity id with a bare SSO URL', () => {
    expect(problemsOf({ SAML_IDP_SSO_URL: 'https://idp.example.be/sso' })).toEqual([
      'SAML_IDP_CERT: required together with SAML_IDP_SSO_URL',
      'SAML_IDP_ENTITY_ID: required together with SAML_IDP_SSO_URL',
    ]);
    // The Issuer is checked against it: without it the start is refused, in every environment.
    const bySsoUrl = { SAML_IDP_SSO_URL: 'https://idp.example.be/sso', SAML_IDP_CERT: '/run/secrets/idp.crt' };
    expect(problemsOf(bySsoUrl)).toEqual(['SAML_IDP_ENTITY_ID: required together with SAML_IDP_SSO_URL']);
    const config = loadConfig({ ...bySsoUrl, SAML_IDP_ENTITY_ID: 'https://idp.example.be' });
    expect(config.saml.idpEntityId).toBe('https://idp.example.be');
  });

  it('refuses IdP metadata over plain http in production; https and a file are fine', () => {
    expect(problemsOf({ ...productionBase, SAML_IDP_METADATA: 'http://idp.example.be/metadata' })).toEqual([
      'SAML_IDP_METADATA: must be an https:// URL or a file in production',
    ]);
    expect(problemsOf({ ...productionBase, SAML_IDP_METADATA: 'HTTP://idp.example.be/metadata' })).toHaveLength(1);
    expect(problemsOf({ ...productionBase, SAML_IDP_METADATA: '/run/secrets/idp-metadata.xml' })).toEqual([]);
    expect(problemsOf({ ...productionBase, SAML_IDP_METADATA_CERT: '/run/secrets/federation.crt' })).toEqual([]);
    // Development may use a local IdP over http.
    expect(problemsOf({ SAML_IDP_METADATA: 'http://127.0.0.1:8080/metadata' })).toEqual([]);
  });

  it('wants SAML_IDP_METADATA_CERT only together with SAML_IDP_METADATA', () => {
    expect(problemsOf({ SAML_IDP_METADATA_CERT: '/run/secrets/federation.crt' })).toEqual([
      'SAML_IDP_METADATA_CERT: only used with SAML_IDP_METADATA',
    ]);
  });
});
