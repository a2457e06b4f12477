import { NS, child, parseXmlStrict, text } from '../xml.js';
import { inflateMessage, verifyRedirectSignature, type RedirectMessage } from './redirect-binding.js';

export interface PendingAuthnRequest {
  id: string;
  acsUrl: string;
  relayState?: string;
}

export class BadSamlRequest extends Error {}

/**
 * Verifies the SP's signature over the redirect parameters and reads the request. The dev IdP
 * re-verifies it on each of its pages, so its state between pages needs no server-side storage.
 */
export function readSignedRequest(
  message: RedirectMessage,
  spCertPem: string,
  expectedName: 'AuthnRequest' | 'LogoutRequest',
  spEntityId: string,
) {
  if (!message.SAMLRequest) throw new BadSamlRequest('no SAMLRequest');
  if (!verifyRedirectSignature(message, spCertPem)) throw new BadSamlRequest('bad signature');
  let request;
  try {
    request = parseXmlStrict(inflateMessage(message)).documentElement;
  } catch {
    throw new BadSamlRequest('unreadable');
  }
  if (!request || request.namespaceURI !== NS.protocol || request.localName !== expectedName)
    throw new BadSamlRequest(`not a ${expectedName}`);
  const id = request.getAttribute('ID');
  if (!id) throw new BadSamlRequest('no ID');
  if (text(child(request, NS.assertion, 'Issuer')) !== spEntityId) throw new BadSamlRequest('unknown SP');
  return { id, request };
}

export function readAuthnRequest(
  message: RedirectMessage,
  spCertPem: string,
  expected: { spEntityId: string; acsUrl: string },
): PendingAuthnRequest {
  const { id, request } = readSignedRequest(message, spCertPem, 'AuthnRequest', expected.spEntityId);
  // An IdP answers only at an ACS URL it knows for this SP (from its metadata).
  const acsUrl = request.getAttribute('AssertionConsumerServiceURL') || expected.acsUrl;
  if (acsUrl !== expected.acsUrl) throw new BadSamlRequest('unknown ACS URL');
  return { id, acsUrl, relayState: message.RelayState };
}
