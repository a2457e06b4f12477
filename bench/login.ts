import { Browser, csrfTokenFrom, decodeHtml, expectStatus, hiddenField } from './http.js';

export interface BenchPerson {
  id: number;
  insz: string;
  firstName: string;
  lastName: string;
  email: string;
}

/** The portal sits behind a TLS-terminating proxy in production; the bench plays that proxy's part. */
export const PROXY_HEADERS = { 'x-forwarded-proto': 'https' } as const;

export interface LoggedIn {
  browser: Browser;
  /** The session cookie as a Cookie header value. */
  cookie: string;
  /** The session's CSRF token (csrf-sync keeps one per session). */
  csrf: string;
}

/**
 * A real login, as a browser does it: GET /aanmelden → the IdP's signed-request redirect → the dev IdP's
 * key and person pages → its signed SAML response POSTed to the ACS → the organisation choice.
 * The IdP's form names the https ACS URL (PUBLIC_URL); the bench posts to the portal's own http port with
 * X-Forwarded-Proto: https, as the proxy would.
 */
export async function loginForOrganisation(
  portalOrigin: string,
  idpOrigin: string,
  person: BenchPerson,
  organisationId: number,
): Promise<LoggedIn> {
  const browser = new Browser(portalOrigin, PROXY_HEADERS);
  const start = await browser.get('/aanmelden');
  if ((start.status !== 302 && start.status !== 303) || !start.location)
    throw new Error(`GET /aanmelden answered ${start.status}`);
  const sso = new URL(start.location);
  if (sso.origin !== idpOrigin)
    throw new Error(`the portal sent the login to ${sso.origin}, not to the bench IdP ${idpOrigin}`);

  const idp = new Browser(idpOrigin);
  expectStatus(await idp.get(`${sso.pathname}${sso.search}&sleutel=itsme`), 200, 'dev IdP key page');
  const form: Record<string, string> = {
    SAMLRequest: sso.searchParams.get('SAMLRequest') ?? '',
    SigAlg: sso.searchParams.get('SigAlg') ?? '',
    Signature: sso.searchParams.get('Signature') ?? '',
    sleutel: 'itsme',
    persoon: 'nieuw',
    insz: person.insz,
    voornaam: person.firstName,
    achternaam: person.lastName,
    email: person.email,
  };
  const relay = sso.searchParams.get('RelayState');
  if (relay) form.RelayState = relay;
  const answer = expectStatus(await idp.post(sso.pathname, form), 200, 'dev IdP person page');
  const action = /<form method="post" action="([^"]+)" data-auto-submit>/.exec(answer.text)?.[1];
  const samlResponse = hiddenField(answer.text, 'SAMLResponse');
  if (!action || !samlResponse) throw new Error('the dev IdP gave no auto-submit form');
  const acs = new URL(decodeHtml(action));
  const relayBack = hiddenField(answer.text, 'RelayState');
  const loggedIn = await browser.post(acs.pathname, {
    SAMLResponse: samlResponse,
    ...(relayBack ? { RelayState: relayBack } : {}),
  });
  expectStatus(loggedIn, 303, `login of ${person.firstName} ${person.lastName}`);
  if (!browser.cookies.size) throw new Error('the portal set no session cookie after login (is TRUST_PROXY honoured?)');

  const choose = expectStatus(await browser.get('/organisatie-kiezen'), 200, 'organisation choice page');
  const chosen = await browser.post('/organisatie-kiezen', {
    _csrf: csrfTokenFrom(choose.text),
    keuze: String(organisationId),
  });
  expectStatus(chosen, 303, 'choosing the organisation');
  const home = expectStatus(await browser.get('/'), 200, 'organisation home page');
  return { browser, cookie: browser.cookieHeader(), csrf: csrfTokenFrom(home.text) };
}
