import { page } from '../../helpers/page.js';
import type { Browser, Reply } from './browser.js';
import { TINY_PDF, journeyAnswers } from './data.js';

type Answers = ReturnType<typeof journeyAnswers>;

function expectRedirect(res: Reply, what: string): string {
  if (res.status !== 303 || !res.location)
    throw new Error(`${what} answered ${res.status}: ${page(res.text).errors.join(' | ') || res.text.slice(0, 200)}`);
  return res.location;
}

/**
 * Steps 1 to 5 through the pages, each a GET and a POST with its token, as a browser does; the Bijlagen step
 * uploads a small PDF (multipart) when `upload` is set. Returns the draft's URL (/terugbetaling/<id>).
 */
export async function fillDraft(
  browser: Browser,
  answers: Answers,
  options: { upload?: boolean } = {},
): Promise<string> {
  const first = expectRedirect(
    await browser.submit('/terugbetaling/nieuw/werkgever', answers.werkgever),
    'step werkgever',
  );
  const draftUrl = first.replace(/\/werknemer$/, '');
  for (const slug of ['werknemer', 'opleiding', 'initiatief'] as const) {
    expectRedirect(await browser.submit(`${draftUrl}/${slug}`, answers[slug]), `step ${slug}`);
  }
  const bijlagen = await browser.get(`${draftUrl}/bijlagen`);
  if (bijlagen.status !== 200) throw new Error(`GET bijlagen answered ${bijlagen.status}`);
  if (options.upload) {
    const form = new FormData();
    form.append('_csrf', page(bijlagen.text).csrf);
    form.append('actie', 'volgende');
    form.append('inschrijvingsattest', new Blob([TINY_PDF], { type: 'application/pdf' }), 'inschrijvingsattest.pdf');
    expectRedirect(await browser.postMultipart(`${draftUrl}/bijlagen`, form), 'step bijlagen (upload)');
  } else {
    expectRedirect(
      await browser.post(`${draftUrl}/bijlagen`, { _csrf: page(bijlagen.text).csrf, actie: 'volgende' }),
      'step bijlagen',
    );
  }
  return draftUrl;
}

/** The overview page's token, read ahead of a Bevestigen that is sent later (a burst, an outage). */
export async function overviewToken(browser: Browser, draftUrl: string): Promise<string> {
  const overview = await browser.get(`${draftUrl}/overzicht`);
  if (overview.status !== 200) throw new Error(`GET overzicht answered ${overview.status} ${overview.location ?? ''}`);
  return page(overview.text).csrf;
}

/** Bevestigen as the overview form posts it. */
export function confirm(browser: Browser, draftUrl: string, token: string): Promise<Reply> {
  return browser.post(`${draftUrl}/overzicht`, { _csrf: token, actie: 'volgende', declaration: 'ja' });
}

export const RECEIPT = /^\/mijn-dossiers\/(VOV-\d{4}-\d{6,})$/;

/** The dossiernummer of a Bevestigen answer that went to a receipt, else null. */
export function receiptNumber(res: Reply): string | null {
  return res.status === 303 && res.location ? (RECEIPT.exec(res.location)?.[1] ?? null) : null;
}
