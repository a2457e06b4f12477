import { readFile } from 'node:fs/promises';
import { certificateBody } from './keys.js';
import { NS, children, descendants, parseXmlStrict, text } from './xml.js';

export interface IdpSettings {
  /** The IdP's entity id when known (from metadata): the Issuer of its assertions must equal it. */
  entityId?: string;
  ssoUrl: string;
  sloUrl?: string;
  /** Base64 bodies of the certificates whose signatures we accept. */
  certs: string[];
}

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** Reads SSO URL (HTTP-Redirect binding), SLO URL and signing certificates out of IdP metadata XML. */
export function parseIdpMetadata(xml: string): IdpSettings {
  const doc = parseXmlStrict(xml);
  const descriptor = descendants(doc, NS.metadata, 'IDPSSODescriptor')[0];
  if (!descriptor) throw new Error('IdP metadata has no IDPSSODescriptor');
  const entity = descriptor.parentNode as unknown as { getAttribute(n: string): string | null } | null;
  const byBinding = (name: string) => children(descriptor, NS.metadata, name).find((e) => e.getAttribute('Binding') === REDIRECT)?.getAttribute('Location') ?? undefined;
  const ssoUrl = byBinding('SingleSignOnService');
  if (!ssoUrl) throw new Error('IdP metadata has no SingleSignOnService with the HTTP-Redirect binding');
  const certs = children(descriptor, NS.metadata, 'KeyDescriptor')
    .filter((k) => (k.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((k) => descendants(k, NS.dsig, 'X509Certificate').map((c) => certificateBody(text(c))))
    .filter((c) => c.length > 0);
  if (certs.length === 0) throw new Error('IdP metadata has no signing certificate');
  return { entityId: entity?.getAttribute('entityID') ?? undefined, ssoUrl, sloUrl: byBinding('SingleLogoutService'), certs };
}

/** SAML_IDP_METADATA is either an http(s) URL or a file path. */
export async function loadIdpMetadata(source: string): Promise<IdpSettings> {
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`IdP metadata: HTTP ${res.status} from ${source}`);
    return parseIdpMetadata(await res.text());
  }
  return parseIdpMetadata(await readFile(source, 'utf8'));
}
