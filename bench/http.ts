/** A very small browser for preparing the benchmark: a cookie jar, no redirects followed, form posts. */

export interface Page {
  status: number;
  location: string | null;
  text: string;
}

export class Browser {
  readonly cookies = new Map<string, string>();

  /**
   * @param origin where relative paths go (always 127.0.0.1)
   * @param headers sent with every request, e.g. X-Forwarded-Proto: https for the portal behind its "proxy"
   */
  constructor(
    readonly origin: string,
    private readonly headers: Record<string, string> = {},
  ) {
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(origin))
      throw new Error(`the bench only talks to 127.0.0.1, not ${origin}`);
  }

  /** The Cookie header value this browser would send. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  post(path: string, form: Record<string, string>): Promise<Page> {
    return this.request('POST', path, new URLSearchParams(form).toString());
  }

  private async request(method: string, path: string, body?: string): Promise<Page> {
    const url = new URL(path, this.origin);
    if (url.origin !== this.origin) throw new Error(`refusing to leave ${this.origin} for ${url.origin}`);
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired =
        attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now()) ||
        attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }
}

export function decodeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The value of a hidden form field in rendered HTML. */
export function hiddenField(html: string, name: string): string | undefined {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  return m ? decodeHtml(m[1]) : undefined;
}

export function csrfTokenFrom(html: string): string {
  const token = hiddenField(html, '_csrf');
  if (!token) throw new Error('no CSRF token in the page');
  return token;
}

/** The error summary of a refused form, for a useful message. */
export function errorSummary(html: string): string {
  const m = /<div class="error-summary"[\s\S]*?<\/ul>/.exec(html);
  return m
    ? m[0]
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : '';
}

export function expectStatus(page: Page, status: number, what: string): Page {
  if (page.status !== status) {
    const detail =
      errorSummary(page.text) ||
      page.location ||
      page.text
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(0, 300);
    throw new Error(`${what}: expected ${status}, got ${page.status} (${detail})`);
  }
  return page;
}
