import { ConfigError, loadConfig } from '../../src/config.js';

/** The problems loadConfig names for `env`, one line each; none when it is accepted. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

/** A complete production configuration: each test changes one setting. */
export const productionBase = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u@db/wse',
  PUBLIC_URL: 'https://loket.example.be',
  SESSION_SECRET: 'x'.repeat(40),
  SAML_IDP_METADATA: 'https://idp.example.be/metadata',
  SAML_SP_KEY: '/run/secrets/sp.key',
  SAML_SP_CERT: '/run/secrets/sp.crt',
  SMTP_URL: 'smtp://mail.example.be:25',
};
