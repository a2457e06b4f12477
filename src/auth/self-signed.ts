import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type Forge from 'node-forge';

/**
 * Self-signed X.509 certificates for development and tests only; production keys come from the
 * operator (SAML_SP_KEY/SAML_SP_CERT). Node generates the RSA key (natively, fast) and can sign,
 * but cannot build certificates, so node-forge builds and signs the certificate. SAML only uses it
 * as a carrier for the public key: subject = issuer = CN, 10 years valid, sha256WithRSAEncryption.
 */

export interface KeyPairPem {
  key: string;
  cert: string;
}

const VALID_YEARS = 10;

// Loaded when a pair is made, which production never does: node-forge adds some 10 MB to a process.
const load = createRequire(import.meta.url);

/** A fresh RSA-2048 key with its self-signed certificate, both PEM. */
export function generateKeyPairWithCertificate(commonName: string): KeyPairPem {
  const forge = load('node-forge') as typeof Forge;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const signingKey = forge.pki.privateKeyFromPem(privateKey);

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive, without a leading zero byte
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(cert.validity.notBefore);
  cert.validity.notAfter.setUTCFullYear(cert.validity.notBefore.getUTCFullYear() + VALID_YEARS);
  // UTF8String as in most certificates (forge defaults to PrintableString); the typings declare
  // valueTagClass as an asn1.Class, but forge takes the value's asn1.Type.
  const name = [{ name: 'commonName', value: commonName, valueTagClass: forge.asn1.Type.UTF8 as number }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'basicConstraints', cA: false }]);
  cert.sign(signingKey, forge.md.sha256.create());

  return { key: privateKey, cert: forge.pki.certificateToPem(cert) };
}
