/**
 * A small browser for tests against real portal processes: fetch (undici) with a cookie jar, no automatic
 * redirects, the CSRF token read from each form, and an optional hook that records every request's latency.
 * Traffic goes to 127.0.0.1 only.
 */
import { page } from '../../helpers/page.js';

export type Fields = Record<string, string | string[]> | [string, string][];

export interface Reply {
  status: number;
  /** Path and query of the Location header, when there is one. */
  location: string | null;
  text: string;
  headers: Headers;
  ms: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number | null;
  ms: number;
  error?: string;
  /** When the request started, in ms since the epoch. */
  startedAt: number;
}

export interface BrowserOptions {
  /** Called after every request (also failed ones) — the load test's latency figures. */
  onRequest?: (r: RequestRecord) => void;
  timeoutMs?: number;
  /** Sent with every request (e.g. X-Forwarded-For to play a given client address behind a trusted proxy). */
  headers?: Record<string, string>;
}

function localPart(location: string, base: string): string {
  const u = new URL(location, base);
  return `${u.pathname}${u.search}`;
}

export function toBody(fields: Fields): URLSearchParams {
  const params = new URLSearchParams();
  const entries = Array.isArray(fields)
    ? fields
    : Object.entries(fields).flatMap(([k, v]) =>
        Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, v] as [string, string]],
      );
  for (const [k, v] of entries) params.append(k, v);
  return params;
}

export class Browser {
  private readonly jar = new Map<string, string>();

  constructor(
    readonly base: string,
    private readonly options: BrowserOptions = {},
  ) {}

  /** The Cookie header this browser sends (to replay it elsewhere). */
  get cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  set cookie(header: string) {
    this.jar.clear();
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) this.jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }

  /** The same browser (cookies) talking to another address, e.g. the second instance behind the balancer. */
  at(base: string, options: BrowserOptions = this.options): Browser {
    const b = new Browser(base, options);
    b.cookie = this.cookie;
    return b;
  }

  private keepCookies(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now()),
      );
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async request(
    method: string,
    path: string,
    init: { body?: BodyInit; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const url = new URL(path, this.base);
    const startedAt = Date.now();
    const t0 = performance.now();
    const headers: Record<string, string> = { ...this.options.headers, ...init.headers };
    if (this.jar.size) headers.cookie = this.cookie;
    if (init.contentType) headers['content-type'] = init.contentType;
    try {
      const res = await fetch(url, {
        method,
        headers,
        body: init.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
      const text = await res.text();
      const ms = performance.now() - t0;
      this.keepCookies(res.headers);
      const location = res.headers.get('location');
      this.options.onRequest?.({ method, path: url.pathname, status: res.status, ms, startedAt });
      return {
        status: res.status,
        location: location === null ? null : localPart(location, this.base),
        text,
        headers: res.headers,
        ms,
      };
    } catch (err) {
      const ms = performance.now() - t0;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const error = `${(err as Error).name}: ${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`;
      this.options.onRequest?.({ method, path: url.pathname, status: null, ms, startedAt, error });
      throw Object.assign(new Error(`${method} ${url.pathname}: ${error}`), { code: cause?.code, cause: err });
    }
  }

  get(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request('GET', path, { headers });
  }

  post(path: string, fields: Fields, headers?: Record<string, string>): Promise<Reply> {
    return this.request('POST', path, {
      body: toBody(fields).toString(),
      contentType: 'application/x-www-form-urlencoded',
      headers,
    });
  }

  postMultipart(path: string, form: FormData): Promise<Reply> {
    return this.request('POST', path, { body: form });
  }

  /** GETs a page (expecting 200), then POSTs the form with the page's CSRF token. */
  async submit(path: string, fields: Fields): Promise<Reply> {
    const shown = await this.get(path);
    if (shown.status !== 200) throw new Error(`GET ${path} answered ${shown.status} ${shown.location ?? ''}`);
    return this.post(path, [...toBody(fields).entries(), ['_csrf', page(shown.text).csrf]]);
  }
}

export interface Person {
  insz: string;
  firstName: string;
  lastName: string;
  email: string;
}

/**
 * A real login through the development IdP, as a browser does it: GET /aanmelden → the IdP's key page →
 * the person form → the signed response POSTed to the ACS. Returns where the portal sent the browser.
 */
export async function login(
  browser: Browser,
  person: Person,
  options: { returnTo?: string; key?: string } = {},
): Promise<string> {
  const key = options.key ?? 'itsme';
  const start = await browser.get(
    options.returnTo ? `/aanmelden?terug=${encodeURIComponent(options.returnTo)}` : '/aanmelden',
  );
  if (start.status !== 302 && start.status !== 303) throw new Error(`GET /aanmelden answered ${start.status}`);
  const sso = new URL(start.location!, browser.base);
  const keyPage = await browser.get(`${sso.pathname}${sso.search}&sleutel=${key}`);
  if (keyPage.status !== 200) throw new Error(`dev IdP answered ${keyPage.status}: ${keyPage.text.slice(0, 300)}`);
  const form: Record<string, string> = {
    _csrf: page(keyPage.text).csrf,
    SAMLRequest: sso.searchParams.get('SAMLRequest') ?? '',
    SigAlg: sso.searchParams.get('SigAlg') ?? '',
    Signature: sso.searchParams.get('Signature') ?? '',
    sleutel: key,
    persoon: 'nieuw',
    insz: person.insz,
    voornaam: person.firstName,
    achternaam: person.lastName,
    email: person.email,
  };
  const relay = sso.searchParams.get('RelayState');
  if (relay) form.RelayState = relay;
  const posted = await browser.post(sso.pathname, form);
  if (posted.status !== 200) throw new Error(`dev IdP refused the person (${posted.status})`);
  // The IdP's answer is a form that posts itself (its Doorgaan button without JavaScript).
  const answer = page(posted.text).form('Doorgaan');
  const { SAMLResponse: samlResponse, RelayState: relayState } = answer.fields;
  if (!samlResponse) throw new Error('dev IdP gave no SAMLResponse');
  const acs = await browser.post(new URL(answer.action).pathname, {
    SAMLResponse: samlResponse,
    ...(relayState ? { RelayState: relayState } : {}),
  });
  if (acs.status !== 303) {
    const shown = page(acs.text);
    throw new Error(`login refused (${acs.status}): ${shown.notices.join(' ') || shown.main.slice(0, 200)}`);
  }
  return acs.location!;
}

export async function chooseOrganisation(browser: Browser, organisationId: number): Promise<void> {
  const res = await browser.submit('/organisatie-kiezen', { keuze: String(organisationId) });
  if (res.status !== 303) throw new Error(`choosing the organisation answered ${res.status}`);
}
