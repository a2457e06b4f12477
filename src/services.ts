import type { Config } from './config.js';
import type { Db } from './db/knex.js';
import { createServiceProvider } from './auth/saml-sp.js';
import { createBulkService } from './bulk/service.js';
import { createDossierLife } from './decisions/service.js';
import { defaultRetention } from './domain/retention-data.js';
import { defaultRules, type RulesData } from './domain/rules-data.js';
import type { Logger } from './http/logger.js';
import { createMailComposer, createMailRenderer } from './mail/templates.js';
import { createRefundMailer } from './refund/mail.js';
import { createRefundService } from './refund/service.js';
import { createRightsService } from './rights/service.js';

export interface ServiceDeps {
  db: Db;
  logger: Logger;
  /** The clock; tests pin it. */
  now?: () => Date;
  /** The VOV rule tables (forfaits, thresholds, deadlines) for the form and the FAQ; tests inject others. */
  rules?: RulesData;
}

/** Every service of the portal, built once; createApp hands them to the route factories, which build none. */
export function createServices(config: Config, deps: ServiceDeps) {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const rules = deps.rules ?? defaultRules;
  const refund = createRefundService({ db, now, rules, mailer: createRefundMailer(config) });
  return {
    config,
    db,
    logger,
    now,
    rules,
    retention: defaultRetention,
    sp: createServiceProvider(config, db, logger),
    mailRenderer: createMailRenderer(config),
    rights: createRightsService({ db, mail: createMailComposer(config), now }),
    refund,
    bulk: createBulkService({ db, now, rules, refund }),
    life: createDossierLife({ db, now, publicUrl: config.publicUrl }),
  };
}

export type Services = ReturnType<typeof createServices>;
