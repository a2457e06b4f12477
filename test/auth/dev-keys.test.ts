import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/root.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** One process asking for the development SP key pair under `dataDir`, as a portal does at start-up; prints the certificate. */
function keyPairInChildProcess(dataDir: string): Promise<string> {
  const script = `
    const { developmentKeyPair } = await import('./src/auth/keys.ts');
    const pair = developmentKeyPair({ isProduction: false, env: 'development', dataDir: process.env.KEYS_DIR }, 'sp');
    process.stdout.write(JSON.stringify(pair));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, KEYS_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`)))),
  );
}

describe('development key pairs under DATA_DIR', () => {
  it('instances started together on one DATA_DIR all get the one pair that is stored, and no temporary file stays', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wse-keys-'));
    dirs.push(dataDir);
    const pairs = (await Promise.all(Array.from({ length: 6 }, () => keyPairInChildProcess(dataDir)))).map(
      (o) => JSON.parse(o) as { key: string; cert: string },
    );
    const stored = {
      key: readFileSync(join(dataDir, 'saml', 'sp-key.pem'), 'utf8'),
      cert: readFileSync(join(dataDir, 'saml', 'sp-cert.pem'), 'utf8'),
    };
    for (const pair of pairs) expect(pair).toEqual(stored);
    expect(readdirSync(join(dataDir, 'saml')).sort()).toEqual(['sp-cert.pem', 'sp-key.pem']);
    // A restart reads the same pair.
    expect(JSON.parse(await keyPairInChildProcess(dataDir))).toEqual(stored);
  });
});
