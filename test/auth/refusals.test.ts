import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ASSERTION_XPATH,
  RESPONSE_XPATH,
  SAML_STATUS,
  buildAssertionXml,
  buildSignedResponse,
  newId,
  signElement,
  wrapInResponse,
  type ResponseSpec,
  type SigningKey,
} from '../../src/auth/dev-idp/saml-response.js';
import { generateKeyPairWithCertificate } from '../../src/auth/self-signed.js';
import { SignedXml } from 'xml-crypto';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { page } from '../helpers/page.js';
import { countRows, idpSigner, lastAuditReason, postToAcs, startLogin, validSpec } from './saml-fixtures.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const seconds = (n: number) => new Date(NOW.getTime() + n * 1000);

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

const ASSERTION = /<saml:Assertion[\s\S]*<\/saml:Assertion>/;
/** An unsigned assertion for someone else (Jan Werkgever's INSZ): what an attacker would like accepted. */
const evilAssertion = (spec: ResponseSpec, id = newId()) =>
  buildAssertionXml(
    { ...spec, nameId: 'evil', attributes: { ...spec.attributes, egovNRN: '68110304512', givenName: 'Mallory' } },
    id,
  );
const signedAssertionOf = (xml: string) => ASSERTION.exec(xml)![0];
const idOf = (assertion: string) => /ID="([^"]+)"/.exec(assertion)![1];

/** A response around an assertion that was changed before the IdP signed it (so the signature holds). */
function signedWith(
  spec: ResponseSpec,
  signer: SigningKey,
  change: (a: string) => string,
  response: Partial<ResponseSpec> = {},
) {
  return signElement(
    wrapInResponse({ ...spec, ...response }, change(buildAssertionXml(spec))),
    ASSERTION_XPATH,
    signer,
  );
}
const unchanged = (assertion: string) => assertion;
const value = (v: string) => `<saml:AttributeValue xsi:type="xs:string">${v}</saml:AttributeValue>`;
/** A second value inside the same attribute. */
const twoValues = (first: string, second: string) => (assertion: string) =>
  assertion.replace(value(first), value(first) + value(second));
/** The same attribute a second time, with another value. */
const twice = (name: string, second: string) => (assertion: string) =>
  assertion.replace(
    '</saml:AttributeStatement>',
    `<saml:Attribute Name="${name}">${value(second)}</saml:Attribute></saml:AttributeStatement>`,
  );

interface Case {
  name: string;
  reason: string;
  status?: number;
  craft(spec: ResponseSpec, signer: SigningKey): string;
}

const cases: Case[] = [
  {
    name: 'an unsigned assertion',
    reason: 'signature_invalid',
    craft: (spec) => wrapInResponse(spec, buildAssertionXml(spec)),
  },
  {
    name: 'an assertion signed by an unknown key',
    reason: 'signature_invalid',
    craft: (spec) => buildSignedResponse(spec, generateKeyPairWithCertificate('Not the IdP')),
  },
  {
    name: 'an attribute changed after signing',
    reason: 'signature_invalid',
    craft: (spec, signer) => buildSignedResponse(spec, signer).replace('>85073003328<', '>68110304512<'),
  },
  {
    name: 'a response whose signature was made with RSA-SHA1',
    reason: 'weak_algorithm',
    craft: (spec, signer) =>
      signElement(wrapInResponse(spec, buildAssertionXml(spec)), ASSERTION_XPATH, signer, {
        signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
        digest: 'http://www.w3.org/2000/09/xmldsig#sha1',
      }),
  },
  // XML signature wrapping: the signed assertion stays intact, an unsigned one is placed where a careless SP reads.
  {
    name: 'signature wrapping: an unsigned assertion beside (after) the signed one',
    reason: 'signature_invalid',
    craft: (spec, signer) => {
      const xml = buildSignedResponse(spec, signer);
      const signed = signedAssertionOf(xml);
      return xml.replace(signed, signed + evilAssertion(spec));
    },
  },
  {
    name: 'signature wrapping: an unsigned assertion with the same ID before the signed one',
    reason: 'signature_invalid',
    craft: (spec, signer) => {
      const xml = buildSignedResponse(spec, signer);
      const signed = signedAssertionOf(xml);
      return xml.replace(signed, evilAssertion(spec, idOf(signed)) + signed);
    },
  },
  {
    name: 'signature wrapping: an unsigned assertion around the signed one',
    reason: 'signature_invalid',
    craft: (spec, signer) => {
      const xml = buildSignedResponse(spec, signer);
      const signed = signedAssertionOf(xml);
      const evil = evilAssertion(spec);
      return xml.replace(signed, evil.replace('</saml:Assertion>', `${signed}</saml:Assertion>`));
    },
  },
  {
    name: 'signature wrapping: the signed assertion moved into samlp:Extensions, an unsigned one in its place',
    reason: 'signature_invalid',
    craft: (spec, signer) => {
      const xml = buildSignedResponse(spec, signer);
      const signed = signedAssertionOf(xml);
      return xml
        .replace(signed, evilAssertion(spec))
        .replace('</saml:Issuer>', `</saml:Issuer><samlp:Extensions>${signed}</samlp:Extensions>`);
    },
  },
  {
    name: 'signature wrapping: an unsigned assertion added to a signed response',
    reason: 'response_signature_invalid',
    craft: (spec, signer) => {
      const xml = buildSignedResponse(spec, signer, { signResponse: true });
      return xml.replace('</samlp:Response>', `${evilAssertion(spec)}</samlp:Response>`);
    },
  },
  {
    name: 'an expired assertion (NotOnOrAfter 2 minutes ago)',
    reason: 'subject_confirmation_invalid',
    craft: (spec, signer) =>
      buildSignedResponse({ ...spec, notBefore: seconds(-600), notOnOrAfter: seconds(-120) }, signer),
  },
  {
    name: 'expired Conditions while the subject confirmation is still valid',
    reason: 'expired',
    craft: (spec, signer) =>
      buildSignedResponse(
        { ...spec, notBefore: seconds(-600), notOnOrAfter: seconds(-61), subjectNotOnOrAfter: seconds(300) },
        signer,
      ),
  },
  {
    name: 'an assertion not valid yet (NotBefore in 5 minutes)',
    reason: 'not_yet_valid',
    craft: (spec, signer) =>
      buildSignedResponse({ ...spec, notBefore: seconds(300), notOnOrAfter: seconds(600) }, signer),
  },
  {
    name: 'a wrong audience',
    reason: 'wrong_audience',
    craft: (spec, signer) => buildSignedResponse({ ...spec, audience: 'https://other-sp.example/metadata' }, signer),
  },
  {
    name: 'a wrong Destination',
    reason: 'wrong_destination',
    craft: (spec, signer) => buildSignedResponse({ ...spec, destination: 'https://other-sp.example/acs' }, signer),
  },
  {
    name: 'a signed response without Destination',
    reason: 'wrong_destination',
    craft: (spec, signer) => buildSignedResponse({ ...spec, destination: null }, signer, { signResponse: true }),
  },
  {
    name: 'a wrong Recipient',
    reason: 'wrong_recipient',
    craft: (spec, signer) => buildSignedResponse({ ...spec, recipient: 'https://other-sp.example/acs' }, signer),
  },
  {
    name: 'an unknown InResponseTo',
    reason: 'unknown_in_response_to',
    craft: (spec, signer) => buildSignedResponse({ ...spec, inResponseTo: newId() }, signer),
  },
  {
    name: 'an unsolicited response (no InResponseTo)',
    reason: 'unsolicited_response',
    craft: (spec, signer) => buildSignedResponse({ ...spec, inResponseTo: null }, signer),
  },
  {
    name: 'another issuer',
    reason: 'wrong_issuer',
    craft: (spec, signer) => buildSignedResponse({ ...spec, issuer: 'https://other-idp.example' }, signer),
  },
  {
    name: 'an invalid INSZ attribute',
    reason: 'invalid_insz',
    craft: (spec, signer) =>
      buildSignedResponse({ ...spec, attributes: { ...spec.attributes, egovNRN: '85073003329' } }, signer),
  },
  {
    name: 'a missing INSZ attribute',
    reason: 'missing_attribute',
    craft: (spec, signer) =>
      buildSignedResponse({ ...spec, attributes: { givenName: 'Lotte', surname: 'Peeters' } }, signer),
  },
  {
    name: 'the IdP reporting that the user cancelled (Responder / AuthnFailed)',
    reason: 'idp_cancelled',
    craft: (spec, signer) =>
      buildSignedResponse(
        { ...spec, status: { code: SAML_STATUS.responder, subCode: SAML_STATUS.authnFailed } },
        signer,
      ),
  },
  {
    name: 'the IdP refusing the request (Responder / RequestDenied)',
    reason: 'idp_denied',
    status: 403,
    craft: (spec, signer) =>
      buildSignedResponse(
        { ...spec, status: { code: SAML_STATUS.responder, subCode: SAML_STATUS.requestDenied } },
        signer,
      ),
  },
  // A signed assertion does not outweigh the Status: the IdP said no.
  {
    name: 'a signed assertion in a response whose Status is Responder / RequestDenied',
    reason: 'idp_denied',
    status: 403,
    craft: (spec, signer) =>
      signedWith(spec, signer, unchanged, {
        status: { code: SAML_STATUS.responder, subCode: SAML_STATUS.requestDenied },
      }),
  },
  {
    name: 'a signed assertion in a response whose Status is Requester',
    reason: 'idp_error',
    craft: (spec, signer) => signedWith(spec, signer, unchanged, { status: { code: SAML_STATUS.requester } }),
  },
  {
    name: 'a signed assertion in a signed response whose Status is Responder / AuthnFailed',
    reason: 'idp_cancelled',
    craft: (spec, signer) => {
      const status = { code: SAML_STATUS.responder, subCode: SAML_STATUS.authnFailed };
      return signElement(signedWith(spec, signer, unchanged, { status }), RESPONSE_XPATH, signer);
    },
  },
  // More than one value where one person is meant: refused, never the first (or last) one taken.
  ...(
    [
      ['two values in the INSZ attribute', twoValues('85073003328', '68110304512')],
      ['the INSZ attribute sent twice', twice('egovNRN', '68110304512')],
      ['two values in the given name', twoValues('Lotte', 'Mallory')],
      ['the surname sent twice', twice('surname', 'Janssens')],
      ['two e-mail addresses', twoValues('lotte@example.org', 'mallory@example.org')],
    ] as const
  ).map(([name, change]): Case => ({
    name,
    reason: 'multiple_values',
    craft: (spec, signer) => signedWith(spec, signer, change),
  })),
  // The response's own Issuer too (the entity id from SAML_IDP_ENTITY_ID or the metadata).
  {
    name: 'another issuer on the response around a right assertion',
    reason: 'wrong_issuer',
    craft: (spec, signer) => signedWith(spec, signer, unchanged, { issuer: 'https://other-idp.example' }),
  },
  {
    name: 'a signed response without Issuer',
    reason: 'wrong_issuer',
    craft: (spec, signer) => {
      const xml = buildSignedResponse(spec, signer).replace(/<saml:Issuer>[^<]*<\/saml:Issuer>(?=<samlp:Status>)/, '');
      // signElement puts the signature after the Issuer; with none, it goes first.
      const sig = new SignedXml({
        privateKey: signer.key,
        signatureAlgorithm: RSA_SHA256,
        canonicalizationAlgorithm: EXC_C14N,
      });
      sig.addReference({ xpath: RESPONSE_XPATH, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
      sig.computeSignature(xml, { prefix: 'ds', location: { reference: RESPONSE_XPATH, action: 'prepend' } });
      return sig.getSignedXml();
    },
  },
  {
    name: 'an unsigned error response from the IdP (Requester)',
    reason: 'idp_error',
    craft: (spec) => wrapInResponse({ ...spec, status: { code: SAML_STATUS.requester } }, null),
  },
];

describe('responses the service provider refuses', () => {
  let t: TestApp;
  let signer: SigningKey;
  beforeAll(async () => {
    t = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '10000' });
    signer = idpSigner(t.config);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(cases)('refuses $name', async ({ reason, status, craft }) => {
    const { requestId, browser } = await startLogin(t.app);
    const res = await postToAcs(browser, craft(validSpec(t.config, requestId, NOW), signer));
    expect(res.status).toBe(status ?? 401);
    const shown = page(res.text);
    expect(shown.h1).toBe('Aanmelden is niet gelukt');
    expect(shown.main).toContain(`Vermeld dan deze referentie: ${res.headers['x-request-id']}.`); // the reference to quote
    expect(shown.link('Opnieuw aanmelden')).toBe('/aanmelden'); // a way to try again
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await countRows(t, 'session')).toBe(0);
    expect(await countRows(t, 'person')).toBe(0);
    expect(await lastAuditReason(t)).toBe(reason);
  });

  it('tells the user in their own words that they cancelled at the IdP', async () => {
    const { requestId, browser } = await startLogin(t.app);
    const spec = validSpec(t.config, requestId, NOW);
    const res = await postToAcs(
      browser,
      buildSignedResponse(
        { ...spec, status: { code: SAML_STATUS.responder, subCode: SAML_STATUS.authnFailed } },
        signer,
      ),
    );
    expect(page(res.text).headings).toEqual(['Aanmelden is niet gelukt', 'U hebt het aanmelden afgebroken']);
    // The same words when the IdP put a signed assertion next to that status.
    const again = await startLogin(t.app);
    const status = { code: SAML_STATUS.responder, subCode: SAML_STATUS.requestDenied };
    const denied = await postToAcs(
      again.browser,
      signedWith(validSpec(t.config, again.requestId, NOW), signer, unchanged, { status }),
    );
    expect(page(denied.text).headings).toEqual([
      'Aanmelden is niet gelukt',
      'De aanmeldingsdienst weigerde het aanmelden',
    ]);
  });

  it('keeps SAML XML and the INSZ out of the audit log', async () => {
    // Refused responses that carry INSZ numbers: changed after signing, invalid, and a second one sent along.
    const carrying = [
      'an attribute changed after signing',
      'an invalid INSZ attribute',
      'the INSZ attribute sent twice',
    ];
    for (const name of carrying) {
      const { requestId, browser } = await startLogin(t.app);
      const { craft } = cases.find((c) => c.name === name)!;
      expect((await postToAcs(browser, craft(validSpec(t.config, requestId, NOW), signer))).status).toBe(401);
    }
    const rows = await t.database.db('audit_log').select('details');
    expect(rows.length).toBeGreaterThanOrEqual(carrying.length);
    const all = JSON.stringify(rows);
    expect(all).not.toMatch(/85073003328|85073003329|68110304512|<saml|Assertion/);
  });

  it('accepts a response only once: the same response posted twice', async () => {
    const { requestId, browser } = await startLogin(t.app);
    const xml = buildSignedResponse(validSpec(t.config, requestId, NOW), signer);
    expect((await postToAcs(browser, xml)).status).toBe(303);
    const again = await postToAcs(browser, xml);
    expect(again.status).toBe(401);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(await lastAuditReason(t)).toBe('unknown_in_response_to');
  });

  it('refuses a reused InResponseTo (a second answer to an answered request)', async () => {
    const { requestId, browser } = await startLogin(t.app);
    const spec = validSpec(t.config, requestId, NOW);
    expect((await postToAcs(browser, buildSignedResponse(spec, signer))).status).toBe(303);
    const second = await postToAcs(
      browser,
      buildSignedResponse({ ...spec, assertionId: newId(), responseId: newId() }, signer),
    );
    expect(second.status).toBe(401);
    expect(await lastAuditReason(t)).toBe('unknown_in_response_to');
  });

  it('refuses the same assertion ID in an answer to another request (replay store)', async () => {
    const first = await startLogin(t.app);
    const second = await startLogin(t.app);
    const assertionId = newId();
    expect(
      (
        await postToAcs(
          first.browser,
          buildSignedResponse({ ...validSpec(t.config, first.requestId, NOW), assertionId }, signer),
        )
      ).status,
    ).toBe(303);
    const replay = await postToAcs(
      second.browser,
      buildSignedResponse({ ...validSpec(t.config, second.requestId, NOW), assertionId }, signer),
    );
    expect(replay.status).toBe(401);
    expect(replay.headers['set-cookie']).toBeUndefined();
    expect(await lastAuditReason(t)).toBe('replayed_assertion');
  });
});

describe('clock skew (SAML_CLOCK_SKEW_SECONDS, 60 by default)', () => {
  let t: TestApp;
  let signer: SigningKey;
  beforeAll(async () => {
    t = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '10000' });
    signer = idpSigner(t.config);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const table = [
    { name: 'NotOnOrAfter 59 s ago', window: { notBefore: seconds(-300), notOnOrAfter: seconds(-59) }, accepted: true },
    {
      name: 'NotOnOrAfter 60 s ago',
      window: { notBefore: seconds(-300), notOnOrAfter: seconds(-60) },
      accepted: false,
    },
    { name: 'NotBefore 60 s ahead', window: { notBefore: seconds(60), notOnOrAfter: seconds(300) }, accepted: true },
    { name: 'NotBefore 61 s ahead', window: { notBefore: seconds(61), notOnOrAfter: seconds(300) }, accepted: false },
  ];
  it.each(table)('$name: accepted = $accepted', async ({ window, accepted }) => {
    const { requestId, browser } = await startLogin(t.app);
    const res = await postToAcs(
      browser,
      buildSignedResponse({ ...validSpec(t.config, requestId, NOW), ...window }, signer),
    );
    expect(res.status).toBe(accepted ? 303 : 401);
  });
});

describe('a response signed at response level only', () => {
  it('is refused: the assertion itself must be signed', async () => {
    const t = await buildTestApp();
    try {
      const signer = idpSigner(t.config);
      const { requestId, browser } = await startLogin(t.app);
      const spec = validSpec(t.config, requestId);
      const xml = signElement(wrapInResponse(spec, buildAssertionXml(spec)), RESPONSE_XPATH, signer);
      const res = await postToAcs(browser, xml);
      expect(res.status).toBe(401);
      expect(await countRows(t, 'session')).toBe(0);
      expect(await lastAuditReason(t)).toBe('signature_invalid');
    } finally {
      await t.close();
    }
  });
});

describe('the INSZ taken from the NameID (SAML_INSZ_FROM_NAMEID)', () => {
  it('refuses a subject with two NameIDs', async () => {
    const t = await buildTestApp({ SAML_INSZ_FROM_NAMEID: 'true' });
    try {
      const signer = idpSigner(t.config);
      const { requestId, browser } = await startLogin(t.app);
      const spec = { ...validSpec(t.config, requestId), nameId: '85073003328' };
      const ok = buildSignedResponse(spec, signer);
      const nameId = /<saml:NameID [^>]*>85073003328<\/saml:NameID>/.exec(ok)![0];
      const twoNameIds = (a: string) => a.replace(nameId, nameId + nameId.replace('85073003328', '68110304512'));
      const res = await postToAcs(browser, signedWith(spec, signer, twoNameIds));
      expect(res.status).toBe(401);
      expect(page(res.text).headings).toEqual(['Aanmelden is niet gelukt', 'Uw gegevens konden niet gelezen worden']);
      expect(await countRows(t, 'person')).toBe(0);
      expect(await lastAuditReason(t)).toBe('multiple_values');
      // One NameID is fine.
      const again = await startLogin(t.app);
      const one = buildSignedResponse({ ...spec, inResponseTo: again.requestId }, signer);
      expect((await postToAcs(again.browser, one)).status).toBe(303);
    } finally {
      await t.close();
    }
  });
});
