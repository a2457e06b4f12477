/// <reference lib="dom" />
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../helpers/smtp.js';
import { pdfText } from '../helpers/pdf.js';
import {
  checkPage,
  clickOrganisation,
  dateFromToday,
  expectErrorSummaryFocused,
  expectH1,
  expectStepIndicator,
  focusIndicator,
  launchBrowser,
  linkInMail,
  logIn,
  newContext,
  SCREENSHOT_DIR,
  startPortal,
  tabTo,
  type Portal,
} from './harness.js';

/*
 * The whole story in a real browser, against a real portal process, real PostgreSQL and a real SMTP server:
 * every page visited passes axe (WCAG 2.0/2.1 A + AA), has one h1 and a title of its own, and is photographed
 * at desktop and phone width (screenshots/). Journeys 1–3 follow one another (Eva asks for the right, An
 * grants it, Eva files a request); 4 and 5 stand alone. Each journey starts from a clean browser context.
 */

const ORGANISATION = 'Bouwbedrijf De Meeuw NV';
const EMAIL = { an: 'an.beheerder@demeeuw.example', eva: 'eva.werknemer@demeeuw.example' };
/** Employees of the two refund requests (valid INSZ numbers, born 1980 and 1992). */
const KOBE = { insz: '80.05.12-123.68', firstName: 'Kobe', lastName: 'Leerling', email: 'kobe.leerling@example.be' };
const LOTTE = { insz: '92.03.04-056.31', firstName: 'Lotte', lastName: 'Student', email: 'lotte.student@example.be' };
/** A minimal real PDF: the upload check reads its "%PDF-" signature. */
const PDF_FILE = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

let portal: Portal;
let smtp: SmtpCapture;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  await rm(join(SCREENSHOT_DIR, 'failed.png'), { force: true });
  smtp = await startSmtpCapture();
  [portal, browser] = await Promise.all([startPortal({ SMTP_URL: smtp.url }), launchBrowser()]);
});

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => {})));
  await browser?.close();
  await portal?.stop();
  await smtp?.stop();
});

/** A clean browser context (no cookies, nothing cached): a person who just opened the browser. */
async function freshPage(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await newContext(browser, options);
  contexts.push(context);
  const page = await context.newPage();
  // A failing journey says where the browser was, and leaves a picture of it.
  onTestFailed(async () => {
    const h1Text = await page
      .locator('h1')
      .first()
      .innerText({ timeout: 1000 })
      .catch(() => '?');
    console.error(
      `journey stopped on ${page.url()} (h1 "${h1Text}", title "${await page.title().catch(() => '?')}"); see screenshots/failed.png`,
    );
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'failed.png'), fullPage: true }).catch(() => {});
  });
  return page;
}

/** Whether the element has the keyboard focus (vitest has no Playwright matchers). */
const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);
const mailTo = (address: string, subject: RegExp) => (m: CapturedMail) =>
  m.to.includes(address) && subject.test(m.subject);

/** Organisatie kiezen: one click on the organisation, onto its home page. */
async function chooseOrganisation(page: Page, prefix: string): Promise<void> {
  await expectH1(page, 'Kies voor wie u werkt');
  await checkPage(page, `${prefix}-organisatie-kiezen`);
  await clickOrganisation(page, ORGANISATION);
  await checkPage(page, `${prefix}-startpagina`);
}

/** Home → Aanvraag → Aanvragen: onto step 1 of a new refund request. */
async function startRefundRequest(page: Page, prefix: string): Promise<void> {
  await page.getByRole('link', { name: 'Aanvraag', exact: true }).click();
  await expectH1(page, 'Aanvraag');
  await checkPage(page, `${prefix}-aanvraag`);
  await page.getByRole('link', { name: 'Aanvragen', exact: true }).click();
  await expectStepIndicator(page, 1, 'Werkgever');
  await checkPage(page, `${prefix}-stap-1-werkgever`);
}

/** Volgende on a step that is filled in correctly: the next step opens, without errors. */
async function next(page: Page, step: number, title: string, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Volgende' }).click();
  await expectStepIndicator(page, step, title);
  expect(await page.locator('.error-summary').count()).toBe(0);
  await checkPage(page, name);
}

async function fillWerkgever(page: Page): Promise<void> {
  // The only establishment unit is chosen already and the contact person is the user: phone and account remain.
  await expect(page.getByRole('radio', { name: /Bouwbedrijf De Meeuw – werf Oostende/ }).isChecked()).resolves.toBe(
    true,
  );
  await page.getByLabel('Telefoonnummer').fill('059 12 34 56');
  await page.getByLabel('Rekeningnummer (IBAN)').fill('BE68 5390 0754 7034');
}

async function fillWerknemer(page: Page, p: typeof KOBE): Promise<void> {
  await page.getByLabel('INSZ-nummer').fill(p.insz);
  await page.getByLabel('Voornaam').fill(p.firstName);
  await page.getByLabel('Achternaam').fill(p.lastName);
  await page.getByLabel('E-mailadres van de werknemer').fill(p.email);
  await page.getByLabel('Tewerkstellingspercentage in de referentiemaand (%)').fill('100');
  await page.getByLabel('Gemiddeld aantal arbeidsuren per week').fill('38');
  await page.getByRole('radio', { name: 'Vast uurrooster' }).check();
  await page.getByRole('radio', { name: 'Nee', exact: true }).check();
}

async function fillOpleiding(page: Page, training: { odb: string; name: string }): Promise<void> {
  await page.getByRole('radio', { name: 'ODB-opleiding (opleidingsdatabank)' }).check();
  await page.getByLabel('ODB-nummer', { exact: true }).fill(training.odb);
  await page.getByLabel('Naam van de opleiding of het examen', { exact: true }).fill(training.name);
  await page.getByLabel('Naam van de opleidingsverstrekker', { exact: true }).fill('Syntra West');
  await page.getByLabel('KBO-nummer of instellingsnummer van de opleidingsverstrekker').fill('0403.170.701');
  // Inside the submission window: started three weeks ago, ends in half a year.
  await page.getByLabel('Startdatum', { exact: true }).fill(dateFromToday(-21));
  await page.getByLabel('Einddatum', { exact: true }).fill(dateFromToday(180));
  await page.getByRole('radio', { name: 'Contacturen' }).check();
  await page.getByLabel('Aantal contacturen, studiepunten of lestijden').fill('40');
}

describe('journey 4: the person with only their own name', () => {
  it('is told to contact the lokale beheerder, or to call 1700 and ask for gebruikersbeheer', async () => {
    const page = await freshPage();
    await logIn(page, portal.url, 'Piet Zondermeer', { prefix: 'j4', key: 'Beveiligingscode via sms' });
    await expectH1(page, 'Kies voor wie u werkt');
    const guidance = page.locator('.notice', {
      has: page.getByRole('heading', { name: 'U kunt alleen in eigen naam werken' }),
    });
    await expect(guidance.innerText()).resolves.toMatch(/lokale beheerder[\s\S]*1700[\s\S]*gebruikersbeheer/);
    await expect(guidance.getByRole('link', { name: '1700' }).getAttribute('href')).resolves.toBe('tel:1700');
    // The own name is the only choice: one button, explained.
    expect(await page.getByRole('button', { name: /KBO-nummer/ }).count()).toBe(0);
    await checkPage(page, 'j4-organisatie-kiezen');

    await page.getByRole('button', { name: 'Piet Zondermeer (in eigen naam)' }).click();
    await expectH1(page, 'U werkt in eigen naam');
    await expect(page.locator('main').innerText()).resolves.toMatch(/lokale beheerder[\s\S]*1700/);
    // Nothing to ask for in one's own name: no Aanvraag button in the menu.
    expect(await page.getByRole('link', { name: 'Aanvraag', exact: true }).count()).toBe(0);
    await checkPage(page, 'j4-eigen-naam');
  });
});

describe('journeys 1–3: Eva asks for the right, An grants it, Eva files a refund request', () => {
  let requestMail: CapturedMail;

  it('journey 1: the employee asks for the user right', async () => {
    const page = await freshPage();
    await logIn(page, portal.url, 'Eva Werknemer', { prefix: 'j1', tryWithoutChoosing: true });

    // One button per organisation, keyboard first: Tab reaches it, Enter chooses it. The own name is apart, explained.
    await expectH1(page, 'Kies voor wie u werkt');
    const ownName = page.getByRole('button', { name: 'Eva Werknemer (in eigen naam)' });
    await expect(
      ownName.getAttribute('aria-describedby').then((id) => page.locator(`#${id}`).innerText()),
    ).resolves.toMatch(/natuurlijke persoon.*kan zo niet/);
    await expect(
      page.getByRole('list', { name: 'Voor een organisatie' }).getByRole('button').allInnerTexts(),
    ).resolves.toEqual([expect.stringMatching(new RegExp(`^${ORGANISATION}\\s+KBO-nummer \\d{4}\\.\\d{3}\\.\\d{3}$`))]);
    await checkPage(page, 'j1-organisatie-kiezen');
    await page.locator('body').focus();
    await tabTo(page, '.org-choice__button');
    const f = await focusIndicator(page);
    expect(f.visible, `visible focus on the organisation (outline ${f.outline})`).toBe(true);
    const home = page.waitForURL((u) => u.pathname === '/');
    await page.keyboard.press('Enter');
    await home;
    await expectH1(page, ORGANISATION);
    await checkPage(page, 'j1-startpagina');

    await page.getByRole('link', { name: 'Aanvraag', exact: true }).click();
    await expectH1(page, 'Aanvraag');
    expect(await page.getByRole('link', { name: 'Aanvragen', exact: true }).count()).toBe(0);
    await checkPage(page, 'j1-aanvraag-zonder-recht');

    await page.getByRole('button', { name: 'Gebruikersrecht aanvragen' }).click();
    await expectH1(page, 'Uw aanvraag voor een gebruikersrecht is verstuurd');
    await expect(page.locator('main').innerText()).resolves.toContain(
      'De lokale beheerders van Bouwbedrijf De Meeuw NV hebben een e-mail gekregen',
    );
    await checkPage(page, 'j1-gebruikersrecht-aangevraagd');

    // The local administrator's mail went out over SMTP.
    requestMail = await smtp.waitFor(mailTo(EMAIL.an, /gebruikersrecht/i), 15_000);
    expect(requestMail.text).toContain('Eva Werknemer');
  });

  it('journey 2: the local administrator grants it from the link in the e-mail', async () => {
    const link = linkInMail(requestMail, portal.url, '/gebruikersbeheer/aanvragen/');
    const page = await freshPage();
    await logIn(page, portal.url, 'An Beheerder', { prefix: 'j2', key: 'eID met kaartlezer' });
    await chooseOrganisation(page, 'j2');
    await expect(page.locator('main').innerText()).resolves.toContain('Er wacht 1 aanvraag');

    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Gebruikersbeheer' }).click();
    await expectH1(page, 'Gebruikersbeheer');
    await expect(
      page.getByRole('table', { name: 'Aanvragen voor een gebruikersrecht' }).innerText(),
    ).resolves.toContain('Eva Werknemer');
    await checkPage(page, 'j2-gebruikersbeheer');

    await page.goto(link);
    await expectH1(page, 'Aanvraag gebruikersrecht van Eva Werknemer');
    await checkPage(page, 'j2-aanvraag-eva');

    // A date that does not exist first: the error state of the decision page.
    await page.getByLabel('Geldig tot en met').fill('31/02/2027');
    await page.getByRole('button', { name: 'Toekennen' }).click();
    await expectErrorSummaryFocused(page, 'j2-aanvraag-eva-fout');
    await checkPage(page, 'j2-aanvraag-eva-fout');
    await page.getByLabel('Geldig tot en met').fill('');
    await page.getByRole('button', { name: 'Toekennen' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/toegekend/i);
    await checkPage(page, 'j2-toegekend');

    const granted = await smtp.waitFor(mailTo(EMAIL.eva, /toegekend/i), 15_000);
    expect(granted.text).toContain('Aanvraag');
  });

  let dossiernummer = '';

  it('journey 3: the employee files a refund request, downloads the receipt and finds the dossier', async () => {
    expect(smtp.messages.some(mailTo(EMAIL.eva, /toegekend/i)), 'Eva received the grant').toBe(true);
    const page = await freshPage();
    await logIn(page, portal.url, 'Eva Werknemer', { prefix: 'j3', key: 'Beveiligingscode via mobiele app' });
    await chooseOrganisation(page, 'j3');
    await startRefundRequest(page, 'j3');

    await fillWerkgever(page);
    await next(page, 2, 'Werknemer', 'j3-stap-2-werknemer');

    // Step 2 with mistakes first: a wrong INSZ number and no employment percentage.
    await fillWerknemer(page, KOBE);
    await page.getByLabel('INSZ-nummer').fill('80.05.12-123.69');
    await page.getByLabel('Tewerkstellingspercentage in de referentiemaand (%)').fill('');
    await page.getByRole('button', { name: 'Volgende' }).click();
    const problems = await expectErrorSummaryFocused(page, 'j3-stap-2-werknemer-fout');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/INSZ-nummer klopt niet/);
    await expectStepIndicator(page, 2, 'Werknemer');
    await checkPage(page, 'j3-stap-2-werknemer-fout');
    // The summary's link leads to the field; what was typed is still there.
    await page.locator('.error-summary').getByRole('link', { name: problems[0] }).click();
    await expect(page.evaluate(() => location.hash)).resolves.toBe('#insz');
    await expect(page.getByLabel('Voornaam').inputValue()).resolves.toBe(KOBE.firstName);
    await page.getByLabel('INSZ-nummer').fill(KOBE.insz);
    await page.getByLabel('Tewerkstellingspercentage in de referentiemaand (%)').fill('100');
    await next(page, 3, 'Opleiding', 'j3-stap-3-opleiding');

    await fillOpleiding(page, { odb: '12345', name: 'Veiligheidscoördinator niveau A' });
    await next(page, 4, 'Initiatief en akkoord', 'j3-stap-4-initiatief');

    await page.getByRole('radio', { name: 'Werkgever', exact: true }).check();
    await page.getByRole('checkbox', { name: 'De werknemer gaat akkoord met deze aanvraag.' }).check();
    await next(page, 5, 'Bijlagen', 'j3-stap-5-bijlagen');

    await page
      .getByLabel('Inschrijvingsattest')
      .setInputFiles({ name: 'inschrijvingsattest.pdf', mimeType: 'application/pdf', buffer: PDF_FILE });
    await page.getByRole('button', { name: 'Bestand toevoegen' }).click();
    await expect(page.getByRole('table', { name: 'Toegevoegde bijlagen' }).innerText()).resolves.toContain(
      'inschrijvingsattest.pdf',
    );
    await checkPage(page, 'j3-stap-5-bijlagen-toegevoegd');
    await next(page, 6, 'Overzicht', 'j3-stap-6-overzicht');
    await expect(page.locator('main').innerText()).resolves.toContain('38 uur');

    // Wijzigen: back to step 2, change the weekly hours, and Volgende returns to the overview.
    await page.getByRole('link', { name: 'Wijzigen werknemer: gemiddeld aantal uren per week' }).click();
    await expectStepIndicator(page, 2, 'Werknemer');
    await expect(page.getByLabel('Gemiddeld aantal arbeidsuren per week').inputValue()).resolves.toBe('38');
    await checkPage(page, 'j3-stap-2-wijzigen');
    await page.getByLabel('Gemiddeld aantal arbeidsuren per week').fill('36');
    await page.getByRole('button', { name: 'Volgende' }).click();
    await expectStepIndicator(page, 6, 'Overzicht');
    await expect(page.locator('main').innerText()).resolves.toContain('36 uur');
    await checkPage(page, 'j3-stap-6-overzicht-gewijzigd');

    await page.getByRole('checkbox', { name: /Ik verklaar op eer/ }).check();
    await page.getByRole('button', { name: 'Bevestigen' }).click();
    await expectH1(page, 'Ontvangstbevestiging');
    dossiernummer = (await page.locator('.panel__number').innerText()).trim();
    expect(dossiernummer).toMatch(/^VOV-\d{4}-\d{6}$/);
    await checkPage(page, 'j3-ontvangstbevestiging');

    // The PDF: a real PDF file that names the dossier.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download als PDF' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`ontvangstbevestiging-${dossiernummer}.pdf`);
    const pdf = await readFile((await download.path())!);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await pdfText(pdf)).toContain(dossiernummer);

    // Both the employer's contact person and the employee get the ontvangstbevestiging.
    await smtp.waitFor((m) => m.to.includes(EMAIL.eva) && m.text.includes(dossiernummer), 15_000);
    await smtp.waitFor((m) => m.to.includes(KOBE.email) && m.text.includes(dossiernummer), 15_000);

    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Mijn dossiers' }).click();
    await expectH1(page, 'Mijn dossiers');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: dossiernummer }) });
    await expect(row.innerText()).resolves.toMatch(
      /Kobe Leerling[\s\S]*Veiligheidscoördinator niveau A[\s\S]*Ingediend/i,
    );
    await checkPage(page, 'j3-mijn-dossiers');
  });
});

describe('journey 5: the refund request without JavaScript, one step with the keyboard only', () => {
  it('works with JavaScript disabled, and step 4 is done with Tab, Space and Enter with the focus visible', async () => {
    const page = await freshPage({ javaScriptEnabled: false });
    await logIn(page, portal.url, 'Jan Werkgever', {
      prefix: 'j5',
      key: 'Europees erkend inlogmiddel (eIDAS)',
      javaScript: false,
    });
    await chooseOrganisation(page, 'j5');
    await startRefundRequest(page, 'j5');

    // No redundant entry (WCAG 3.3.7): Eva's request of journey 3 gave the unit and the account; Jan is the contact.
    await expect(page.getByLabel('Rekeningnummer (IBAN)').inputValue()).resolves.toBe('BE68 5390 0754 7034');
    await expect(page.locator('#contactName').inputValue()).resolves.toBe('Jan Werkgever');
    await expect(page.getByText('komen uit de vorige aanvraag van uw organisatie').count()).resolves.toBe(1);
    await fillWerkgever(page);
    await next(page, 2, 'Werknemer', 'j5-stap-2-werknemer');
    await fillWerknemer(page, LOTTE);
    await next(page, 3, 'Opleiding', 'j5-stap-3-opleiding');
    await fillOpleiding(page, { odb: '67890', name: 'Heftruckchauffeur' });
    await next(page, 4, 'Initiatief en akkoord', 'j5-stap-4-initiatief');

    // Keyboard only: Tab to the first choice, Space to choose it, Tab to the agreement, Space, Tab to Volgende, Enter.
    const focusSeen: string[] = [];
    const expectFocusVisible = async () => {
      const f = await focusIndicator(page);
      expect(f.visible, `visible focus on ${f.element} (outline ${f.outline}; box-shadow ${f.boxShadow})`).toBe(true);
      focusSeen.push(f.element);
    };
    await page.locator('body').focus();
    await tabTo(page, 'input[name="initiative"]');
    await expectFocusVisible();
    expect(await isFocused(page.getByRole('radio', { name: 'Werknemer', exact: true }))).toBe(true);
    await page.keyboard.press('Space');
    await expect(page.getByRole('radio', { name: 'Werknemer', exact: true }).isChecked()).resolves.toBe(true);
    await page.keyboard.press('Tab');
    expect(await isFocused(page.getByRole('checkbox', { name: 'De werknemer gaat akkoord met deze aanvraag.' }))).toBe(
      true,
    );
    await expectFocusVisible();
    await page.keyboard.press('Space');
    await expect(
      page.getByRole('checkbox', { name: 'De werknemer gaat akkoord met deze aanvraag.' }).isChecked(),
    ).resolves.toBe(true);
    await page.keyboard.press('Tab');
    expect(await isFocused(page.getByRole('button', { name: 'Volgende' }))).toBe(true);
    await expectFocusVisible();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'j5-stap-4-toetsenbord-focus.png') });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/bijlagen$/);
    await expectStepIndicator(page, 5, 'Bijlagen');
    await checkPage(page, 'j5-stap-5-bijlagen');
    expect(focusSeen).toEqual([
      'input#initiative[name=initiative]',
      'input#employeeAgreement[name=employeeAgreement]',
      'button[name=actie]',
    ]);

    await next(page, 6, 'Overzicht', 'j5-stap-6-overzicht');
    // Bevestigen without the declaration: the overview's error state.
    await page.getByRole('button', { name: 'Bevestigen' }).click();
    await expectErrorSummaryFocused(page, 'j5-stap-6-overzicht-fout');
    await expectStepIndicator(page, 6, 'Overzicht');
    await checkPage(page, 'j5-stap-6-overzicht-fout');
    await page.getByRole('checkbox', { name: /Ik verklaar op eer/ }).check();
    await page.getByRole('button', { name: 'Bevestigen' }).click();
    await expectH1(page, 'Ontvangstbevestiging');
    const nummer = (await page.locator('.panel__number').innerText()).trim();
    await checkPage(page, 'j5-ontvangstbevestiging');

    await page.getByRole('link', { name: 'Naar Mijn dossiers' }).click();
    await expectH1(page, 'Mijn dossiers');
    expect(await page.getByRole('link', { name: nummer }).count()).toBe(1);
    await checkPage(page, 'j5-mijn-dossiers');
  });
});
