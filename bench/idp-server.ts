/**
 * The benchmark's identity provider: the project's own development IdP (src/auth/dev-idp/) served on a
 * port of its own, because the production portal refuses to mount it. The production portal is pointed
 * at it with SAML_IDP_SSO_URL + SAML_IDP_CERT, exactly as at an external IdP.
 *
 * Environment: BENCH_IDP_PORT, BENCH_PORTAL_PUBLIC_URL (the portal's https PUBLIC_URL: the IdP checks the
 * AuthnRequest's ACS URL and issuer against it), SAML_SP_KEY/SAML_SP_CERT (the portal's key pair: the IdP
 * verifies the signed AuthnRequest with it), DATA_DIR (where the IdP's generated key pair goes).
 * Prints one JSON line { port, certFile } once listening. Development/bench use only: no CSRF on its forms.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import { loadConfig } from '../src/config.js';
import { devIdpRoutes } from '../src/auth/dev-idp/routes.js';
import { developmentKeyPair } from '../src/auth/keys.js';
import { samlSettingsLoader } from '../src/auth/saml-config.js';
import { configureViews } from '../src/http/views.js';
import { PROJECT_ROOT } from '../src/root.js';

const port = Number(process.env.BENCH_IDP_PORT);
const config = loadConfig({
  NODE_ENV: 'development',
  HOST: '127.0.0.1',
  PORT: String(port),
  PUBLIC_URL: process.env.BENCH_PORTAL_PUBLIC_URL,
  SAML_SP_KEY: process.env.SAML_SP_KEY,
  SAML_SP_CERT: process.env.SAML_SP_CERT,
  DATA_DIR: process.env.DATA_DIR,
  LOG_LEVEL: 'silent',
});

// The dev IdP only reads the SP's settings (entity id, ACS URL, certificate) from the service provider.
const sp = { settings: samlSettingsLoader(config).settings };

const app = express();
app.disable('x-powered-by');
configureViews(app, config, join(PROJECT_ROOT, 'views'), '/assets/bench');
app.use(express.urlencoded({ extended: false, limit: '200kb' }));
app.use((_req, res, next) => {
  res.locals.csrfToken = () => '';
  res.locals.cspNonce = '';
  next();
});
app.use(devIdpRoutes(config, sp));
const onError: ErrorRequestHandler = (err: { status?: number; message?: string }, _req, res, _next) => {
  res
    .status(err.status ?? 500)
    .type('text/plain')
    .send(String(err.message ?? 'error'));
};
app.use(onError);

const certFile = join(config.dataDir, 'saml', 'dev-idp-cert.pem');
developmentKeyPair(config, 'dev-idp'); // writes certFile (the portal gets it as SAML_IDP_CERT)
const server = createServer(app);
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port, certFile })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
