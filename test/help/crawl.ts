import type request from 'supertest';
import { decodeHtml } from '../helpers/html.js';

export type Agent = ReturnType<typeof request.agent>;

/** Every id="…" in a page (the targets a #fragment may point at). */
export function idsIn(html: string): string[] {
  return [...html.matchAll(/<[a-zA-Z][^>]*?\sid\s*=\s*(?:"([^"]*)"|'([^']*)')/g)].map((m) => decodeHtml(m[1] ?? m[2]));
}

/** Every URL the page makes the browser GET or offers to follow: links, stylesheets, scripts. */
export function linksIn(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<(?:a|link|area)\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi))
    out.push(decodeHtml(m[1] ?? m[2]));
  for (const m of html.matchAll(/<(?:script|img)\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)')/gi))
    out.push(decodeHtml(m[1] ?? m[2]));
  return out;
}

export interface CrawlOptions {
  /** Origins that count as the portal itself besides the crawl's own (e.g. PUBLIC_URL in mails). */
  sameOrigins?: string[];
  /** Paths never requested (e.g. one that would end the session). */
  skip?: (path: string) => boolean;
  /** Pages already in hand (e.g. an error page rendered directly) whose links are checked too. */
  documents?: { url: string; html: string }[];
  maxRequests?: number;
}

export interface CrawlReport {
  /** Every URL requested, with its final status after redirects. */
  visited: Map<string, number>;
  failures: string[];
}

interface Page {
  status: number;
  finalUrl: string;
  ids: Set<string> | null;
  html: string | null;
}

const BASE = 'http://portal.test';

/**
 * Follows every same-origin link (GET only, like a person clicking) from the start pages, breadth first.
 * Fails on a 4xx/5xx answer and on a #fragment that is not an id on the page it lands on (after redirects).
 */
export async function crawl(agent: Agent, starts: string[], options: CrawlOptions = {}): Promise<CrawlReport> {
  const origins = new Set([BASE, ...(options.sameOrigins ?? []).map((o) => new URL(o).origin)]);
  const max = options.maxRequests ?? 400;
  const pages = new Map<string, Page>();
  const failures: string[] = [];
  let requests = 0;

  async function fetchPage(url: string): Promise<Page> {
    const known = pages.get(url);
    if (known) return known;
    let current = url;
    let page: Page | undefined;
    for (let hop = 0; hop < 10; hop++) {
      if (++requests > max) throw new Error(`crawl exceeded ${max} requests: is a link growing without end?`);
      const res = await agent.get(current).redirects(0).buffer(true);
      if (res.status >= 300 && res.status < 400 && res.headers.location) {
        const next = new URL(res.headers.location, BASE + current);
        if (!origins.has(next.origin)) {
          page = { status: res.status, finalUrl: next.toString(), ids: null, html: null };
          break;
        }
        current = `${next.pathname}${next.search}`;
        const cached = pages.get(current);
        if (cached) {
          page = cached;
          break;
        }
        continue;
      }
      const isHtml = /text\/html/.test(String(res.headers['content-type'] ?? ''));
      const html = isHtml ? res.text : null;
      page = { status: res.status, finalUrl: current, ids: html === null ? null : new Set(idsIn(html)), html };
      pages.set(current, page);
      break;
    }
    if (!page) throw new Error(`too many redirects from ${url}`);
    pages.set(url, page);
    return page;
  }

  const queue: { url: string; from: string }[] = starts.map((url) => ({ url, from: '(start)' }));
  const seen = new Set<string>(starts);
  const checkLinksOf = (url: string, html: string) => {
    for (const href of linksIn(html)) {
      if (/^(mailto|tel|javascript|data):/i.test(href)) continue;
      const target = new URL(href, BASE + url);
      if (!origins.has(target.origin)) continue;
      const local = `${target.pathname}${target.search}`;
      if (options.skip?.(target.pathname)) continue;
      fragments.push({
        href,
        from: url,
        target: local,
        fragment: href.includes('#') ? decodeURIComponent(target.hash.slice(1)) : null,
      });
      if (!seen.has(local)) {
        seen.add(local);
        queue.push({ url: local, from: url });
      }
    }
  };
  const fragments: { href: string; from: string; target: string; fragment: string | null }[] = [];

  for (const doc of options.documents ?? []) checkLinksOf(doc.url, doc.html);
  while (queue.length) {
    const { url, from } = queue.shift()!;
    const page = await fetchPage(url);
    if (page.status >= 400) {
      failures.push(`${url} answered ${page.status} (linked from ${from})`);
      continue;
    }
    if (page.html !== null && page.finalUrl === url) checkLinksOf(url, page.html);
    else if (page.html !== null && !seen.has(page.finalUrl)) {
      seen.add(page.finalUrl);
      checkLinksOf(page.finalUrl, page.html);
    }
  }

  for (const f of fragments) {
    if (f.fragment === null) continue;
    const page = pages.get(f.target);
    if (!page || page.status >= 400) continue; // already reported as a failing page
    if (page.ids === null)
      failures.push(`${f.href} (on ${f.from}) points into ${page.finalUrl}, which is not an HTML page`);
    else if (!page.ids.has(f.fragment))
      failures.push(`${f.href} (on ${f.from}): there is no id="${f.fragment}" on ${page.finalUrl}`);
  }

  const visited = new Map<string, number>();
  for (const [url, page] of pages) visited.set(url, page.status);
  return { visited, failures };
}
