import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, CI_FONTS, launchBrowser, renderedFonts, startPortal, type Portal } from './harness.js';

describe('public pages in a real browser', () => {
  let portal: Portal;
  let browser: Browser;
  beforeAll(async () => {
    portal = await startPortal();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it('the landing page, the accessibility statement, the help pages and the 404 page pass axe', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(portal.url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welkom bij het WSE-loket');
    await checkPage(page, 'landing');
    await page.getByRole('link', { name: 'Toegankelijkheidsverklaring' }).click();
    await page.waitForURL((u) => u.pathname === '/toegankelijkheidsverklaring');
    // What a statement must hold: the compliance status, the known gaps, the date and the feedback route.
    const statement = await page.locator('main').innerText();
    expect(statement).toContain(
      'gedeeltelijk in overeenstemming met de Web Content Accessibility Guidelines (WCAG) 2.2, niveau AA',
    );
    expect(statement).toMatch(/breed scherm \(1280 pixels\) en op een smal scherm van 320 pixels/);
    expect(statement).toContain('minstens 24 bij 24 pixels');
    expect(statement).toContain('Bekende tekortkomingen');
    expect(statement).toContain('opgesteld op 28/11/2026 en het laatst bijgewerkt op 04/12/2026');
    expect(statement).toMatch(/Feedback en contact[\s\S]*vlaamsopleidingsverlof@vlaanderen\.be[\s\S]*1700/);
    await checkPage(page, 'toegankelijkheidsverklaring');
    // The public help pages, reached through the footer as a visitor would.
    for (const [link, path] of [
      ['Hulp bij aanmelden en aanvragen', '/hulp'],
      ['Veelgestelde vragen', '/veelgestelde-vragen'],
      ['Contact', '/contact'],
      ['Privacyverklaring', '/privacyverklaring'],
    ] as const) {
      await page.getByRole('contentinfo').getByRole('link', { name: link, exact: true }).click();
      await page.waitForURL((u) => u.pathname === path);
      await checkPage(page, path.slice(1));
    }
    await page.goto(`${portal.url}/hulp/lokale-beheerders`);
    await checkPage(page, 'hulp-lokale-beheerders');
    await page.goto(`${portal.url}/bestaat-niet`);
    await checkPage(page, 'niet-gevonden');
    await context.close();
  });

  it('renders in a font that CI installs, and says which (layouts depend on it)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(`${portal.url}/toegankelijkheidsverklaring`);
    const fonts = await renderedFonts(page);
    console.info(`browser tests: the h1 rendered in ${fonts.join(', ')} (CI installs ${CI_FONTS.join(' and ')})`);
    expect(
      fonts.filter((f) => CI_FONTS.includes(f)),
      `rendered in ${fonts.join(', ')}: install fonts-dejavu-core and fonts-liberation`,
    ).not.toEqual([]);
    // The long word of the heading breaks with a hyphen (lang="nl") instead of widening the page.
    const heading = page.getByRole('heading', { level: 1 });
    const box = await heading.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(320);
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('h1')!).hyphens)).toBe('auto');
    await context.close();
  });

  it('the skip link is the first stop of the keyboard and is visible when focused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(portal.url);
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    await expect(focused.textContent()).resolves.toBe('Naar de inhoud');
    const box = await focused.boundingBox();
    expect(box && box.y >= 0).toBe(true);
    await context.close();
  });
});
