import express, { type Express } from 'express';
import { join } from 'node:path';
import type { Config } from './config.js';
import { PROJECT_ROOT } from './root.js';
import { paths } from './paths.js';
import { assetVersion, staticAssets } from './http/assets.js';
import { csrf } from './http/csrf.js';
import { errorHandler, notFound } from './http/errors.js';
import { healthRoutes } from './http/health.js';
import { measureRequests, metricsRoutes } from './metrics/routes.js';
import { requestLogger } from './http/logger.js';
import { multipart } from './http/multipart.js';
import { formBody } from './http/form-body.js';
import { securityHeaders } from './http/security.js';
import { createSession } from './http/session.js';
import { configureViews } from './http/views.js';
import { siteRoutes } from './site/routes.js';
import { helpRoutes } from './help/routes.js';
import { loadAuthContext } from './auth/context.js';
import { devIdpRoutes } from './auth/dev-idp/routes.js';
import { acsRoutes, authRoutes } from './auth/routes.js';
import { devIdpEnabled, idpOriginForCsp } from './auth/saml-config.js';
import { adminRoutes } from './admin/routes.js';
import { devMailboxRoutes } from './mail/routes.js';
import { organisationRoutes } from './organisations/routes.js';
import { rightsRoutes } from './rights/routes.js';
import { refundRoutes } from './refund/routes.js';
import { dossierRoutes } from './dossiers/routes.js';
import { bulkFileTooLarge, bulkRoutes } from './bulk/routes.js';
import { privacyRoutes } from './privacy/routes.js';
import { apiRoutes } from './api/routes.js';
import { decisionRoutes } from './decisions/routes.js';
import { createServices, type ServiceDeps, type Services } from './services.js';
import './http/types.js';

export interface AppDeps extends ServiceDeps {
  /** The same database as `db`, for the session store's own small pool. */
  databaseUrl: string;
  /** True once the server is shutting down: /readyz then says so. */
  stopping?: () => boolean;
  /** The services the routes use; createServices(config, deps) unless a test hands in its own. */
  services?: Services;
}

export type App = Express & { close(): Promise<void> };

/** Builds the portal; server.ts only listens. Tests build it with their own config, database and clock. */
export function createApp(config: Config, deps: AppDeps): App {
  const app = express() as App;
  const services = deps.services ?? createServices(config, deps);
  const { db, logger } = services;
  const publicDir = join(PROJECT_ROOT, 'public');
  const assetBase = `${paths.assets}/${assetVersion(publicDir)}`;

  app.disable('x-powered-by');
  // Every page carries a fresh CSP nonce, so an ETag of its body never matches: hashing each page is waste.
  // (Static assets keep theirs: serve-static sets its own.)
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  configureViews(app, config, join(PROJECT_ROOT, 'views'), assetBase, services.rules, services.now);

  const sessions = createSession(config, deps.databaseUrl, { pruneExpired: config.env !== 'test', now: services.now });

  app.use(requestLogger(logger, app.get('trust proxy fn')));
  app.use(measureRequests);
  app.use(healthRoutes(db, deps.stopping, services.sp.warnings));
  if (config.metricsToken) app.use(metricsRoutes(db, config.metricsToken));
  app.use(securityHeaders(config, idpOriginForCsp(config)));
  // The back-office API: Bearer tokens, JSON bodies and answers; before the form parsers, session and CSRF.
  app.use(paths.api, apiRoutes(services));
  app.use(assetBase, staticAssets(publicDir));
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 500 }));
  app.use(multipart());
  app.use(formBody);
  app.use(sessions.middleware);
  app.use(sessions.timeouts);
  app.use(loadAuthContext(db, services.now));
  app.use(acsRoutes(services)); // before CSRF: the IdP's POST carries no token
  app.use(csrf.csrfSynchronisedProtection);
  app.use((req, res, next) => {
    res.locals.requestId = String(req.id ?? '');
    res.locals.csrfToken = () => csrf.generateToken(req);
    res.locals.currentPath = req.path;
    res.locals.auth = req.auth;
    next();
  });

  // A router that owns a path prefix is mounted at it, so a request enters only the routers that can answer it
  // (Express allocates for every router a request enters: ~12 % of a form page's allocations in the bench).
  app.use(paths.refund, refundRoutes(services));
  app.use(paths.dossiers, decisionRoutes(services));
  app.use(paths.dossiers, dossierRoutes(services));
  app.use(paths.bulk, bulkRoutes(services));
  app.use(paths.admin, adminRoutes(services));
  app.use(paths.devMailbox, devMailboxRoutes(services));
  app.use(siteRoutes());
  app.use(helpRoutes(services));
  app.use(privacyRoutes(services));
  app.use(authRoutes(services));
  if (devIdpEnabled(config)) app.use(devIdpRoutes(config, services.sp));
  app.use(organisationRoutes(services));
  app.use(rightsRoutes(services));
  app.use(bulkFileTooLarge);

  app.use(notFound);
  app.use(errorHandler(logger, config.env === 'development'));

  app.close = async () => {
    await sessions.close();
  };
  return app;
}
