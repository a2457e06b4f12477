/// <reference lib="dom" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, expectH1, launchBrowser, logIn, newContext, startPortal, type Portal } from './harness.js';

const escape = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * Another site (`localhost`, while the portal is `127.0.0.1`): its page posts a SAML response to the portal's
 * ACS, as an IdP's page does, and as an attacker's page can. It submits itself with JavaScript, and shows a
 * button without.
 */
function otherSite(acsUrl: string) {
  const fields: Record<string, string> = {};
  const server: Server = createServer((_req, res) => {
    const inputs = Object.entries(fields)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${escape(v)}">`)
      .join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="nl"><title>Elders</title>
<form method="post" action="${acsUrl}">${inputs}<button>Doorgaan</button></form>
<script>document.forms[0].submit()</script></html>`);
  });
  return {
    fields,
    url: '',
    async start() {
      // Every address: localhost may be ::1 or 127.0.0.1.
      await new Promise<void>((resolve) => server.listen(0, resolve));
      this.url = `http://localhost:${(server.address() as AddressInfo).port}/`;
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Walks the development IdP from /aanmelden as `person` and returns the fields of its answer without posting
 * them to the portal: what an attacker keeps after logging in as himself.
 */
async function answerWithoutPosting(page: Page, portalUrl: string, person: string): Promise<Record<string, string>> {
  let captured: (fields: Record<string, string>) => void;
  const fields = new Promise<Record<string, string>>((resolve) => (captured = resolve));
  const acs = `${portalUrl}/auth/saml/acs`;
  await page.route(acs, async (route) => {
    captured(Object.fromEntries(new URLSearchParams(route.request().postData() ?? '')));
    await route.abort();
  });
  await page.goto(`${portalUrl}/aanmelden`);
  await page.getByRole('radio', { name: 'itsme', exact: true }).check();
  await page.getByRole('button', { name: 'Volgende' }).click();
  await page.getByRole('radio', { name: person, exact: true }).check();
  await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
  const answer = await fields;
  await page.unroute(acs);
  return answer;
}

describe('login CSRF in a real browser', () => {
  let portal: Portal;
  let browser: Browser;
  let site: ReturnType<typeof otherSite>;
  beforeAll(async () => {
    portal = await startPortal();
    browser = await launchBrowser();
    site = otherSite(`${portal.url}/auth/saml/acs`);
    await site.start();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await portal?.stop();
  });

  const failedReasons = async () =>
    (await portal.database.db('audit_log').where({ action: 'login.failed' }).orderBy('id').select('details')).map(
      (r) => (r.details as { reason: string }).reason,
    );

  async function expectRefusedAndLoggedOut(page: Page) {
    await expectH1(page, 'Aanmelden is niet gelukt');
    await expect(page.locator('main').innerText()).resolves.toContain('Deze aanmelding begon niet in deze browser');
    // Nobody is logged in in this browser: a page for logged-in users sends it to the login.
    await page.goto(`${portal.url}/organisatie-kiezen`);
    await expectH1(page, 'Aanmelden bij de digitale overheid');
    await expect(page.locator('.site-header__person').count()).resolves.toBe(0);
  }

  it('refuses an attacker’s response that a page on another site auto-posts in the victim’s browser', async () => {
    const attacker = await newContext(browser);
    Object.assign(site.fields, await answerWithoutPosting(await attacker.newPage(), portal.url, 'Jan Werkgever'), {
      RelayState: '/mijn-dossiers',
    });
    await attacker.close();

    // A victim who never started a login, and one who has a login of her own under way.
    const fresh = await newContext(browser);
    const page = await fresh.newPage();
    await page.goto(site.url);
    await expectRefusedAndLoggedOut(page);
    const busy = await newContext(browser);
    const other = await busy.newPage();
    await other.goto(`${portal.url}/aanmelden`);
    await expectH1(other, 'Aanmelden bij de digitale overheid');
    await other.goto(site.url);
    await expectRefusedAndLoggedOut(other);
    expect(await failedReasons()).toEqual(['other_browser', 'other_browser']);
    const jan = await portal.database.db('person').where({ insz: '68110304512' }).first('last_login_at');
    expect(jan?.last_login_at ?? null).toBeNull(); // the attacker's response logged nobody in
    await fresh.close();
    await busy.close();
  });

  it('logs in when the IdP on another site posts the answer to a login this browser started', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    Object.assign(site.fields, await answerWithoutPosting(page, portal.url, 'Eva Werknemer'));
    delete site.fields.RelayState;
    await page.goto(site.url); // the cross-site POST, re-posted from the portal's own page
    await page.waitForURL(/\/organisatie-kiezen/);
    await expect(page.locator('header').innerText()).resolves.toContain('Eva Werknemer');
    await context.close();
  });

  it('the same without JavaScript: the portal’s page has a button', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${portal.url}/aanmelden`);
    await page.getByRole('radio', { name: 'itsme', exact: true }).check();
    await page.getByRole('button', { name: 'Volgende' }).click();
    await page.getByRole('radio', { name: 'Piet Zondermeer', exact: true }).check();
    await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
    await expectH1(page, 'Doorgaan naar het WSE-loket');
    const samlResponse = await page.locator('input[name="SAMLResponse"]').inputValue();
    Object.assign(site.fields, { SAMLResponse: samlResponse });
    await page.goto(site.url);
    await page.getByRole('button', { name: 'Doorgaan' }).click();
    await expectH1(page, 'Verder met aanmelden');
    await checkPage(page, 'verder-met-aanmelden');
    await page.getByRole('button', { name: 'Verder met aanmelden' }).click();
    await page.waitForURL(/\/organisatie-kiezen/);
    await expect(page.locator('header').innerText()).resolves.toContain('Piet Zondermeer');
    await context.close();
  });

  it('the normal login through the development IdP still works', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await logIn(page, portal.url, 'An Beheerder', { prefix: 'csrf-normaal' });
    await expect(page.locator('header').innerText()).resolves.toContain('An Beheerder');
    await context.close();
  });
});
