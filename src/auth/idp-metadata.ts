import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { certificateBody } from './keys.js';
import { pem, signatureHolds, strongAlgorithms } from './saml-checks.js';
import { NS, children, descendants, parseXmlStrict, text } from './xml.js';

export interface IdpSettings {
  /** The IdP's entity id: the Issuer of its responses and assertions must equal it. */
  entityId: string;
  ssoUrl: string;
  sloUrl?: string;
  /** Base64 bodies of the certificates whose signatures we accept. */
  certs: string[];
}

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/**
 * Reads entity id, SSO URL (HTTP-Redirect binding), SLO URL and signing certificates out of IdP metadata
 * XML. With `signingCertPem` (SAML_IDP_METADATA_CERT) the document's root must carry a valid signature by it.
 */
export function parseIdpMetadata(xml: string, signingCertPem?: string): IdpSettings {
  const doc = parseXmlStrict(xml);
  if (signingCertPem) {
    const root = doc.documentElement;
    const signatures = root ? children(root, NS.dsig, 'Signature') : [];
    const [signature] = signatures;
    const trusted = [certificateBody(signingCertPem)];
    const holds =
      signatures.length === 1 && strongAlgorithms(signature) && signatureHolds(xml, root!, signature, trusted);
    if (!holds) {
      throw new Error('IdP metadata is not signed with the certificate in SAML_IDP_METADATA_CERT');
    }
  }
  const descriptor = descendants(doc, NS.metadata, 'IDPSSODescriptor')[0];
  if (!descriptor) throw new Error('IdP metadata has no IDPSSODescriptor');
  const entity = descriptor.parentNode as unknown as { getAttribute(n: string): string | null } | null;
  const entityId = entity?.getAttribute('entityID');
  if (!entityId) throw new Error('IdP metadata has no entityID');
  const byBinding = (name: string) =>
    children(descriptor, NS.metadata, name)
      .find((e) => e.getAttribute('Binding') === REDIRECT)
      ?.getAttribute('Location') ?? undefined;
  const ssoUrl = byBinding('SingleSignOnService');
  if (!ssoUrl) throw new Error('IdP metadata has no SingleSignOnService with the HTTP-Redirect binding');
  const certs = children(descriptor, NS.metadata, 'KeyDescriptor')
    .filter((k) => (k.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((k) => descendants(k, NS.dsig, 'X509Certificate').map((c) => certificateBody(text(c))))
    .filter((c) => c.length > 0);
  if (certs.length === 0) throw new Error('IdP metadata has no signing certificate');
  for (const cert of certs) {
    try {
      new X509Certificate(pem(cert));
    } catch {
      throw new Error('IdP metadata has a signing certificate that cannot be read');
    }
  }
  return { entityId, ssoUrl, sloUrl: byBinding('SingleLogoutService'), certs };
}

/** SAML_IDP_METADATA is either an http(s) URL or a file path. Errors say what went wrong, in one line. */
export async function loadIdpMetadata(source: string, signingCertPem?: string): Promise<IdpSettings> {
  let xml: string;
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source, { signal: AbortSignal.timeout(10_000) }).catch((err: Error) => {
      throw new Error(`cannot fetch ${source}: ${(err.cause as Error | undefined)?.message ?? err.message}`);
    });
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${source}`);
    xml = await res.text();
  } else {
    xml = await readFile(source, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot read the file ${source} (${err.code ?? err.message})`);
    });
  }
  try {
    return parseIdpMetadata(xml, signingCertPem);
  } catch (err) {
    throw new Error(`${(err as Error).message} (${source})`);
  }
}
