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
    const problems = problemsOf({ PORT: 'abc', DATABASE_URL: 'mysql://x', PUBLIC_URL: 'not a url', SESSION_SECRET: 'short' });
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

  it('wants the IdP certificate with a bare SSO URL', () => {
    expect(problemsOf({ SAML_IDP_SSO_URL: 'https://idp.example.be/sso' })).toEqual([
      'SAML_IDP_CERT: required together with SAML_IDP_SSO_URL',
    ]);
  });
});
