import { createServer, type Server, type ServerResponse } from 'node:http';
import { createApp } from './app.js';
import { checkSamlMaterial } from './auth/saml-material.js';
import { loadConfig, type Config } from './config.js';
import { migrateLatest } from './db/migrate.js';
import { openDatabase } from './db/open.js';
import { seedDemoData } from './db/seed.js';
import { createLogger } from './http/logger.js';
import { createMailWorker } from './mail/worker.js';
import { createRetentionJob } from './privacy/job.js';
import { exitOnStartupFailure, SHUTDOWN_DRAIN_MS, StartupError } from './startup.js';

/** Binds the port before anything touches the database: a port in use is one line, and no migration ran. */
function listen(server: Server, config: Config): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      const where = `${config.host}:${config.port}`;
      const line =
        err.code === 'EADDRINUSE'
          ? `PORT: ${where} is already in use; choose another PORT`
          : err.code === 'EACCES'
            ? `PORT: no permission to listen on ${where}; choose a PORT above 1023`
            : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
              ? `HOST: ${config.host} is not an address of this machine`
              : undefined;
      reject(line ? new StartupError(line) : err);
    };
    server.once('error', failed);
    server.listen(config.port, config.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

async function start(): Promise<void> {
  const config = loadConfig();
  await checkSamlMaterial(config);
  const logger = createLogger(config.logLevel);
  const server = createServer();
  // Until the portal is ready, every request (a load balancer's /readyz too) hears 503.
  const starting = (_req: unknown, res: ServerResponse) => res.writeHead(503, { 'Retry-After': '5' }).end('starting');
  server.on('request', starting);
  await listen(server, config);

  const database = await openDatabase(
    config,
    (line) => logger.debug({ database: line }),
    (line) => logger.warn(line),
  );
  if (database.embedded) {
    logger.info('Using the embedded PostgreSQL server under %s (no DATABASE_URL set)', config.database.embeddedDir);
  }
  try {
    await migrateLatest(database.db);
    if (config.seedDemoData) await seedDemoData(database.db, config);
  } catch (err) {
    await database.close(); // the embedded server is a child process of ours: don't leave it running
    throw err;
  }

  let stopping = false;
  const app = createApp(config, { db: database.db, databaseUrl: database.url, logger, stopping: () => stopping });
  // Sends the mail outbox; safe with several instances on one database (row leases, SKIP LOCKED).
  const mailWorker = createMailWorker({ db: database.db, config, logger });
  mailWorker.start();
  // The daily retention purge (docs/privacy.md): every instance checks, one per day does the work.
  const retentionJob = createRetentionJob({ db: database.db, config, logger });
  retentionJob.start();
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
  server.off('request', starting);
  server.on('request', app);
  logger.info('WSE-loket listening on %s (port %d)', config.publicUrl, config.port);

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
    }, SHUTDOWN_DRAIN_MS);
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
}

await start().catch(exitOnStartupFailure);
