import express, { type Express } from 'express';
import { join } from 'node:path';
import type { Config } from './config.js';
import type { Db } from './db/knex.js';
import { PROJECT_ROOT } from './root.js';
import { paths } from './paths.js';
import { assetVersion, staticAssets } from './http/assets.js';
import { csrf } from './http/csrf.js';
import { errorHandler, notFound } from './http/errors.js';
import { healthRoutes } from './http/health.js';
import { measureRequests, metricsRoutes } from './metrics/routes.js';
import { requestLogger, type Logger } from './http/logger.js';
import { multipart } from './http/multipart.js';
import { formBody } from './http/form-body.js';
import { securityHeaders } from './http/security.js';
import { createSession } from './http/session.js';
import { configureViews } from './http/views.js';
import { siteRoutes } from './site/routes.js';
import { helpRoutes } from './help/routes.js';
import { defaultRules, type RulesData } from './domain/rules-data.js';
import { authSessionJoin, loadAuthContext } from './auth/context.js';
import { devIdpRoutes } from './auth/dev-idp/routes.js';
import { acsRoutes, authRoutes } from './auth/routes.js';
import { devIdpEnabled, idpOriginForCsp } from './auth/saml-config.js';
import { createServiceProvider } from './auth/saml-sp.js';
import { adminRoutes } from './admin/routes.js';
import { devMailboxRoutes } from './mail/routes.js';
import { createMailComposer } from './mail/templates.js';
import { organisationRoutes } from './organisations/routes.js';
import { rightsRoutes } from './rights/routes.js';
import { createRightsService } from './rights/service.js';
import { draftPageReads } from './refund/page-read.js';
import { refundRoutes } from './refund/routes.js';
import { dossierRoutes } from './dossiers/routes.js';
import { bulkRoutes } from './bulk/routes.js';
import { privacyRoutes } from './privacy/routes.js';
import { defaultRetention } from './domain/retention-data.js';
import { apiRoutes } from './api/routes.js';
import { createDossierLife } from './decisions/service.js';
import { decisionRoutes } from './decisions/routes.js';
import './http/types.js';

export interface AppDeps {
  db: Db;
  /** The same database as `db`, for the session store's own small pool. */
  databaseUrl: string;
  logger: Logger;
  /** The clock; tests pin it. */
  now?: () => Date;
  /** The VOV rule tables (forfaits, thresholds, deadlines) for the form and the FAQ; tests inject others. */
  rules?: RulesData;
  /** True once the server is shutting down: /readyz then says so. */
  stopping?: () => boolean;
}

export type App = Express & { close(): Promise<void> };

/** Builds the portal; server.ts only listens. Tests build it with their own config, database and clock. */
export function createApp(config: Config, deps: AppDeps): App {
  const app = express() as App;
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const rules = deps.rules ?? defaultRules;
  const publicDir = join(PROJECT_ROOT, 'public');
  const assetBase = `${paths.assets}/${assetVersion(publicDir)}`;

  app.disable('x-powered-by');
  // Every page carries a fresh CSP nonce, so an ETag of its body never matches: hashing each page is waste.
  // (Static assets keep theirs: serve-static sets its own.)
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  configureViews(app, config, join(PROJECT_ROOT, 'views'), assetBase, rules, now);

  const sessions = createSession(config, deps.databaseUrl, {
    pruneExpired: config.env !== 'test',
    join: authSessionJoin,
    reads: draftPageReads,
  });
  const serviceProvider = createServiceProvider(config, db, logger);
  const authDeps = { config, db, logger, sp: serviceProvider, now };

  app.use(requestLogger(logger, app.get('trust proxy fn')));
  app.use(measureRequests);
  app.use(healthRoutes(db, deps.stopping, serviceProvider.warnings));
  if (config.metricsToken) app.use(metricsRoutes(db, config.metricsToken));
  app.use(securityHeaders(config, idpOriginForCsp(config)));
  const life = createDossierLife({ db, now, publicUrl: config.publicUrl });
  // The back-office API: Bearer tokens, JSON bodies and answers; before the form parsers, session and CSRF.
  app.use(apiRoutes({ db, config, life, logger, now }));
  app.use(assetBase, staticAssets(publicDir));
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 500 }));
  app.use(multipart());
  app.use(formBody);
  app.use(sessions.middleware);
  app.use(sessions.timeouts);
  app.use(loadAuthContext);
  app.use(acsRoutes(authDeps)); // before CSRF: the IdP's POST carries no token
  app.use(csrf.csrfSynchronisedProtection);
  app.use((req, res, next) => {
    res.locals.requestId = String(req.id ?? '');
    res.locals.csrfToken = () => csrf.generateToken(req);
    res.locals.currentPath = req.path;
    res.locals.auth = req.auth;
    next();
  });

  app.use(siteRoutes());
  app.use(helpRoutes({ rules, now }));
  app.use(privacyRoutes({ retention: defaultRetention }));
  app.use(authRoutes(authDeps));
  if (devIdpEnabled(config)) app.use(devIdpRoutes(config, serviceProvider));
  const rights = createRightsService({ db, mail: createMailComposer(config), now });
  app.use(organisationRoutes(db));
  app.use(rightsRoutes({ db, rights, now }));
  app.use(adminRoutes({ db, rights, now }));
  app.use(devMailboxRoutes(db, config));
  app.use(refundRoutes({ db, config, now, rules }));
  app.use(decisionRoutes({ db, life, now }));
  app.use(dossierRoutes({ db, now, rules }));
  app.use(bulkRoutes({ db, config, now, rules }));

  app.use(notFound);
  app.use(errorHandler(logger, config.env === 'development'));

  app.close = async () => {
    await sessions.close();
  };
  return app;
}
