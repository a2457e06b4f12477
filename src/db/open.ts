import net from 'node:net';
import type { DatabaseConfig } from '../config.js';
import { StartupError } from '../startup.js';
import { createDb, type Db } from './knex.js';
import { startEmbeddedPostgres } from './embedded.js';
import { waitForDatabase } from './wait.js';

export interface OpenDatabase {
  db: Db;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

/**
 * Connects to DATABASE_URL (waiting up to DATABASE_WAIT_SECONDS for it to answer), or starts the embedded development
 * server when it is not set. Every problem an operator can fix is a StartupError naming the setting.
 */
export async function openDatabase(
  config: { isProduction: boolean; database: DatabaseConfig },
  log: (line: string) => void,
  warn: (line: string) => void = log,
): Promise<OpenDatabase> {
  const settings = config.database;
  if (settings.url) {
    await waitForDatabase(settings.url, settings.waitSeconds, warn);
    const db = createDb(settings.url, settings.poolMax);
    return { db, url: settings.url, embedded: false, close: () => db.destroy() };
  }
  if (config.isProduction) throw new StartupError('DATABASE_URL: required in production');
  // A second checkout's `npm start` or a leftover server: PostgreSQL would fail with an unreadable message.
  if (await portTaken(settings.embeddedPort)) {
    throw new StartupError(
      `EMBEDDED_PG_PORT: port ${settings.embeddedPort} is already in use; stop what uses it or choose another port`,
    );
  }
  let server;
  try {
    server = await startEmbeddedPostgres(settings.embeddedDir, settings.embeddedPort, log);
  } catch (err) {
    if ((err as { code?: string })?.code === 'ERR_MODULE_NOT_FOUND') {
      throw new StartupError(
        'DATABASE_URL: not set, and the embedded development database is not installed (npm install)',
      );
    }
    const reason = err instanceof Error ? err.message : 'see its log with LOG_LEVEL=debug';
    throw new StartupError(
      `EMBEDDED_PG_DIR: the embedded PostgreSQL under ${settings.embeddedDir} did not start (${reason})`,
    );
  }
  const db = createDb(server.url, settings.poolMax);
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
