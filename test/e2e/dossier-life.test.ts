import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createApiClient } from '../../src/api/clients.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.js';
import {
  checkPage,
  clickOrganisation,
  dateFromToday,
  expectErrorSummaryFocused,
  expectH1,
  launchBrowser,
  linkInMail,
  logIn,
  newContext,
  SCREENSHOT_DIR,
  startPortal,
  type Portal,
} from './harness.js';

/*
 * The dossier's life after Bevestigen in a real browser against a real portal process: a decision arrives from
 * the back office through the API, the employer sees it in Mijn dossiers and on the dossier page, and the mail
 * arrives over SMTP; the employer answers a question, reports a stop and withdraws a request. Every page passes
 * axe, has one h1 and a title of its own, and is photographed. The demo data has a dossier in every status.
 */

const ORGANISATION = 'Bouwbedrijf De Meeuw NV';
/** The demo dossiers' contact person (src/decisions/demo-seed.ts): Jan himself. */
const CONTACT = 'jan.werkgever@demeeuw.example';
const PDF_FILE = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

let portal: Portal;
let smtp: SmtpCapture;
let browser: Browser;
let token: string;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  [portal, browser] = await Promise.all([startPortal({ SMTP_URL: smtp.url }), launchBrowser()]);
  token = (await createApiClient(portal.database.db, 'backoffice e2e', ['read', 'decide'])).token;
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await smtp?.stop();
});

/** The demo dossier of the employee with this last name. */
async function dossierOf(lastName: string): Promise<{ dossiernummer: string; version: number }> {
  return portal.database.db('dossier').where({ employee_last_name: lastName }).first('dossiernummer', 'version');
}

async function decide(lastName: string, body: object): Promise<void> {
  const { dossiernummer, version } = await dossierOf(lastName);
  const res = await fetch(`${portal.url}/api/v1/dossiers/${dossiernummer}/beslissingen`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': `e2e-${dossiernummer}-${version}`,
    },
    body: JSON.stringify({ versie: version, ...body }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function janInMijnDossiers(prefix: string): Promise<Page> {
  const context = await newContext(browser);
  const page = await context.newPage();
  onTestFailed(async () => {
    console.error(`journey stopped on ${page.url()}; see screenshots/failed.png`);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'failed.png'), fullPage: true }).catch(() => {});
  });
  await logIn(page, portal.url, 'Jan Werkgever', { prefix, key: 'itsme' });
  await clickOrganisation(page, ORGANISATION);
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Mijn dossiers' }).click();
  await expectH1(page, 'Mijn dossiers');
  return page;
}

const rowOf = (page: Page, dossiernummer: string) =>
  page.getByRole('row').filter({ has: page.getByRole('link', { name: dossiernummer }) });

describe('the dossier after Bevestigen', () => {
  it('a decision arrives: the employer sees it in Mijn dossiers and on the dossier page, and the mail arrives', async () => {
    const page = await janInMijnDossiers('l1');
    await checkPage(page, 'l1-mijn-dossiers-alle-statussen');
    const bert = await dossierOf('Behandeling');
    await expect(rowOf(page, bert.dossiernummer).innerText()).resolves.toMatch(/In behandeling/);

    await decide('Behandeling', { beslissing: 'goedgekeurd', uren: 36 });
    await page.reload();
    await expect(rowOf(page, bert.dossiernummer).innerText()).resolves.toMatch(
      /Goedgekeurd[\s\S]*sinds[\s\S]*€ 536,76/,
    );
    await page.getByLabel('Status').selectOption('goedgekeurd');
    await page.getByRole('button', { name: 'Toon' }).click();
    await expect(page.getByRole('status').first().innerText()).resolves.toMatch(/dossiers gevonden/);
    await checkPage(page, 'l1-mijn-dossiers-goedgekeurd');

    const mail = await smtp.waitFor(
      (m) => m.to.includes(CONTACT) && m.subject === `Dossier ${bert.dossiernummer}: goedgekeurd`,
      15_000,
    );
    expect(mail.text).toContain('Goedgekeurd bedrag: € 536,76.');
    await smtp.waitFor(
      (m) =>
        m.to.includes('bert.behandeling@demeeuw.example') && m.subject === `Dossier ${bert.dossiernummer}: goedgekeurd`,
      15_000,
    );
    await page.goto(linkInMail(mail, portal.url, `/mijn-dossiers/${bert.dossiernummer}`));
    await expectH1(page, 'Ontvangstbevestiging');
    await expect(page.locator('.timeline').innerText()).resolves.toMatch(
      /^Goedgekeurd[\s\S]*Departement Werk en Sociale Economie[\s\S]*Aanvraag ingediend/,
    );
    await checkPage(page, 'l1-dossier-goedgekeurd');
    await page.context().close();
  });

  it('the employer answers a question, reports a stop and withdraws a request; a withdrawn request can not be withdrawn again', async () => {
    const page = await janInMijnDossiers('l2');
    const ann = await dossierOf('Aanvulling');
    await page.getByRole('link', { name: ann.dossiernummer }).click();
    await expectH1(page, 'Ontvangstbevestiging');
    await checkPage(page, 'l2-dossier-aanvulling-gevraagd');
    await page.getByRole('link', { name: 'Vraag beantwoorden' }).click();
    await expectH1(page, 'Aanvulling bezorgen');
    await checkPage(page, 'l2-aanvulling');
    await page.getByRole('button', { name: 'Antwoord versturen' }).click();
    await expect(expectErrorSummaryFocused(page, 'l2-aanvulling-fout')).resolves.toEqual(['Vul uw antwoord in.']);
    await checkPage(page, 'l2-aanvulling-fout');
    await page.getByRole('textbox', { name: 'Uw antwoord' }).fill('Het attest zit in bijlage.');
    await page
      .getByLabel('Bijlage')
      .setInputFiles({ name: 'attest.pdf', mimeType: 'application/pdf', buffer: PDF_FILE });
    await page.getByRole('button', { name: 'Antwoord versturen' }).click();
    await expectH1(page, 'Ontvangstbevestiging');
    await expect(page.getByRole('status').first().innerText()).resolves.toMatch(/Uw antwoord is bezorgd/);
    await checkPage(page, 'l2-dossier-antwoord-bezorgd');

    const gert = await dossierOf('Goedgekeurd');
    await page.goto(`${portal.url}/mijn-dossiers/${gert.dossiernummer}`);
    await page.getByRole('link', { name: 'Stopzetting melden' }).click();
    await expectH1(page, 'Stopzetting melden');
    await checkPage(page, 'l2-stopzetting');
    await page.getByLabel('Op welke datum stopte de werknemer de opleiding?').fill(dateFromToday(5));
    await page.getByRole('button', { name: 'Stopzetting melden' }).click();
    await expectErrorSummaryFocused(page, 'l2-stopzetting-fout');
    await checkPage(page, 'l2-stopzetting-fout');
    await page.getByLabel('Op welke datum stopte de werknemer de opleiding?').fill(dateFromToday(0));
    await page.getByRole('button', { name: 'Stopzetting melden' }).click();
    await expect(page.locator('main').innerText()).resolves.toMatch(/Stopgezet sinds/);

    const ilse = await dossierOf('Ingediend');
    await page.goto(`${portal.url}/mijn-dossiers/${ilse.dossiernummer}`);
    await page.getByRole('link', { name: 'Aanvraag annuleren' }).click();
    await expectH1(page, 'Aanvraag annuleren');
    await checkPage(page, 'l2-annuleren');
    await page.getByRole('button', { name: 'Doorgaan' }).click();
    await expect(expectErrorSummaryFocused(page, 'l2-annuleren-fout')).resolves.toEqual([
      'Vul de reden van de annulering in.',
    ]);
    await checkPage(page, 'l2-annuleren-fout');
    await page.getByLabel('Waarom annuleert u de aanvraag?').fill('De werknemer volgt de opleiding niet.');
    await page.getByRole('button', { name: 'Doorgaan' }).click();
    await expectH1(page, 'Wilt u de aanvraag echt annuleren?');
    await checkPage(page, 'l2-annuleren-bevestigen');
    await page.getByRole('button', { name: 'Ja, annuleer de aanvraag' }).click();
    await expectH1(page, 'Ontvangstbevestiging');
    await expect(page.getByRole('status').first().innerText()).resolves.toMatch(/De aanvraag is geannuleerd/);
    await checkPage(page, 'l2-dossier-geannuleerd');
    await smtp.waitFor(
      (m) =>
        m.to.includes('ilse.ingediend@demeeuw.example') &&
        m.subject === `Dossier ${ilse.dossiernummer}: aanvraag geannuleerd`,
      15_000,
    );

    // The browser's back button and a bookmark: the status no longer allows it, said in plain Dutch.
    await page.goto(`${portal.url}/mijn-dossiers/${ilse.dossiernummer}/annuleren`);
    await expectH1(page, `Dit kan niet meer voor dossier ${ilse.dossiernummer}`);
    await checkPage(page, 'l2-annuleren-kan-niet-meer');
    await page.context().close();
  });
});
