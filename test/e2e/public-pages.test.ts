import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, launchBrowser, startPortal, type Portal } from './harness.js';

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

  it('the landing page, the accessibility statement and the 404 page pass axe', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(portal.url);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Welkom bij het WSE-loket');
    await checkPage(page, 'landing');
    await page.getByRole('link', { name: 'Toegankelijkheidsverklaring' }).click();
    await checkPage(page, 'toegankelijkheidsverklaring');
    await page.goto(`${portal.url}/bestaat-niet`);
    await checkPage(page, 'niet-gevonden');
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
