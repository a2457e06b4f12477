import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { PROJECT_ROOT } from '../../src/root.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../reliability/support/portal.js';
import { untilReady } from './support.js';

/** `npm start` as an operator meets it: a real server process with one bad setting. */
function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_WAIT_SECONDS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

async function failure(env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  const server = startServer(env);
  const code = await server.exited;
  return { code, lines: server.stderr().split('\n').filter(Boolean) };
}

/** Something that holds a port, as a second checkout or a leftover process would. */
async function occupy(): Promise<net.Server> {
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  return holder;
}

function withDatabase(name: string, user?: string): string {
  const u = new URL(inject('serverUrl'));
  u.pathname = `/${name}`;
  if (user) u.username = user;
  return u.toString();
}

describe('start-up with a bad setting: one line naming it, exit 1, no stack trace', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it.each([
    [
      'an unreachable database',
      () => `postgres://postgres@127.0.0.1:1/wse`,
      /^DATABASE_URL: nothing accepts connections at 127\.0\.0\.1:1 /,
    ],
    [
      'a database that does not exist',
      () => withDatabase('bestaat_niet'),
      /^DATABASE_URL: database "bestaat_niet" does not exist on /,
    ],
    [
      'wrong credentials',
      () => withDatabase(database.name, 'niemand'),
      /^DATABASE_URL: PostgreSQL at .* refused user "niemand": /,
    ],
    ['an unknown host', () => 'postgres://postgres@db.invalid:5432/wse', /^DATABASE_URL: unknown host "db\.invalid"$/],
    ['a DATABASE_URL that is no URL', () => 'postgres://db:poort/wse', /^DATABASE_URL: not a valid URL /],
  ])('%s', async (_name, url, line) => {
    const port = await freePort();
    const result = await failure({ PORT: String(port), DATABASE_URL: url() });
    expect(result.code).toBe(1);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(line);
  });

  it('a port in use, found before the migrations run', async () => {
    const empty = `wse_ops_${process.pid}`;
    const admin = new pg.Client({ connectionString: withDatabase('postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${empty}`);
    await admin.query(`CREATE DATABASE ${empty}`);
    const holder = await occupy();
    try {
      const { port } = holder.address() as net.AddressInfo;
      const result = await failure({ PORT: String(port), DATABASE_URL: withDatabase(empty) });
      expect(result.code).toBe(1);
      expect(result.lines).toEqual([`PORT: 127.0.0.1:${port} is already in use; choose another PORT`]);
      const check = new pg.Client({ connectionString: withDatabase(empty) });
      await check.connect();
      const tables = await check.query("SELECT 1 FROM pg_tables WHERE tablename = 'knex_migrations'");
      await check.end();
      expect(tables.rowCount).toBe(0);
    } finally {
      holder.close();
      await admin.query(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('the embedded development database’s port taken', async () => {
    const holder = await occupy();
    const dir = mkdtempSync(join(tmpdir(), 'wse-ops-pg-'));
    try {
      const { port } = holder.address() as net.AddressInfo;
      const result = await failure({
        NODE_ENV: 'development',
        PORT: String(await freePort()),
        EMBEDDED_PG_PORT: String(port),
        EMBEDDED_PG_DIR: join(dir, 'pg'),
        DATA_DIR: dir,
      });
      expect(result.code).toBe(1);
      expect(result.lines).toEqual([
        `EMBEDDED_PG_PORT: port ${port} is already in use; stop what uses it or choose another port`,
      ]);
    } finally {
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waits up to DATABASE_WAIT_SECONDS for a database that comes up after the portal', async () => {
    const dbPort = await freePort();
    const port = await freePort();
    const target = new URL(inject('serverUrl'));
    const server = startServer({
      PORT: String(port),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${dbPort}/${database.name}`,
      DATABASE_WAIT_SECONDS: '120',
    });
    // The database "comes up" (a TCP relay to the real server) once the portal said it is waiting for it.
    await expect
      .poll(server.stdout, { timeout: 30_000, interval: 50 })
      .toContain('retrying for up to 120 s (DATABASE_WAIT_SECONDS)');
    const relay = net.createServer((socket) =>
      socket.pipe(net.connect(Number(target.port || 5432), target.hostname)).pipe(socket),
    );
    await new Promise<void>((r) => relay.listen(dbPort, '127.0.0.1', r));
    try {
      await untilReady(port);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      relay.close();
    }
  });
});
