import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { generateKeyPairWithCertificate, type KeyPairPem } from './self-signed.js';

/** A setting holding either PEM text or the path of a PEM file. */
export function pemFromSetting(value: string): string {
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  return readFileSync(value, 'utf8');
}

/** The base64 body of a certificate, as SAML metadata and node-saml want it. */
export function certificateBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

// Tests build many apps in one process: one key pair per purpose per process keeps them fast.
const generatedInMemory = new Map<string, KeyPairPem>();

/** Tests hand in the pairs their run made once, so that no test file spends time making its own. */
export function useTestKeyPairs(pairs: Record<'sp' | 'dev-idp', KeyPairPem>): void {
  for (const [purpose, pair] of Object.entries(pairs)) generatedInMemory.set(purpose, pair);
}

/**
 * Development and test key pairs when the operator gave none: development keeps them under
 * DATA_DIR/saml so that the IdP's copy of our certificate stays valid across restarts; tests keep
 * them in memory. Production never gets here (config refuses to start without SAML_SP_KEY/CERT).
 */
export function developmentKeyPair(config: Config, purpose: 'sp' | 'dev-idp'): KeyPairPem {
  if (config.isProduction)
    throw new Error(`No ${purpose} key pair configured; generated keys are refused in production`);
  const commonName = purpose === 'sp' ? 'WSE-loket service provider (development)' : 'WSE-loket development IdP';
  if (config.env === 'test') {
    let pair = generatedInMemory.get(purpose);
    if (!pair) generatedInMemory.set(purpose, (pair = generateKeyPairWithCertificate(commonName)));
    return pair;
  }
  const dir = join(config.dataDir, 'saml');
  const keyFile = join(dir, `${purpose}-key.pem`);
  const certFile = join(dir, `${purpose}-cert.pem`);
  const stored = () => ({ key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') });
  if (existsSync(keyFile) && existsSync(certFile)) return stored();
  mkdirSync(dir, { recursive: true });
  const pair = generateKeyPairWithCertificate(commonName);
  // Instances started together on one DATA_DIR must end up with one pair: the first to link its key file in
  // place wins (a link fails if the name exists), and the others wait for the winner's certificate.
  const [keyTmp, certTmp] = [keyFile, certFile].map((f) => `${f}.${process.pid}.tmp`);
  try {
    writeFileSync(keyTmp, pair.key, { mode: 0o600 });
    chmodSync(keyTmp, 0o600);
    writeFileSync(certTmp, pair.cert);
    try {
      linkSync(keyTmp, keyFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      waitFor(certFile, keyFile);
      return stored();
    }
    renameSync(certTmp, certFile);
    return pair;
  } finally {
    rmSync(keyTmp, { force: true });
    rmSync(certTmp, { force: true });
  }
}

/** Blocks (start-up only) until another process has written `file`, for at most 10 s. */
function waitFor(file: string, companion: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; !existsSync(file); waited += 50) {
    if (waited >= 10_000)
      throw new Error(`${companion} exists without ${file}: remove both to have a new key pair made`);
    Atomics.wait(pause, 0, 0, 50);
  }
}

/** The service provider's signing key pair: from SAML_SP_KEY/CERT, else a development one. */
export function serviceProviderKeys(config: Config): KeyPairPem {
  const { spKey, spCert } = config.saml;
  if (spKey && spCert) return { key: pemFromSetting(spKey), cert: pemFromSetting(spCert) };
  return developmentKeyPair(config, 'sp');
}
