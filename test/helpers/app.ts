import { createApp, type App, type AppDeps } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { page } from './page.js';

export interface TestApp {
  app: App;
  config: Config;
  /** The services the app's routes use (the ones of `deps.services` when a test handed its own in). */
  services: Services;
  database: TestDatabase;
  close(): Promise<void>;
}

export const TEST_PUBLIC_URL = 'http://127.0.0.1:3999';

/** The real app on a fresh database of its own; `env` overrides settings, `deps` the clock, rules or services. */
export async function buildTestApp(env: Record<string, string> = {}, deps: Partial<AppDeps> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    PUBLIC_URL: TEST_PUBLIC_URL,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const appDeps = { db: database.db, databaseUrl: database.url, logger: createLogger('silent'), ...deps };
  const services = deps.services ?? createServices(config, appDeps);
  const app = createApp(config, { ...appDeps, services });
  return {
    app,
    config,
    services,
    database,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/** Reads the CSRF token out of a rendered form. */
export const csrfTokenFrom = (html: string): string => page(html).csrf;
