import type { Config } from '../config.js';
import { createDb, type Db } from './knex.js';
import { startEmbeddedPostgres } from './embedded.js';

export interface OpenDatabase {
  db: Db;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded development server when it is not set. */
export async function openDatabase(config: Config, log: (line: string) => void): Promise<OpenDatabase> {
  if (config.database.url) {
    const db = createDb(config.database.url, config.database.poolMax);
    return { db, url: config.database.url, embedded: false, close: () => db.destroy() };
  }
  if (config.isProduction) throw new Error('The embedded database is refused in production');
  const server = await startEmbeddedPostgres(config.database.embeddedDir, config.database.embeddedPort, log);
  const db = createDb(server.url, config.database.poolMax);
  return {
    db,
    url: server.url,
    embedded: true,
    close: async () => {
      await db.destroy();
      await server.stop();
    },
  };
}
