import type request from 'supertest';
import { demoPeople } from '../../src/db/demo-people.js';
import { csrfTokenFrom } from './app.js';
import { page } from './page.js';

export type Agent = ReturnType<typeof request.agent>;

/** A page anyone may see that shows the logged-in person in the header (GET / sends logged-in users on). */
export const PAGE_WITH_HEADER = '/toegankelijkheidsverklaring';

export interface LoginPerson {
  insz: string;
  firstName?: string;
  lastName?: string;
  email?: string;
}

/** The value of a hidden form field in rendered HTML. */
export function hiddenField(html: string, name: string): string | undefined {
  return page(html).$(`input[name="${name}"]`).first().attr('value');
}

/** Path and query of an absolute Location header (supertest talks to the app, not to PUBLIC_URL). */
export function localPart(location: string): string {
  const u = new URL(location, 'http://placeholder.invalid');
  return `${u.pathname}${u.search}`;
}

export interface DevIdpAnswer {
  /** The ACS path the dev IdP's page posts to. */
  acsPath: string;
  samlResponse: string;
  relayState?: string;
  /** The AuthnRequest parameters as the SP sent them (for tests that craft their own answer). */
  authnRequestQuery: URLSearchParams;
}

/**
 * Starts a login and walks the development IdP's pages (digital key, then person) up to its
 * auto-submitting form, without posting that form to the ACS.
 */
export async function answerFromDevIdp(
  agent: Agent,
  person: LoginPerson,
  options: { returnTo?: string; key?: string } = {},
): Promise<DevIdpAnswer> {
  const start = await agent.get(
    options.returnTo ? `/aanmelden?terug=${encodeURIComponent(options.returnTo)}` : '/aanmelden',
  );
  if (start.status !== 302 && start.status !== 303) throw new Error(`GET /aanmelden answered ${start.status}`);
  const ssoUrl = new URL(start.headers.location);
  const keyPage = await agent.get(`${ssoUrl.pathname}${ssoUrl.search}&sleutel=${options.key ?? 'itsme'}`);
  if (keyPage.status !== 200) throw new Error(`dev IdP answered ${keyPage.status}`);
  const demo = demoPeople.find((p) => p.insz === person.insz);
  const form: Record<string, string> = {
    _csrf: csrfTokenFrom(keyPage.text),
    SAMLRequest: ssoUrl.searchParams.get('SAMLRequest') ?? '',
    SigAlg: ssoUrl.searchParams.get('SigAlg') ?? '',
    Signature: ssoUrl.searchParams.get('Signature') ?? '',
    sleutel: options.key ?? 'itsme',
    persoon: 'nieuw',
    insz: person.insz,
    voornaam: person.firstName ?? demo?.firstName ?? 'Test',
    achternaam: person.lastName ?? demo?.lastName ?? 'Persoon',
    email: person.email ?? demo?.email ?? '',
  };
  const relay = ssoUrl.searchParams.get('RelayState');
  if (relay) form.RelayState = relay;
  const posted = await agent.post(ssoUrl.pathname).type('form').send(form);
  if (posted.status !== 200) throw new Error(`dev IdP refused the person (${posted.status})`);
  const autoPost = page(posted.text).$('form[data-auto-submit]').first();
  const action = autoPost.attr('action');
  const samlResponse = autoPost.find('input[name=SAMLResponse]').attr('value');
  if (!action || !samlResponse) throw new Error('dev IdP gave no auto-submit form');
  return {
    acsPath: localPart(action),
    samlResponse,
    relayState: autoPost.find('input[name=RelayState]').attr('value'),
    authnRequestQuery: ssoUrl.searchParams,
  };
}

/**
 * A real login through the development IdP: GET /aanmelden → dev IdP pages → the signed response
 * POSTed to /auth/saml/acs. Afterwards `agent` carries the logged-in session cookie.
 * Returns where the portal sent the browser after login.
 */
export async function loginAs(agent: Agent, person: LoginPerson, options: { returnTo?: string } = {}): Promise<string> {
  const answer = await answerFromDevIdp(agent, person, options);
  const res = await agent
    .post(answer.acsPath)
    .type('form')
    .send({ SAMLResponse: answer.samlResponse, ...(answer.relayState ? { RelayState: answer.relayState } : {}) });
  if (res.status !== 303)
    throw new Error(`login refused (${res.status}): ${/<h2>([^<]*)<\/h2>/.exec(res.text)?.[1] ?? ''}`);
  return res.headers.location;
}
