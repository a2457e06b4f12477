import type { Config } from '../config.js';
import type { Db } from './knex.js';
import { seedDemoOrganisation } from '../organisations/demo-seed.js';
import { seedDemoDossiers } from '../decisions/demo-seed.js';

/**
 * Demo data for development mode only (never in production): idempotent, so every `npm start`
 * can run it. Each capability adds its part here.
 */
export async function seedDemoData(db: Db, config: Config): Promise<void> {
  if (config.isProduction) throw new Error('Demo data is never seeded in production');
  await db.transaction(async (trx) => {
    await seedDemoOrganisation(trx);
    await seedDemoDossiers(trx, config);
  });
}
