import { createSign, createVerify } from 'node:crypto';
import querystring from 'node:querystring';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** SAML HTTP-Redirect binding (bindings §3.4): deflate, base64, and a signature over the query. */

export const RSA_SHA256_URI = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const NODE_ALGORITHMS: Record<string, string> = {
  [RSA_SHA256_URI]: 'RSA-SHA256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': 'RSA-SHA512',
};

/** The redirect-binding parameters, carried unchanged between the dev IdP's pages. */
export interface RedirectMessage {
  SAMLRequest?: string;
  SAMLResponse?: string;
  RelayState?: string;
  SigAlg: string;
  Signature: string;
}

export function redirectMessageFrom(source: Record<string, unknown>): RedirectMessage | undefined {
  const { SAMLRequest, SAMLResponse, RelayState, SigAlg, Signature } = source;
  if (typeof SigAlg !== 'string' || typeof Signature !== 'string') return undefined;
  if (typeof SAMLRequest !== 'string' && typeof SAMLResponse !== 'string') return undefined;
  return {
    ...(typeof SAMLRequest === 'string' ? { SAMLRequest } : { SAMLResponse: SAMLResponse as string }),
    ...(typeof RelayState === 'string' && RelayState ? { RelayState } : {}),
    SigAlg,
    Signature,
  };
}

/** The octets that are signed, in the order the binding prescribes. */
function signedOctets(m: Omit<RedirectMessage, 'Signature'>): string {
  const part: Record<string, string> =
    m.SAMLRequest !== undefined ? { SAMLRequest: m.SAMLRequest } : { SAMLResponse: m.SAMLResponse ?? '' };
  if (m.RelayState) part.RelayState = m.RelayState;
  part.SigAlg = m.SigAlg;
  return querystring.stringify(part);
}

export function verifyRedirectSignature(m: RedirectMessage, certPem: string): boolean {
  const algorithm = NODE_ALGORITHMS[m.SigAlg];
  if (!algorithm) return false;
  return createVerify(algorithm).update(signedOctets(m)).verify(certPem, m.Signature, 'base64');
}

export function inflateMessage(m: RedirectMessage): string {
  return inflateRawSync(Buffer.from(m.SAMLRequest ?? m.SAMLResponse ?? '', 'base64'), {
    maxOutputLength: 100_000,
  }).toString('utf8');
}

/** A signed redirect URL carrying `xml` as SAMLRequest or SAMLResponse. */
export function signedRedirectUrl(
  target: string,
  kind: 'SAMLRequest' | 'SAMLResponse',
  xml: string,
  relayState: string | undefined,
  keyPem: string,
): string {
  const unsigned = {
    [kind]: deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64'),
    ...(relayState ? { RelayState: relayState } : {}),
    SigAlg: RSA_SHA256_URI,
  };
  const Signature = createSign('RSA-SHA256').update(signedOctets(unsigned)).sign(keyPem, 'base64');
  // The receiver verifies the octets as sent, so the query is encoded exactly as it was signed.
  return `${target}${target.includes('?') ? '&' : '?'}${querystring.stringify({ ...unsigned, Signature })}`;
}
