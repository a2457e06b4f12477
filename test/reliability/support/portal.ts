/**
 * Real portal processes for the fault tests: `node --import tsx src/server.ts`, as `npm start` runs it, on
 * 127.0.0.1 with an environment of the test's choosing. Output is kept in memory (shown when a test fails).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { PROJECT_ROOT } from '../../../src/root.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Portal {
  name: string;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  child: ChildProcess;
  pid: number;
  /** Everything the process wrote (stdout and stderr), newest last, at most ~2 MB. */
  output(): string;
  /** Exit code and signal, once it exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** SIGTERM, then the exit; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
}

export interface PortalOptions {
  name?: string;
  port?: number;
  databaseUrl: string;
  /** PUBLIC_URL; defaults to the process's own address (set it to the balancer's address behind one). */
  publicUrl?: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

const running = new Set<Portal>();

/** Starts a portal and waits until /readyz answers 200 (migrations done, database reachable). */
export async function startPortal(options: PortalOptions): Promise<Portal> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: options.publicUrl ?? url,
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: 'warn',
      SEED_DEMO_DATA: 'false',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  let size = 0;
  const keep = (c: Buffer) => {
    chunks.push(c.toString('utf8'));
    size += c.length;
    while (size > 2_000_000 && chunks.length > 1) size -= chunks.shift()!.length;
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  const portal: Portal = {
    name: options.name ?? `portal:${port}`,
    port,
    url,
    child,
    pid: child.pid!,
    output: () => chunks.join(''),
    exited,
    alive: () => !done,
    async stop(graceMs = 20_000) {
      if (done) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    async kill() {
      if (!done) child.kill('SIGKILL');
      await exited;
    },
  };
  running.add(portal);
  void exited.then(() => running.delete(portal));

  const until = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (done) throw new Error(`${portal.name} exited during start-up:\n${portal.output().slice(-3000)}`);
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return portal;
    if (Date.now() > until) {
      await portal.kill();
      throw new Error(
        `${portal.name} was not ready within ${options.readyTimeoutMs ?? 30_000} ms:\n${portal.output().slice(-3000)}`,
      );
    }
    await sleep(100);
  }
}

/** Kills every portal this test file started that still runs (the afterAll safety net). */
export async function killAllPortals(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}

/** Lines of the portal's pino output as objects (the non-JSON lines are skipped). */
export function logLines(portal: Portal): Record<string, unknown>[] {
  return portal
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
