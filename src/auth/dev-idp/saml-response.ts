import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';

/**
 * Builds and signs SAML 2.0 Responses as an IdP does. Used by the development IdP and by the tests,
 * which craft tampered responses from the same parts. The XML is assembled as text with every
 * value escaped; canonicalisation and signing are xml-crypto's (exclusive c14n, RSA-SHA256).
 */

export const SAML_STATUS = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  authnFailed: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed',
  requestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  noPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
} as const;

export interface ResponseSpec {
  issuer: string;
  /** Response@Destination; null leaves it out. */
  destination: string | null;
  /** SubjectConfirmationData@Recipient. */
  recipient: string;
  audience: string;
  /** null for an unsolicited response. */
  inResponseTo: string | null;
  nameId: string;
  nameIdFormat?: string;
  attributes: Record<string, string>;
  authnContextClassRef?: string;
  /** The IdP's clock. */
  now: Date;
  /** Conditions: defaults now − 30 s and now + 5 min. */
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** SubjectConfirmationData@NotOnOrAfter; defaults to the Conditions' NotOnOrAfter. */
  subjectNotOnOrAfter?: Date;
  responseId?: string;
  assertionId?: string;
  sessionIndex?: string;
  /** A non-success status: the response then carries no assertion. */
  status?: { code: string; subCode?: string; message?: string };
}

export const newId = () => `_${randomBytes(20).toString('hex')}`;

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The unsigned <saml:Assertion> element, with its own namespace declarations. */
export function buildAssertionXml(spec: ResponseSpec, assertionId = spec.assertionId ?? newId()): string {
  const notBefore = iso(spec.notBefore ?? new Date(spec.now.getTime() - 30_000));
  const notOnOrAfter = iso(spec.notOnOrAfter ?? new Date(spec.now.getTime() + 5 * 60_000));
  const subjectNotOnOrAfter = spec.subjectNotOnOrAfter ? iso(spec.subjectNotOnOrAfter) : notOnOrAfter;
  const inResponseTo = spec.inResponseTo ? ` InResponseTo="${escapeXml(spec.inResponseTo)}"` : '';
  const attributes = Object.entries(spec.attributes)
    .map(
      ([name, value]) =>
        `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml:AttributeValue xsi:type="xs:string">${escapeXml(value)}</saml:AttributeValue></saml:Attribute>`,
    )
    .join('');
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${escapeXml(assertionId)}" Version="2.0" IssueInstant="${iso(spec.now)}">` +
    `<saml:Issuer>${escapeXml(spec.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${escapeXml(spec.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')}">${escapeXml(spec.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${subjectNotOnOrAfter}" Recipient="${escapeXml(spec.recipient)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${escapeXml(spec.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(spec.now)}" SessionIndex="${escapeXml(spec.sessionIndex ?? newId())}"><saml:AuthnContext><saml:AuthnContextClassRef>${escapeXml(spec.authnContextClassRef ?? 'urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified')}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '') +
    `</saml:Assertion>`
  );
}

function statusXml(status: ResponseSpec['status']): string {
  const s = status ?? { code: SAML_STATUS.success };
  const sub = s.subCode ? `<samlp:StatusCode Value="${escapeXml(s.subCode)}"/>` : '';
  const message = s.message ? `<samlp:StatusMessage>${escapeXml(s.message)}</samlp:StatusMessage>` : '';
  return `<samlp:Status><samlp:StatusCode Value="${escapeXml(s.code)}">${sub}</samlp:StatusCode>${message}</samlp:Status>`;
}

/** The <samlp:Response> around `assertionXml` (already signed or not); no assertion for an error status. */
export function wrapInResponse(spec: ResponseSpec, assertionXml: string | null): string {
  const destination = spec.destination !== null ? ` Destination="${escapeXml(spec.destination)}"` : '';
  const inResponseTo = spec.inResponseTo ? ` InResponseTo="${escapeXml(spec.inResponseTo)}"` : '';
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${escapeXml(spec.responseId ?? newId())}" Version="2.0" IssueInstant="${iso(spec.now)}"${destination}${inResponseTo}>` +
    `<saml:Issuer>${escapeXml(spec.issuer)}</saml:Issuer>` +
    statusXml(spec.status) +
    (assertionXml ?? '') +
    `</samlp:Response>`
  );
}

export interface SigningKey {
  key: string;
  cert: string;
}

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

/**
 * Signs the element matched by `elementXPath` (enveloped signature placed right after its Issuer,
 * where the SAML schema wants it). `algorithms` lets tests sign with weak algorithms.
 */
export function signElement(
  xml: string,
  elementXPath: string,
  signer: SigningKey,
  algorithms = { signature: RSA_SHA256, digest: SHA256 },
): string {
  const sig = new SignedXml({
    privateKey: signer.key,
    publicCert: signer.cert,
    signatureAlgorithm: algorithms.signature,
    canonicalizationAlgorithm: EXC_C14N,
  });
  sig.addReference({ xpath: elementXPath, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: algorithms.digest });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${elementXPath}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

export const ASSERTION_XPATH = "/*[local-name(.)='Response']/*[local-name(.)='Assertion']";
export const RESPONSE_XPATH = "/*[local-name(.)='Response']";

/** A complete response as a real IdP sends it: assertion signed, and the response too when asked. */
export function buildSignedResponse(
  spec: ResponseSpec,
  signer: SigningKey,
  options: { signResponse?: boolean } = {},
): string {
  const isError = spec.status && spec.status.code !== SAML_STATUS.success;
  let xml = wrapInResponse(spec, isError ? null : buildAssertionXml(spec));
  if (!isError) xml = signElement(xml, ASSERTION_XPATH, signer);
  if (options.signResponse || isError) xml = signElement(xml, RESPONSE_XPATH, signer);
  return xml;
}
