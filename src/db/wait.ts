import pg from 'pg';
import { StartupError } from '../startup.js';

/** Errors that a database still starting (a container, a pod, a failover) gives: worth another try. */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P03',
]);
const CONNECT_TIMEOUT_MS = 5_000;

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string };
  if (e?.code) return e.code;
  if (/timeout/i.test(e?.message ?? '')) return 'ETIMEDOUT';
  return undefined;
}

/** The one line an operator reads: what is wrong with DATABASE_URL (never its password). */
export function describeDatabaseError(err: unknown, url: string): string {
  const u = new URL(url);
  const where = `${u.hostname}:${u.port || 5432}`;
  const database = decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username) || 'postgres';
  const message = err instanceof Error ? err.message : String(err);
  switch (codeOf(err)) {
    case 'ECONNREFUSED':
      return `DATABASE_URL: nothing accepts connections at ${where} (is PostgreSQL running there?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DATABASE_URL: unknown host "${u.hostname}"`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `DATABASE_URL: no answer from ${where}`;
    case '3D000':
      return `DATABASE_URL: database "${database}" does not exist on ${where}`;
    case '28P01':
    case '28000':
      return `DATABASE_URL: PostgreSQL at ${where} refused user "${decodeURIComponent(u.username)}": ${message}`;
    case '57P03':
      return `DATABASE_URL: PostgreSQL at ${where} is still starting up`;
    default:
      return `DATABASE_URL: cannot use the database at ${where}: ${message}`;
  }
}

/**
 * Connects once to prove the database answers. Under Compose or Kubernetes the portal may start before its
 * database: errors that go away by themselves (refused, unknown host yet, starting up) are retried for `waitSeconds`;
 * a wrong password or a missing database is not. Throws a StartupError naming DATABASE_URL.
 */
export async function waitForDatabase(
  url: string,
  waitSeconds: number,
  onWait: (line: string) => void = () => {},
): Promise<void> {
  if (!URL.canParse(url)) {
    throw new StartupError('DATABASE_URL: not a valid URL (percent-encode special characters in the password)');
  }
  const deadline = Date.now() + waitSeconds * 1000;
  let told = false;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // An error after connecting (the server going away) must not become an unhandled 'error' event.
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      if (!TRANSIENT.has(codeOf(err) ?? '') || Date.now() >= deadline)
        throw new StartupError(describeDatabaseError(err, url));
      if (!told)
        onWait(`${describeDatabaseError(err, url)}; retrying for up to ${waitSeconds} s (DATABASE_WAIT_SECONDS)`);
      told = true;
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await client.end().catch(() => {});
    }
  }
}
