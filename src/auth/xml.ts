import { DOMParser, type Document, type Element } from '@xmldom/xmldom';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** Parses XML strictly: any warning or error (and any DOCTYPE, a common attack vehicle) is refused. */
export function parseXmlStrict(xml: string): Document {
  if (/<!DOCTYPE/i.test(xml)) throw new Error('DOCTYPE not allowed');
  return new DOMParser({
    onError: (level, message) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(xml, 'text/xml');
}

/** Element children of `parent` with this namespace and local name (direct children only). */
export function children(parent: Element | Document, ns: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === localName)
      found.push(n as Element);
  }
  return found;
}

export function child(parent: Element | Document, ns: string, localName: string): Element | undefined {
  return children(parent, ns, localName)[0];
}

/** Every descendant element with this namespace and local name. */
export function descendants(parent: Element | Document, ns: string, localName: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(ns, localName));
}

export function text(el: Element | undefined): string {
  return (el?.textContent ?? '').trim();
}
