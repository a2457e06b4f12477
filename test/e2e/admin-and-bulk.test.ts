import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvFile, validRow } from '../bulk/fixtures.js';
import {
  checkPage,
  dateFromToday,
  expectErrorSummaryFocused,
  expectH1,
  launchBrowser,
  logIn,
  newContext,
  startPortal,
  type Portal,
} from './harness.js';

/*
 * The pages of gebruikersbeheer and of the CSV upload that journeys 1–3 do not pass through, in a real browser:
 * each one, and each error state, passes axe, has one h1 and a title of its own, and is photographed.
 */

const ORGANISATION = 'Bouwbedrijf De Meeuw NV';
const NEWCOMER = {
  insz: '85.07.30-033.28',
  firstName: 'Nina',
  lastName: 'Nieuwkomer',
  email: 'nina.nieuwkomer@example.be',
};

let portal: Portal;
let browser: Browser;

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

async function loggedInFor(person: string, prefix: string, key: string): Promise<Page> {
  const context = await newContext(browser);
  const page = await context.newPage();
  await logIn(page, portal.url, person, { prefix, key });
  await page.getByRole('button', { name: ORGANISATION }).click();
  await expectH1(page, ORGANISATION);
  return page;
}

describe('the pages of the local administrator and of the CSV upload', () => {
  it('gebruikersbeheer: add a user (with a mistake first), grant and revoke the right, refuse a request, the logbook', async () => {
    const page = await loggedInFor('An Beheerder', 'b1', 'itsme');
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Gebruikersbeheer' }).click();
    await expectH1(page, 'Gebruikersbeheer');

    await page.getByRole('link', { name: 'Gebruiker toevoegen' }).click();
    await expectH1(page, 'Gebruiker toevoegen');
    await checkPage(page, 'b1-gebruiker-toevoegen');
    await page.getByLabel('INSZ-nummer (rijksregisternummer)').fill('85.07.30-033.29'); // wrong check digits
    await page.getByRole('button', { name: 'Gebruiker toevoegen' }).click();
    const problems = await expectErrorSummaryFocused(page, 'b1-gebruiker-toevoegen-fout');
    expect(problems.length).toBeGreaterThanOrEqual(3); // the INSZ, and the names that are missing
    await checkPage(page, 'b1-gebruiker-toevoegen-fout');
    await page.getByLabel('INSZ-nummer (rijksregisternummer)').fill(NEWCOMER.insz);
    await page.getByLabel('Voornaam').fill(NEWCOMER.firstName);
    await page.getByLabel('Achternaam').fill(NEWCOMER.lastName);
    await page.getByLabel('E-mailadres').fill(NEWCOMER.email);
    await page.getByRole('button', { name: 'Gebruiker toevoegen' }).click();
    await expectH1(page, `${NEWCOMER.firstName} ${NEWCOMER.lastName}`);
    await checkPage(page, 'b1-gebruiker');

    await page.getByLabel('Geldig tot en met').fill('31/02/2030');
    await page.getByRole('button', { name: 'Recht toekennen' }).click();
    await expectErrorSummaryFocused(page, 'b1-gebruiker-recht-fout');
    await checkPage(page, 'b1-gebruiker-recht-fout');
    await page.getByLabel('Geldig tot en met').fill('');
    await page.getByRole('button', { name: 'Recht toekennen' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/toegekend/i);
    await checkPage(page, 'b1-gebruiker-recht-toegekend');
    await page.getByRole('button', { name: /^Intrekken/ }).click();
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/ingetrokken/i);
    await checkPage(page, 'b1-gebruiker-recht-ingetrokken');

    await page.getByRole('link', { name: 'Terug naar gebruikersbeheer' }).click();
    await page.getByRole('link', { name: 'Logboek van gebruikersbeheer' }).click();
    await expectH1(page, 'Logboek van gebruikersbeheer');
    await expect(page.locator('main').innerText()).resolves.toMatch(/Gebruikersrecht ingetrokken/);
    await checkPage(page, 'b1-logboek');
    await page.context().close();
  });

  it('a right request withdrawn and asked again, then refused: the reason is required, and the requester sees it', async () => {
    const eva = await loggedInFor('Eva Werknemer', 'b2', 'Beveiligingscode via sms');
    await eva.getByRole('link', { name: 'Aanvraag', exact: true }).click();
    await eva.getByRole('button', { name: 'Gebruikersrecht aanvragen' }).click();
    await expectH1(eva, 'Uw aanvraag voor een gebruikersrecht is verstuurd');
    // Withdrawn at once (asked by mistake), then asked again.
    await eva.getByRole('link', { name: 'Naar de startpagina' }).click();
    await eva.getByRole('link', { name: 'Aanvraag', exact: true }).click();
    await expectH1(eva, 'Aanvraag');
    await checkPage(eva, 'b2-aanvraag-wacht');
    await eva.getByRole('button', { name: 'Aanvraag intrekken' }).click();
    await expect(eva.getByRole('status').innerText()).resolves.toMatch(/U hebt uw aanvraag van .* ingetrokken op/);
    await checkPage(eva, 'b2-aanvraag-ingetrokken');
    await eva.getByRole('button', { name: 'Gebruikersrecht aanvragen' }).click();
    await expectH1(eva, 'Uw aanvraag voor een gebruikersrecht is verstuurd');

    const an = await loggedInFor('An Beheerder', 'b3', 'eID met kaartlezer');
    await an.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Gebruikersbeheer' }).click();
    await an.getByRole('link', { name: 'Toekennen of weigeren voor Eva Werknemer' }).click();
    await expectH1(an, 'Aanvraag gebruikersrecht van Eva Werknemer');
    await an.getByRole('button', { name: 'Weigeren' }).click();
    await expect(expectErrorSummaryFocused(an, 'b3-weigeren-fout')).resolves.toHaveLength(1);
    await checkPage(an, 'b3-weigeren-fout');
    await an.getByLabel('Reden van de weigering').fill('U werkt niet voor de opleidingen van de werf.');
    await an.getByRole('button', { name: 'Weigeren' }).click();
    await expect(an.getByRole('status').innerText()).resolves.toMatch(/geweigerd/i);
    await checkPage(an, 'b3-geweigerd');

    await eva.getByRole('link', { name: 'Naar de startpagina' }).click();
    await eva.getByRole('link', { name: 'Aanvraag', exact: true }).click();
    await expectH1(eva, 'Aanvraag');
    await expect(eva.locator('main').innerText()).resolves.toMatch(
      /werd geweigerd op[\s\S]*Reden: U werkt niet voor de opleidingen van de werf\./,
    );
    await checkPage(eva, 'b2-aanvraag-geweigerd');
    await Promise.all([eva.context().close(), an.context().close()]);
  });

  it('CSV upload: the start page, a file refused, and the preview of a file with a valid and an invalid row', async () => {
    const page = await loggedInFor('Jan Werkgever', 'b4', 'itsme');
    await page.getByRole('link', { name: 'Aanvraag', exact: true }).click();
    await page.getByRole('link', { name: 'Meerdere aanvragen via CSV-bestand' }).click();
    await expectH1(page, 'Meerdere aanvragen via CSV-bestand');
    await checkPage(page, 'b4-csv-start');

    await page.getByRole('button', { name: 'Bestand controleren' }).click();
    await expectErrorSummaryFocused(page, 'b4-csv-geen-bestand');
    await checkPage(page, 'b4-csv-geen-bestand');

    const dates = { startDate: dateFromToday(-21), endDate: dateFromToday(180) };
    const file = csvFile([
      validRow(dates),
      validRow({ ...dates, insz: '85.07.30-033.29', lastName: 'Janssens', odbNumber: '777' }),
    ]);
    await page
      .getByLabel('CSV-bestand met uw aanvragen')
      .setInputFiles({ name: 'aanvragen.csv', mimeType: 'text/csv', buffer: file });
    await page.getByRole('button', { name: 'Bestand controleren' }).click();
    await expectH1(page, 'Controleer de aanvragen uit uw bestand');
    const main = await page.locator('main').innerText();
    expect(main).toMatch(/2 aanvragen in het bestand\s+1 in orde: die kunt u nu indienen;\s+1 met fouten/);
    expect(main).toContain('INSZ');
    await checkPage(page, 'b4-csv-voorbeeld');
    await page.context().close();
  });
});
