import { createServer, type ServerResponse } from 'node:http';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { migrateLatest } from './db/migrate.js';
import { openDatabase } from './db/open.js';
import { seedDemoData } from './db/seed.js';
import { createLogger } from './http/logger.js';
import { createMailWorker } from './mail/worker.js';
import { createRetentionJob } from './privacy/job.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

const config = readConfig();
const logger = createLogger(config.logLevel);
const database = await openDatabase(config, (line) => logger.debug({ embeddedPostgres: line }));
if (database.embedded) logger.info('Using the embedded PostgreSQL server under %s (no DATABASE_URL set)', config.database.embeddedDir);
await migrateLatest(database.db);
if (config.seedDemoData) await seedDemoData(database.db, config);

let stopping = false;
const app = createApp(config, { db: database.db, databaseUrl: database.url, logger, stopping: () => stopping });
// Sends the mail outbox; safe with several instances on one database (row leases, SKIP LOCKED).
const mailWorker = createMailWorker({ db: database.db, config, logger });
mailWorker.start();
// The daily retention purge (docs/privacy.md): every instance checks, one per day does the work.
const retentionJob = createRetentionJob({ db: database.db, config, logger });
retentionJob.start();
const server = createServer(app);
server.keepAliveTimeout = 65_000;
// While shutting down, every response not sent yet says `Connection: close`, so a keep-alive client (or load
// balancer) opens a new connection, to another instance, instead of sending its next request into one being closed.
const unanswered = new Set<ServerResponse>();
const closeAfterResponse = (res: ServerResponse) => {
  if (!res.headersSent) res.shouldKeepAlive = false;
};
server.on('request', (_req, res: ServerResponse) => {
  if (stopping) return closeAfterResponse(res);
  unanswered.add(res);
  res.once('close', () => unanswered.delete(res));
});
server.listen(config.port, config.host, () => {
  logger.info('WSE-loket listening on %s (port %d)', config.publicUrl, config.port);
});

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  unanswered.forEach(closeAfterResponse);
  logger.info('%s received: finishing in-flight requests', signal);
  // Refuse new connections, let running requests finish, drop idle keep-alive sockets.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive sockets become idle as their last request finishes: close them as they do.
  const sweep = setInterval(() => server.closeIdleConnections(), 250);
  server.closeIdleConnections();
  const force = setTimeout(() => {
    logger.warn('in-flight requests did not finish in time; closing connections');
    server.closeAllConnections();
  }, 10_000);
  force.unref();
  await closed;
  clearInterval(sweep);
  await mailWorker.stop();
  await retentionJob.stop();
  await app.close();
  await database.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
