/** The digital keys of the federal login page; the class ref tells the portal which one was used. */
export const digitalKeys = [
  { code: 'itsme', label: 'itsme', hint: 'Met de itsme-app op uw smartphone.' },
  {
    code: 'eid',
    label: 'eID met kaartlezer',
    hint: 'Met uw elektronische identiteitskaart, een kaartlezer en uw pincode.',
  },
  { code: 'app', label: 'Beveiligingscode via mobiele app', hint: 'Met een code uit een authenticator-app.' },
  { code: 'sms', label: 'Beveiligingscode via sms', hint: 'Met een code die u per sms krijgt.' },
  { code: 'email', label: 'Beveiligingscode via e-mail', hint: 'Met een code die u per e-mail krijgt.' },
  {
    code: 'eidas',
    label: 'Europees erkend inlogmiddel (eIDAS)',
    hint: 'Met een digitale sleutel uit een ander land van de Europese Unie.',
  },
] as const;

export type DigitalKeyCode = (typeof digitalKeys)[number]['code'];

export function findDigitalKey(code: unknown) {
  return digitalKeys.find((k) => k.code === code);
}

export const authnContextFor = (code: DigitalKeyCode) => `urn:wse-loket:dev-idp:ac:${code}`;
