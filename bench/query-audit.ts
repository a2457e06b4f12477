/**
 * Which SQL statements one request of each figure sends: the portal's own app (createApp, same config and
 * database, same session secret, so the bench's session cookies are valid) in this process, its knex pool and
 * its session store both connected through a loopback proxy that records every statement on the wire
 * (test/helpers/sql-recorder.ts; nothing in pg is patched). Requests run one at a time, so every statement
 * between a request's start and its response is its own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/knex.js';
import { createLogger } from '../src/http/logger.js';
import { startSqlRecorder } from '../test/helpers/sql-recorder.js';

export interface AuditRequest {
  label: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  expectStatus: number;
}

export interface AuditResult {
  label: string;
  status: number;
  statements: string[];
}

/** A statement shortened to what identifies it: its first words and the table it touches. */
function shorten(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 110 ? `${flat.slice(0, 107)}…` : flat;
}

export async function auditQueries(env: NodeJS.ProcessEnv, requests: AuditRequest[]): Promise<AuditResult[]> {
  const recorder = await startSqlRecorder(loadConfig(env).database.url!);
  const config = loadConfig({ ...env, DATABASE_URL: recorder.url });
  const db = createDb(recorder.url, 4);
  const app = createApp(config, { db, databaseUrl: recorder.url, logger: createLogger('silent') });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const results: AuditResult[] = [];
  try {
    // Not counted: a request that warms the database pool, and one GET / per session, which refreshes the
    // session's idle timer when it is over a minute old (a write at most once a minute, by design).
    await fetch(`${origin}/readyz`).then((r) => r.arrayBuffer());
    for (const headers of new Set(requests.map((r) => JSON.stringify(r.headers)))) {
      await fetch(`${origin}/`, { headers: JSON.parse(headers) as Record<string, string>, redirect: 'manual' }).then(
        (r) => r.arrayBuffer(),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const r of requests) {
      const { result: res, sent } = await recorder.during(async () => {
        const res = await fetch(`${origin}${r.path}`, {
          method: r.method,
          headers: {
            ...r.headers,
            ...(r.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
          body: r.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(15_000),
        });
        await res.arrayBuffer();
        // express-session saves (or touches) after the response is sent: give it a moment.
        await new Promise((resolve) => setTimeout(resolve, 100));
        return res;
      });
      if (res.status !== r.expectStatus) throw new Error(`${r.label}: expected ${r.expectStatus}, got ${res.status}`);
      // Connection set-up statements (knex's version check) are not the request's work.
      const statements = sent.filter((sql) => !/^(select version\(\)|set search_path)/i.test(sql)).map(shorten);
      results.push({ label: r.label, status: res.status, statements });
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await app.close();
    await db.destroy();
    await recorder.close();
  }
  return results;
}
