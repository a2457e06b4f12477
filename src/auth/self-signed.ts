import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A self-signed X.509 certificate for development and tests, without a dependency: Node can
 * generate keys and sign, but not build certificates. SAML only uses the certificate as a
 * carrier for the public key, so a minimal v1 certificate (subject CN, validity, RSA key,
 * sha256WithRSAEncryption) is enough. Production keys come from the operator (SAML_SP_KEY/CERT).
 */

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const sequence = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => der(0x31, Buffer.concat(parts));
const utf8 = (s: string) => der(0x0c, Buffer.from(s, 'utf8'));
const nullValue = Buffer.from([0x05, 0x00]);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  // RFC 5280: UTCTime until 2049, GeneralizedTime from 2050.
  return d.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(`${iso.slice(2)}Z`)) : der(0x18, Buffer.from(`${iso}Z`));
}

function positiveSerial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01; // positive, no leading zero byte
  return der(0x02, bytes);
}

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), nullValue);

export function selfSignedCertificate(commonName: string, publicKey: KeyObject, privateKey: KeyObject, validYears = 10): string {
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8(commonName))));
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + validYears * 365 * 86_400_000);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const tbs = sequence(positiveSerial(), SHA256_WITH_RSA, name, sequence(time(notBefore), time(notAfter)), name, spki);
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, SHA256_WITH_RSA, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const body = certificate.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

export interface KeyPairPem {
  key: string;
  cert: string;
}

/** A fresh RSA-2048 key with its self-signed certificate, both PEM. */
export function generateKeyPairWithCertificate(commonName: string): KeyPairPem {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: selfSignedCertificate(commonName, publicKey, privateKey),
  };
}
