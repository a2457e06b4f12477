import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/root.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('the server process', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('stops with one clear line naming a bad setting', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PORT: 'not-a-port', DATABASE_URL: database.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT: must be a port number');
  });

  it('finishes an in-flight request on SIGTERM, refuses new connections, says "not ready" to a health check and exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        LOG_LEVEL: 'silent',
        SEED_DEMO_DATA: 'false',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    for (let i = 0; i < 150; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    // An in-flight request: headers sent, body still coming when SIGTERM arrives.
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let response = '';
    socket.on('data', (c) => (response += c));
    const body = '_csrf=x&a=b';
    socket.write(
      `POST /bestaat-niet HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n_csrf=`,
    );
    // A load balancer's health check on a connection it already had open, arriving while the instance drains.
    const balancer = net.connect(port, '127.0.0.1');
    await new Promise((r) => balancer.once('connect', r));
    let health = '';
    balancer.on('data', (c) => (health += c));
    balancer.write('GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));

    // The balancer hears that this instance is going away, not "ready".
    const healthClosed = new Promise((r) => balancer.once('close', r));
    balancer.write('\r\n');
    await healthClosed;
    expect(health).toMatch(/^HTTP\/1\.1 503/);
    expect(health).toMatch(/\r\n\r\nshutting down$/);

    // New connections are refused while the old one is being served.
    const refused = await fetch(`http://127.0.0.1:${port}/healthz`)
      .then(() => false)
      .catch(() => true);
    expect(refused).toBe(true);

    const closed = new Promise((r) => socket.once('close', r));
    socket.write(body.slice('_csrf='.length));
    await closed; // the server closes the connection once the response is sent
    expect(response).toMatch(/^HTTP\/1\.1 403/); // the request was answered (its CSRF token is fake)
    // …and told the client not to send another request on this connection (a keep-alive client would race the close).
    expect(response).toMatch(/\r\nConnection: close\r\n/i);
    expect(await exited).toBe(0);
  });
});
