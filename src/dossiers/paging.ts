import { formatCount } from '../domain/money.js';

/**
 * Paging by GET parameter (?pagina=3), so lists work without JavaScript and a page can be bookmarked.
 * An unknown or too high page number shows the nearest existing page instead of an error.
 */
export interface Page {
  /** 1-based. */
  number: number;
  size: number;
  total: number;
  pageCount: number;
  offset: number;
}

export function pageOf(requested: unknown, total: number, size: number): Page {
  const pageCount = Math.max(1, Math.ceil(total / size));
  const asked = typeof requested === 'string' && /^\d{1,6}$/.test(requested) ? Number(requested) : 1;
  const number = Math.min(Math.max(asked, 1), pageCount);
  return { number, size, total, pageCount, offset: (number - 1) * size };
}

export interface Pager {
  from: number;
  to: number;
  total: number;
  /** "21 tot 40 van 1.312" */
  text: string;
  previous: string | null;
  next: string | null;
  /** A window of page links around the current page, with gaps (null) where pages are left out. */
  items: ({ number: number; href: string; current: boolean } | null)[];
}

/** The links of a pager; `hrefFor(n)` keeps the list's other parameters (filters, search). */
export function pager(page: Page, hrefFor: (n: number) => string): Pager {
  const numbers = new Set([
    1,
    page.pageCount,
    page.number - 2,
    page.number - 1,
    page.number,
    page.number + 1,
    page.number + 2,
  ]);
  const shown = [...numbers].filter((n) => n >= 1 && n <= page.pageCount).sort((a, b) => a - b);
  const items: Pager['items'] = [];
  shown.forEach((n, i) => {
    if (i > 0 && n - shown[i - 1] > 1) items.push(null);
    items.push({ number: n, href: hrefFor(n), current: n === page.number });
  });
  const from = page.total === 0 ? 0 : page.offset + 1;
  const to = Math.min(page.offset + page.size, page.total);
  return {
    from,
    to,
    total: page.total,
    text: `${formatCount(from)} tot ${formatCount(to)} van ${formatCount(page.total)}`,
    previous: page.number > 1 ? hrefFor(page.number - 1) : null,
    next: page.number < page.pageCount ? hrefFor(page.number + 1) : null,
    items,
  };
}

/** A path with query parameters, leaving out empty ones (and page 1). */
export function withQuery(path: string, params: Record<string, string | number | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '' || (key === 'pagina' && Number(value) === 1)) continue;
    query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** Where a keyset page starts (?na=… older than, ?voor=… newer than that key); anything else: the first page. */
export function cursorOf(query: Record<string, unknown>, key: RegExp): { after: string } | { before: string } | null {
  const valid = (v: unknown): v is string => typeof v === 'string' && key.test(v);
  if (valid(query.na)) return { after: query.na };
  if (valid(query.voor)) return { before: query.voor };
  return null;
}

/**
 * "Vorige"/"Volgende" links of a list paged by keyset (no page numbers: counting the pages would read every
 * row); `hrefFor` keeps the list's other parameters.
 */
export function keysetPager(
  page: { newer: string | null; older: string | null },
  hrefFor: (cursor: { na?: string; voor?: string }) => string,
): Pick<Pager, 'previous' | 'next'> {
  return {
    previous: page.newer === null ? null : hrefFor({ voor: page.newer }),
    next: page.older === null ? null : hrefFor({ na: page.older }),
  };
}
