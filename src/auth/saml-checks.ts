import type { Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { LoginFailure, statusFailure } from './failures.js';
import type { SamlSettings } from './saml-config.js';
import { NS, child, children, descendants, parseXmlStrict, text } from './xml.js';

/**
 * Checks node-saml does not do (or does too leniently), in two places:
 * - on the raw response before node-saml sees it: algorithms, the response signature, Destination,
 *   Issuer, Status (node-saml takes an assertion even from a response whose Status is not Success);
 * - on the assertion node-saml verified (never on the unsigned document, against signature
 *   wrapping): issuer, bearer confirmation with Recipient and InResponseTo, expiry for the replay store,
 *   and the identity attributes (read here, where each value is counted).
 */

const STRONG_SIGNATURES = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
]);
const STRONG_DIGESTS = new Set(['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512']);
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

export function pem(certBody: string): string {
  return `-----BEGIN CERTIFICATE-----\n${certBody.replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END CERTIFICATE-----\n`;
}

/** True when `signature` (a direct child of `signed`) is valid for `signed` under one of the trusted certificates. */
export function signatureHolds(xml: string, signed: Element, signature: Element, certs: string[]): boolean {
  const id = signed.getAttribute('ID');
  if (!id) return false;
  for (const cert of certs) {
    const sig = new SignedXml({ publicCert: pem(cert) }); // KeyInfo in the message is never trusted
    try {
      sig.loadSignature(signature as unknown as Parameters<SignedXml['loadSignature']>[0]);
      const refs = sig.getReferences();
      if (refs.length !== 1 || refs[0].uri !== `#${id}`) return false;
      if (sig.checkSignature(xml.replace(/\r\n?/g, '\n'))) return true;
    } catch {
      // try the next certificate
    }
  }
  return false;
}

/** The signature uses RSA-SHA256/512 and only SHA-256/512 digests. */
export function strongAlgorithms(signature: Element): boolean {
  const method = descendants(signature, NS.dsig, 'SignatureMethod')[0]?.getAttribute('Algorithm');
  const digests = descendants(signature, NS.dsig, 'DigestMethod').map((d) => d.getAttribute('Algorithm'));
  return !!method && STRONG_SIGNATURES.has(method) && digests.every((d) => !!d && STRONG_DIGESTS.has(d));
}

export interface Envelope {
  /** The AuthnRequest this answers: a Success response always names one. */
  inResponseTo: string;
}

/** Checks on the whole response before node-saml validates it. Throws LoginFailure. */
export function checkEnvelope(samlResponse: unknown, settings: SamlSettings): Envelope {
  if (typeof samlResponse !== 'string' || samlResponse.length === 0) throw new LoginFailure('missing_response');
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
  let root: Element;
  try {
    const doc = parseXmlStrict(xml);
    if (!doc.documentElement) throw new Error('empty');
    root = doc.documentElement;
  } catch {
    throw new LoginFailure('malformed_response');
  }
  if (root.namespaceURI !== NS.protocol || root.localName !== 'Response') throw new LoginFailure('malformed_response');

  if (!descendants(root, NS.dsig, 'Signature').every(strongAlgorithms)) throw new LoginFailure('weak_algorithm');

  const responseSignatures = children(root, NS.dsig, 'Signature');
  if (responseSignatures.length > 1) throw new LoginFailure('response_signature_invalid');
  const signed = responseSignatures.length === 1;
  if (signed && !signatureHolds(xml, root, responseSignatures[0], settings.idp.certs))
    throw new LoginFailure('response_signature_invalid');

  // A signed message must name its destination; an unsigned one may omit it, but never name another.
  const destination = root.getAttribute('Destination');
  if ((destination !== null && destination !== '' && destination !== settings.sp.acsUrl) || (signed && !destination)) {
    throw new LoginFailure('wrong_destination');
  }
  // The Issuer may be left out of an unsigned response (SAML profiles 4.1.4.2), but never name another IdP.
  const issuer = child(root, NS.assertion, 'Issuer');
  if ((issuer && text(issuer) !== settings.idp.entityId) || (signed && !issuer)) throw new LoginFailure('wrong_issuer');
  const code = child(child(root, NS.protocol, 'Status') ?? root, NS.protocol, 'StatusCode');
  const status = code?.getAttribute('Value') ?? null;
  if (status !== SUCCESS) {
    throw statusFailure(status, (code && child(code, NS.protocol, 'StatusCode')?.getAttribute('Value')) ?? null);
  }
  const inResponseTo = root.getAttribute('InResponseTo');
  if (!inResponseTo) throw new LoginFailure('unsolicited_response');
  return { inResponseTo };
}

export interface VerifiedAssertion {
  id: string;
  /** Until when this assertion could be replayed: the replay store keeps its ID until then. */
  notOnOrAfter: Date;
  authnContextClassRef: string | null;
  /** The Subject's NameID values (the schema allows one; more are counted, not guessed at). */
  nameIds: string[];
  /** Every value of every attribute, by name; an attribute sent twice has its values joined. */
  attributes: Map<string, string[]>;
}

/** Checks on the assertion node-saml verified; throws LoginFailure. */
export function checkVerifiedAssertion(
  assertionXml: string,
  settings: SamlSettings,
  inResponseTo: string | null,
): VerifiedAssertion {
  let assertion: Element;
  try {
    assertion = parseXmlStrict(assertionXml).documentElement!;
  } catch {
    throw new LoginFailure('malformed_response');
  }
  if (assertion.namespaceURI !== NS.assertion || assertion.localName !== 'Assertion')
    throw new LoginFailure('malformed_response');
  const id = assertion.getAttribute('ID');
  if (!id) throw new LoginFailure('malformed_response');

  if (text(child(assertion, NS.assertion, 'Issuer')) !== settings.idp.entityId) throw new LoginFailure('wrong_issuer');

  const subject = child(assertion, NS.assertion, 'Subject');
  const confirmations = subject
    ? children(subject, NS.assertion, 'SubjectConfirmation').filter((c) => c.getAttribute('Method') === BEARER)
    : [];
  const data = confirmations
    .map((c) => child(c, NS.assertion, 'SubjectConfirmationData'))
    .filter((d): d is Element => d !== undefined);
  if (data.length === 0) throw new LoginFailure('subject_confirmation_invalid');
  const forUs = data.filter((d) => d.getAttribute('Recipient') === settings.sp.acsUrl);
  if (forUs.length === 0) throw new LoginFailure('wrong_recipient');
  if (!inResponseTo || !forUs.some((d) => d.getAttribute('InResponseTo') === inResponseTo))
    throw new LoginFailure('unknown_in_response_to');

  const conditions = child(assertion, NS.assertion, 'Conditions');
  const expiries = [conditions?.getAttribute('NotOnOrAfter'), ...forUs.map((d) => d.getAttribute('NotOnOrAfter'))]
    .filter((v): v is string => !!v)
    .map((v) => new Date(v))
    .filter((d) => !Number.isNaN(d.getTime()));
  if (expiries.length === 0) throw new LoginFailure('missing_expiry');
  const latest = new Date(Math.max(...expiries.map((d) => d.getTime())));

  const statement = child(assertion, NS.assertion, 'AuthnStatement');
  const classRef = statement ? text(descendants(statement, NS.assertion, 'AuthnContextClassRef')[0]) : '';
  const attributes = new Map<string, string[]>();
  for (const statement of children(assertion, NS.assertion, 'AttributeStatement')) {
    for (const attribute of children(statement, NS.assertion, 'Attribute')) {
      const name = attribute.getAttribute('Name') ?? '';
      const values = children(attribute, NS.assertion, 'AttributeValue').map((v) => text(v));
      attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
    }
  }
  const nameIds = subject ? children(subject, NS.assertion, 'NameID').map((n) => text(n)) : [];
  const authnContextClassRef = classRef ? classRef.slice(0, 200) : null;
  return { id, notOnOrAfter: latest, authnContextClassRef, nameIds, attributes };
}
