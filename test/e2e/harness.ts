/// <reference lib="dom" />
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import axeCore from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { PROJECT_ROOT } from '../../src/root.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'screenshots');
/** Screenshots are for people to look at; CI, where nobody does, turns them off (E2E_SCREENSHOTS=0). */
const TAKE_SCREENSHOTS = process.env.E2E_SCREENSHOTS !== '0';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface Portal {
  url: string;
  database: TestDatabase;
  stop(): Promise<void>;
}

/** Starts `src/server.ts` as a real process on a free port with a fresh database and demo data. */
export async function startPortal(env: Record<string, string> = {}): Promise<Portal> {
  const database = await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATABASE_URL: database.url,
      SEED_DEMO_DATA: 'true',
      LOG_LEVEL: 'warn',
      DATA_DIR: join(PROJECT_ROOT, 'tmp', 'e2e-data'),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portal exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('portal did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    database,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await database.drop();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** WCAG 2.2 A and AA as axe tags them (2.2 adds only AA rules to axe: target size). */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
/** The widths every page is checked at: a desktop, and 320 CSS px, where WCAG 1.4.10 asks for reflow. */
export const WIDTHS = [1280, 320] as const;
/**
 * The axe rules whose outcome the narrow layout changes, which alone run again at 320 px: the stylesheet hides
 * nothing at either width and sets the same colours at both (its one media query only rearranges), so every other
 * rule, contrast included, would repeat its 1280 px answer — at ~45 % of the browser tests' time.
 */
const LAYOUT_RULES = ['target-size', 'scrollable-region-focusable'];
/** The fonts `.ci/run` installs; the portal's font stack (Arial) resolves to Liberation Sans with them. */
export const CI_FONTS = ['Liberation Sans', 'DejaVu Sans'];
/** The help that every page offers at the same place (WCAG 3.2.6): the footer, in this order. */
export const FOOTER_HELP = ['1700', 'Hulp bij aanmelden en aanvragen', 'Veelgestelde vragen', 'Contact'];

/** Every title seen in this test file (without "Fout: "), with the page it belongs to: no two pages may share one. */
export const seenTitles = new Map<string, string>();
const seenNames = new Set<string>();

/** A page's identity for the title check: its path with ids, draft refs and dossiernummers generalised. */
export function pageKey(url: string): string {
  const { pathname } = new URL(url);
  return pathname
    .replace(/\/terugbetaling\/(nieuw|\d+)(?=\/|$)/, '/terugbetaling/:draft')
    .replace(/\/VOV-\d{4}-\d+/, '/:dossier')
    .replace(/\/\d+(?=\/|$)/g, '/:id');
}

/**
 * The checks every visited page gets, at 1280 and at 320 CSS px: zero axe violations (WCAG 2.0/2.1/2.2 A and
 * AA), no horizontal scrolling (also with the wider of the CI fonts forced), no focusable element hidden
 * under other content; and once: one h1, a title that no other page has, "Fout: " in the title exactly when
 * an error summary shows, the footer's help in its place; and screenshots at both widths.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  expect(seenNames.has(name), `checkPage name "${name}" used twice (screenshots would be overwritten)`).toBe(false);
  seenNames.add(name);
  const original = page.viewportSize() ?? { width: 1280, height: 800 };
  const noScript = noScriptContexts.has(page.context());
  // A page already checked in this file, in the same DOM, gives the same answers at both widths: checked once.
  const dom = `${noScript} ${new URL(page.url()).pathname}\n${await renderedState(page)}`;
  for (const width of checkedDoms.has(dom) ? [] : WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    const axeTarget = noScript ? await scriptedCopy(page, width) : page;
    const violations = await runAxe(
      axeTarget,
      width === WIDTHS[0] ? { type: 'tag', values: WCAG_TAGS } : { type: 'rule', values: LAYOUT_RULES },
    );
    const described = violations.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n    on "${name}" at ${width} px ${page.url()}\n    ` +
        v.nodes
          .map(
            (n) =>
              `${n.target.join(' ')}\n      ${n.html.slice(0, 200)}\n      ${(n.failureSummary ?? '').replace(/\n/g, ' ')}`,
          )
          .join('\n    '),
    );
    expect(described, `axe violations on "${name}" at ${width} px`).toEqual([]);
    await expectReflow(page, `"${name}" at ${width} px`);
    expect(
      await focusablesHidden(page),
      `focusable elements covered by other content on "${name}" at ${width} px`,
    ).toEqual([]);
  }
  checkedDoms.add(dom);
  await page.setViewportSize(original);
  expect(await page.locator('h1').count(), `one h1 on "${name}"`).toBe(1);
  const title = await page.title();
  const hasErrors = (await page.locator('.error-summary').count()) > 0;
  expect(title.startsWith('Fout: '), `title prefix on "${name}"`).toBe(hasErrors);
  const bare = title.replace(/^Fout: /, '');
  expect(bare.trim().length, `a title on "${name}"`).toBeGreaterThan(0);
  // An invalid POST re-renders its page at the form's action URL: error states share their page's title.
  if (!hasErrors) {
    const key = pageKey(page.url());
    const owner = seenTitles.get(bare);
    expect(owner ?? key, `title "${bare}" on "${name}" (${key}) is also the title of ${owner}`).toBe(key);
    seenTitles.set(bare, key);
  }
  expect(await footerHelp(page), `the help in the footer of "${name}"`).toEqual(FOOTER_HELP);
  await screenshots(page, name);
}

/** The DOMs whose width-dependent checks (axe, reflow, focus not obscured) passed in this test file. */
const checkedDoms = new Set<string>();

/**
 * The page as the checks see it: its DOM, with what fields hold now, and without the values of hidden fields
 * (CSRF tokens, SAML requests), which differ on every visit but are never rendered.
 */
async function renderedState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const copy = document.documentElement.cloneNode(true) as HTMLElement;
    const fields = document.querySelectorAll<HTMLInputElement>('input, textarea, select');
    copy.querySelectorAll<HTMLInputElement>('input, textarea, select').forEach((field, i) => {
      if (field.type === 'hidden') field.removeAttribute('value');
      else field.setAttribute('data-e2e-state', `${fields[i].value}|${fields[i].checked}`);
    });
    copy.querySelectorAll('[nonce]').forEach((el) => el.removeAttribute('nonce'));
    return `${document.activeElement?.outerHTML.slice(0, 200)}\n${copy.outerHTML}`;
  });
}

/**
 * axe-core's `axe.run` inside the page, injected once per document. (@axe-core/playwright injected it anew on
 * every run and finished each run in a new blank page: twice the browser's work. The portal has no iframes.)
 */
async function runAxe(page: Page, runOnly: axeCore.RunOnly): Promise<axeCore.Result[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeCore.source);
  // Only the violations are used: axe then describes no passing element (selector, HTML), and none come back.
  return page.evaluate(
    async (options) => (await (window as unknown as { axe: typeof axeCore }).axe.run(document, options)).violations,
    { runOnly, resultTypes: ['violations'] } satisfies axeCore.RunOptions,
  );
}

/** The help links of the footer, in page order, after the main content (the same place on every page). */
async function footerHelp(page: Page): Promise<string[]> {
  return page.evaluate((wanted) => {
    const main = document.querySelector('main');
    const footer = document.querySelector('footer');
    if (!main || !footer || !(main.compareDocumentPosition(footer) & Node.DOCUMENT_POSITION_FOLLOWING))
      return ['no footer after main'];
    return [...footer.querySelectorAll('a')].map((a) => (a.textContent ?? '').trim()).filter((t) => wanted.includes(t));
  }, FOOTER_HELP);
}

/**
 * No horizontal scrolling: with the font the page renders in, and with DejaVu Sans forced (the widest of the
 * CI fonts), so that a machine with other fonts cannot hide a word that does not wrap.
 */
async function expectReflow(page: Page, where: string): Promise<void> {
  const overflow = () =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(await overflow(), `horizontal scrolling on ${where}`).toBeLessThanOrEqual(0);
  await page.evaluate(() => {
    const style = document.createElement('style');
    style.id = 'e2e-wide-font';
    style.textContent = '*, *::before, *::after { font-family: "DejaVu Sans" !important; }';
    document.head.append(style);
  });
  try {
    expect(await overflow(), `horizontal scrolling on ${where} in DejaVu Sans`).toBeLessThanOrEqual(0);
  } finally {
    await page.evaluate(() => document.getElementById('e2e-wide-font')?.remove());
  }
}

/**
 * Every element the keyboard can reach, scrolled into view as focusing it would ("nearest", as Tab does): the
 * ones whose centre is covered by another element, e.g. a sticky header (WCAG 2.4.11 Focus not obscured).
 * Nothing is focused: Chromium remembers the last focused radio of a group, which would change where Tab goes.
 */
async function focusablesHidden(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selector =
      'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    const hidden: string[] = [];
    const scroll = { x: window.scrollX, y: window.scrollY };
    for (const el of document.querySelectorAll<HTMLElement>(selector)) {
      const box = el.getBoundingClientRect();
      // Not reachable by Tab: disabled, not rendered, or inside a closed <details> other than its summary.
      if (box.width === 0 || box.height === 0 || el.matches(':disabled') || el.closest('.visually-hidden, .skip-link'))
        continue;
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      const details = el.closest('details');
      if (details && !details.open && !el.closest('summary')) continue;
      el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      const r = el.getBoundingClientRect();
      const x = Math.min(Math.max(r.left + r.width / 2, 0), window.innerWidth - 1);
      const y = Math.min(Math.max(r.top + r.height / 2, 0), window.innerHeight - 1);
      const hit = document.elementFromPoint(x, y);
      const ok =
        hit &&
        (hit === el || el.contains(hit) || (hit instanceof HTMLLabelElement && hit.control === el) || hit.contains(el));
      if (!ok)
        hidden.push(
          `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('name') || '').trim().slice(0, 40)}" under ${hit?.tagName.toLowerCase()}.${hit?.className}`,
        );
    }
    window.scrollTo(scroll.x, scroll.y);
    return hidden;
  });
}

/** The font families Chromium really drew the page's h1 with (not what the CSS asks for), via the DevTools protocol. */
export async function renderedFonts(page: Page, selector = 'h1'): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    return fonts.map((f) => f.familyName);
  } finally {
    await cdp.detach();
  }
}

/** Contexts opened with JavaScript disabled (see newContext). */
const noScriptContexts = new WeakSet<BrowserContext>();
const copies = new WeakMap<Browser, Promise<Page>>();

/** A clean browser context; `javaScriptEnabled: false` gives a browser with scripting switched off. */
export async function newContext(
  browser: Browser,
  options: { javaScriptEnabled?: boolean } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 800 }, ...options });
  if (options.javaScriptEnabled === false) noScriptContexts.add(context);
  // Fail within seconds, not at the test's time-out, when a label is not found.
  context.setDefaultTimeout(15_000);
  return context;
}

/**
 * axe runs asynchronously inside the page, which a page without JavaScript cannot do. For such a page axe
 * checks an exact copy of its DOM, without the page's own scripts, in a scripted page of another context,
 * served at the same address so that the portal's stylesheets load exactly as for the page itself.
 */
async function scriptedCopy(page: Page, width: number): Promise<Page> {
  const browser = page.context().browser()!;
  if (!copies.has(browser))
    copies.set(
      browser,
      browser.newContext({ viewport: { width: 1280, height: 800 } }).then((c) => c.newPage()),
    );
  const copy = await copies.get(browser)!;
  await copy.setViewportSize({ width, height: 800 });
  const html = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '');
  const address = page.url();
  const serve = (url: URL) => url.href === address;
  await copy.route(serve, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
  );
  try {
    await copy.goto(address, { waitUntil: 'load' });
  } finally {
    await copy.unroute(serve);
  }
  // Contrast is only checked for real when the portal's stylesheet applies to the copy too.
  const header = await copy.evaluate(() => getComputedStyle(document.querySelector('.site-header')!).backgroundColor);
  expect(header, `the stylesheet applies to the copy of ${address}`).toBe('rgb(255, 230, 21)');
  return copy;
}

/**
 * After an invalid POST: the error summary has the focus (without any script: `autofocus`), and every link
 * in it points at a form field that exists on the page. Returns the texts of the summary's links.
 */
export async function expectErrorSummaryFocused(page: Page, name: string): Promise<string[]> {
  await page.locator('.error-summary').waitFor();
  const state = await page.evaluate(() => {
    const active = document.activeElement;
    const summary = document.querySelector('.error-summary');
    const links = [...document.querySelectorAll<HTMLAnchorElement>('.error-summary a')].map((a) => {
      const href = a.getAttribute('href') ?? '';
      const target = href.startsWith('#') ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
      return { text: (a.textContent ?? '').trim(), href, target: target ? target.tagName.toLowerCase() : null };
    });
    return { focused: !!summary && active === summary, links };
  });
  expect(state.focused, `the error summary has the focus on "${name}"`).toBe(true);
  expect(state.links.length, `the error summary on "${name}" lists the problems`).toBeGreaterThan(0);
  for (const link of state.links) {
    expect(
      ['input', 'select', 'textarea'],
      `error link ${link.href} ("${link.text}") on "${name}" leads to a field`,
    ).toContain(link.target);
  }
  return state.links.map((l) => l.text);
}

/** Waits for the page whose h1 reads `text` (a click that submits a form returns before the next page is there). */
export async function expectH1(page: Page, text: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor();
  await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(text);
}

/** The step indicator is text a screen reader reads ("Stap 3 van 6: Opleiding"), not a picture or CSS alone. */
export async function expectStepIndicator(page: Page, step: number, title: string): Promise<void> {
  const current = page.getByRole('navigation', { name: 'Stappen van de aanvraag' }).locator('.steps__current');
  await current.filter({ hasText: `Stap ${step} van 6: ${title}` }).waitFor();
  await expect(current.innerText()).resolves.toBe(`Stap ${step} van 6: ${title}`);
  const currentItem = page.locator('.steps__item[aria-current="step"]');
  await expect(currentItem.innerText()).resolves.toContain(title);
}

/** The focused element shows a focus indicator: a real outline or a box-shadow ring. */
export async function focusIndicator(
  page: Page,
): Promise<{ element: string; outline: string; boxShadow: string; visible: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { element: 'body', outline: '', boxShadow: '', visible: false };
    const style = getComputedStyle(el);
    const outlineVisible = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const shadowVisible = style.boxShadow !== 'none' && style.boxShadow !== '';
    const element = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}`;
    return {
      element,
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      boxShadow: style.boxShadow,
      visible: outlineVisible || shadowVisible,
    };
  });
}

/** Presses Tab until the focused element matches `selector` (at most `max` presses); fails when it never does. */
export async function tabTo(page: Page, selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The first absolute link in a mail's text that leads to `path` (a prefix); fails when there is none. */
export function linkInMail(mail: { text: string }, portalUrl: string, path: string): string {
  const escaped = `${portalUrl}${path}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = new RegExp(`${escaped}[^\\s"<>]*`).exec(mail.text)?.[0];
  if (!found) throw new Error(`no link to ${path} in the mail "${(mail as { subject?: string }).subject ?? ''}"`);
  return found;
}

/** Full-page screenshots at both widths: `<name>-desktop.png` (1280 px) and `<name>-320.png`. */
export async function screenshots(page: Page, name: string): Promise<void> {
  if (!TAKE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const safe = name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase();
  const original = page.viewportSize() ?? { width: 1280, height: 800 };
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({
      path: join(SCREENSHOT_DIR, `${safe}-${width === 1280 ? 'desktop' : width}.png`),
      fullPage: true,
    });
  }
  await page.setViewportSize(original);
}

export interface LoginOptions {
  /** Prefix of the checkPage names (one per journey). */
  prefix: string;
  /** The digital key's label on the development IdP. */
  key?: string;
  /** Without JavaScript the IdP's answer needs the visible "Doorgaan" button. */
  javaScript?: boolean;
  /** Press Volgende and Aanmelden once without choosing a key or a person first, to check the IdP's error states. */
  tryWithoutChoosing?: boolean;
}

/**
 * Logs in as a person would: the landing page, Aanmelden, the development IdP's digital key and person
 * pages (and "Doorgaan" without JavaScript), ending on the portal's organisation choice. Checks every page.
 */
export async function logIn(page: Page, portalUrl: string, person: string, o: LoginOptions): Promise<void> {
  await page.goto(portalUrl);
  await checkPage(page, `${o.prefix}-welkom`);
  await page.getByRole('link', { name: 'Aanmelden', exact: true }).click();
  await expectH1(page, 'Aanmelden bij de digitale overheid');
  await checkPage(page, `${o.prefix}-digitale-sleutel`);
  if (o.tryWithoutChoosing) {
    await page.getByRole('button', { name: 'Volgende' }).click();
    await expect(expectErrorSummaryFocused(page, `${o.prefix}-digitale-sleutel-fout`)).resolves.toEqual([
      'Kies een digitale sleutel.',
    ]);
    await checkPage(page, `${o.prefix}-digitale-sleutel-fout`);
  }
  await page.getByRole('radio', { name: o.key ?? 'itsme', exact: true }).check();
  await page.getByRole('button', { name: 'Volgende' }).click();
  await expectH1(page, `Aanmelden met ${o.key ?? 'itsme'}`);
  await checkPage(page, `${o.prefix}-persoon`);
  if (o.tryWithoutChoosing) {
    await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
    await expect(expectErrorSummaryFocused(page, `${o.prefix}-persoon-fout`)).resolves.toEqual([
      'Kies met wie u zich aanmeldt.',
    ]);
    await checkPage(page, `${o.prefix}-persoon-fout`);
  }
  await page.getByRole('radio', { name: person, exact: true }).check();
  await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
  if (o.javaScript === false) {
    await expectH1(page, 'Doorgaan naar het WSE-loket');
    await checkPage(page, `${o.prefix}-doorgaan`);
    await page.getByRole('button', { name: 'Doorgaan' }).click();
  }
  await page.waitForURL(/\/organisatie-kiezen/);
}

/** Clicks the organisation's button (the guide says "klik op uw organisatie"): its home page must follow at once. */
export async function clickOrganisation(page: Page, organisation: string): Promise<void> {
  const home = page.waitForResponse((r) => new URL(r.url()).pathname === '/' && r.request().method() === 'GET');
  await page.getByRole('button', { name: organisation }).click();
  await home;
  await page.waitForLoadState('load');
  // A session saved only after its redirect went out is read stale by the next request (expressjs/session#360).
  expect(new URL(page.url()).pathname, 'the organisation choice holds on the page after the click').toBe('/');
  await expectH1(page, organisation);
}

/** A date `days` from today in Brussels, written as the form expects it: dd/mm/jjjj. */
export function dateFromToday(days: number, now = new Date()): string {
  const today = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Brussels',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}
