import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { createMailWorker } from '../../src/mail/worker.js';
import { paths } from '../../src/paths.js';
import { csrfTokenFrom, TEST_PUBLIC_URL, type TestApp } from '../helpers/app.js';
import { memberLoggedIn } from '../helpers/fixture.js';
import type { Agent } from '../helpers/login.js';
import { page, type Page } from '../helpers/page.js';
import { pdfText } from '../helpers/pdf.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.js';
import { completeDraft, people, postForm, submitDraft, validInput, type TestOrganisation } from './fixtures.js';

/** A minimal but real PDF: what the upload check reads is the "%PDF-" signature. */
const PDF_FILE = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

let t: TestApp;
let org: TestOrganisation;
let agent: Agent;

/** Adds the inschrijvingsattest on step 5 of a draft, as a multipart upload. */
async function attachPdf(draftUrl: string) {
  const form = await agent.get(`${draftUrl}/bijlagen`).expect(200);
  return agent
    .post(`${draftUrl}/bijlagen`)
    .field('_csrf', csrfTokenFrom(form.text))
    .field('actie', 'toevoegen')
    .attach('inschrijvingsattest', PDF_FILE, {
      filename: 'C:\\Users\\jan\\attest.pdf',
      contentType: 'application/pdf',
    });
}

/** A draft filled up to the overview (steps 1–5, with the attest), for Eva-Marie Werknemer. */
async function draftAtOverview(): Promise<string> {
  const draftUrl = await completeDraft(agent, org.unitId, { werknemer: { firstName: 'Eva-Marie' } });
  expect((await attachPdf(draftUrl)).status).toBe(303);
  return draftUrl;
}

const draftIdOf = (draftUrl: string) => Number(draftUrl.split('/').pop());

/** The summary rows of a page, each value cut to `expected`'s value when it begins with it (a hint may follow). */
const rowsStarting = (p: Page, [, start]: string[]) =>
  p.summary.map(([key, value]) => [key, value.startsWith(start) ? start : value]);

describe('the refund request from Aanvragen to Bevestigen', () => {
  beforeAll(async () => {
    ({ t, org, agent } = await memberLoggedIn());
  });
  afterAll(() => t.close());

  it('starts at the form page with the blue Aanvragen button', async () => {
    const res = await agent.get(paths.refund).expect(200);
    expect(page(res.text).link('Aanvragen')).toBe('/terugbetaling/nieuw/werkgever');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('step 1 shows the organisation read-only, the units to choose from and a prefilled contact person', async () => {
    const p = page((await agent.get(`${paths.refund}/nieuw/werkgever`).expect(200)).text);
    expect(p.title).toBe('Stap 1 van 6: Werkgever – aanvraag Vlaams opleidingsverlof – WSE-loket');
    expect(p.main).toContain('Stap 1 van 6: Werkgever');
    expect(p.main).toContain('Bouwbedrijf De Meeuw NV');
    expect(p.main).toContain('0403.170.701');
    expect(p.choices('In welke vestigingseenheid werkt de werknemer?').map((c) => c.value)).toContain(
      String(org.unitId),
    );
    expect(p.link('Vorige')).toBe('/terugbetaling');
    expect(p.value('Naam')).toBe('Jan Werkgever'); // the contact person
    expect(p.buttons).toContain('Opslaan en later verdergaan');
    expect(p.$('details summary').text()).toBe('Hulp nodig?');
    expect(p.link('Lees de uitleg bij de stap Werkgever.')).toBe('/hulp#stap-werkgever');
  });

  it('walks steps 1 to 4, each saved and followed by a 303 to the next step', async () => {
    let res = await postForm(agent, `${paths.refund}/nieuw/werkgever`, validInput.werkgever(String(org.unitId)));
    expect(res.status).toBe(303);
    const m = /^\/terugbetaling\/(\d+)\/werknemer$/.exec(res.headers.location);
    expect(m).not.toBeNull();
    const draftUrl = `${paths.refund}/${m![1]}`;

    const steps: [string, Record<string, string>, string, string][] = [
      ['werknemer', validInput.werknemer, 'Stap 2 van 6: Werknemer', 'opleiding'],
      ['opleiding', validInput.opleiding, 'Stap 3 van 6: Opleiding', 'initiatief'],
      ['initiatief', validInput.initiatief, 'Stap 4 van 6: Initiatief en akkoord', 'bijlagen'],
    ];
    for (const [slug, input, indicator, next] of steps) {
      const form = page((await agent.get(`${draftUrl}/${slug}`).expect(200)).text);
      expect(form.main).toContain(indicator);
      expect(form.link('Vorige')).toBeDefined();
      res = await agent
        .post(`${draftUrl}/${slug}`)
        .type('form')
        .send({ ...input, _csrf: form.csrf });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`${draftUrl}/${next}`);
    }
  });

  it('step 5 takes the inschrijvingsattest as a multipart upload and lists it with a remove button', async () => {
    const draftUrl = await completeDraft(agent, org.unitId);
    const form = page((await agent.get(`${draftUrl}/bijlagen`).expect(200)).text);
    expect(form.main).toContain('Stap 5 van 6: Bijlagen');
    expect(form.$('form[enctype="multipart/form-data"]').length).toBe(1);
    const res = await attachPdf(draftUrl);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${draftUrl}/bijlagen`);
    const listed = page((await agent.get(`${draftUrl}/bijlagen`).expect(200)).text);
    expect(listed.link('attest.pdf')).toMatch(/^\/terugbetaling\/\d+\/bijlagen\/\d+$/);
    expect(listed.buttons).toContain('Verwijderen attest.pdf');
    const next = await agent.post(`${draftUrl}/bijlagen`).type('form').send({ _csrf: listed.csrf, actie: 'volgende' });
    expect(next.status).toBe(303);
    expect(next.headers.location).toBe(`${draftUrl}/overzicht`);
  });

  it('the overview shows every answer with Wijzigen links and the computed school year, hours, forfait and amount', async () => {
    const draftUrl = await draftAtOverview();
    const p = page((await agent.get(`${draftUrl}/overzicht`).expect(200)).text);
    expect(p.main).toContain('Stap 6 van 6: Overzicht');
    for (const row of [
      ['Vestigingseenheid', '2.147.812.701'],
      ['Rekeningnummer', 'BE68 5390 0754 7034 (BIC GEBABEBB)'],
      ['INSZ', '85.07.30-033.28'],
      ['Soort opleiding', 'ODB-opleiding (opleidingsdatabank)'],
      ['Naam', 'Veiligheidscoördinator niveau A'],
      ['Startdatum', '01/10/2025'],
      ['Omvang', '40 contacturen'],
      ['Initiatief', 'Werkgever'],
      ['Inschrijvingsattest', 'attest.pdf'],
      ['Schooljaar', '2025-2026'],
      ['Persoonlijk maximum', '125 uur'],
      ['Uren Vlaams opleidingsverlof', '40 uur'],
      ['Bedrag per uur in dit schooljaar', '€ 14,91'],
      ['Indicatief bedrag', '€ 596,40'],
    ]) {
      expect(rowsStarting(p, row)).toContainEqual(row);
    }
    expect(p.link('Wijzigen werknemer: INSZ')).toBe(`${draftUrl}/werknemer?terug=overzicht#insz`);
    expect(p.form('Bevestigen').action).toBe(`${draftUrl}/overzicht`);
  });

  it('a Wijzigen link returns to the overview after the change', async () => {
    const draftUrl = await draftAtOverview();
    const res = await postForm(agent, `${draftUrl}/werknemer?terug=overzicht`, {
      ...validInput.werknemer,
      firstName: 'Marie',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${draftUrl}/overzicht`);
    expect(page((await agent.get(`${draftUrl}/overzicht`)).text).summary).toContainEqual(['Naam', 'Marie Werknemer']);
  });

  it('Bevestigen needs the declaration on honour', async () => {
    const draftUrl = await draftAtOverview();
    const res = await postForm(agent, `${draftUrl}/overzicht`, { actie: 'volgende' });
    expect(res.status).toBe(400);
    const p = page(res.text);
    expect(p.title).toMatch(/^Fout: Stap 6 van 6: Overzicht/);
    expect(p.errors).toEqual(['Vink aan dat u verklaart dat alle gegevens juist en volledig zijn.']);
    expect(
      await t.database
        .db('dossier')
        .where({ draft_id: draftIdOf(draftUrl) })
        .first(),
    ).toBeUndefined();
  });

  it('Bevestigen files the dossier and redirects to its receipt; posting again gives the same dossier', async () => {
    const draftUrl = await draftAtOverview();
    const form = {
      _csrf: page((await agent.get(`${draftUrl}/overzicht`).expect(200)).text).csrf,
      actie: 'volgende',
      declaration: 'ja',
    };
    const [first, second] = await Promise.all([
      agent.post(`${draftUrl}/overzicht`).type('form').send(form),
      agent.post(`${draftUrl}/overzicht`).type('form').send(form),
    ]);
    expect(first.status).toBe(303);
    expect(first.headers.location).toMatch(/^\/mijn-dossiers\/VOV-2025-\d{6}$/);
    expect(second.headers.location).toBe(first.headers.location);
    const again = await agent.post(`${draftUrl}/overzicht`).type('form').send(form);
    expect(again.headers.location).toBe(first.headers.location);
    const receiptUrl = first.headers.location;
    const nr = receiptUrl.split('/').pop()!;

    const dossiers = await t.database
      .db('dossier')
      .where({ draft_id: draftIdOf(draftUrl) })
      .select();
    expect(dossiers).toHaveLength(1);
    expect(dossiers[0]).toMatchObject({
      dossiernummer: nr,
      organisation_id: org.id,
      status: 'ingediend',
      employee_insz: '85073003328',
      employee_first_name: 'Eva-Marie',
      training_name: 'Veiligheidscoördinator niveau A',
      odb_number: '12345',
      school_year_start: 2025,
      initiative: 'werkgever',
      amount_cents: 59640,
    });
    expect(Number(dossiers[0].vov_hours)).toBe(40);
    expect(dossiers[0].submitted_at.toISOString()).toBe('2025-10-15T10:00:00.000Z');
    expect(dossiers[0].snapshot).toMatchObject({
      version: 1,
      werknemer: { firstName: 'Eva-Marie' },
      bijlagen: [{ kind: 'inschrijvingsattest', filename: 'attest.pdf' }],
    });
    const audit = (await t.database.db('audit_log').where({ action: 'refund.submitted' }).select()).filter((a) =>
      JSON.stringify(a.details).includes(nr),
    );
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].details)).not.toContain('85073003328');
    // The submitted draft's steps now lead to the receipt.
    expect((await agent.get(`${draftUrl}/werknemer`)).headers.location).toBe(receiptUrl);
  });
});

describe('after Bevestigen: the receipt, the e-mails and Mijn dossiers', () => {
  let smtp: SmtpCapture;
  let receiptUrl = '';
  /** The dossiernummer Bevestigen gave. */
  let nr = '';

  beforeAll(async () => {
    ({ t, org, agent } = await memberLoggedIn());
    smtp = await startSmtpCapture();
    receiptUrl = await submitDraft(agent, await draftAtOverview());
    nr = receiptUrl.split('/').pop()!;
  });
  afterAll(async () => {
    await smtp.stop();
    await t.close();
  });

  it('the receipt page re-reads the dossier: number in a framed panel, masked INSZ, training, hours, amount, what next', async () => {
    const res = await agent.get(receiptUrl).expect(200);
    const p = page(res.text);
    expect(p.h1).toBe('Ontvangstbevestiging');
    expect(p.main).toMatch(/Dossiernummer VOV-2025-\d{6}/);
    expect(p.main).toContain(`Dossiernummer ${nr}`);
    expect(p.$('link[rel=stylesheet][media=print]').attr('href')).toContain('print.css');
    expect(p.main).toContain('ontvangen op 15/10/2025 om 12:00');
    for (const row of [
      ['Organisatie', 'Bouwbedrijf De Meeuw NV (KBO 0403.170.701)'],
      ['Werknemer', 'Eva-Marie Werknemer (INSZ 85.07.30-***.**)'],
      ['Opleiding', 'Veiligheidscoördinator niveau A'],
      ['Startdatum', '01/10/2025'],
      ['Schooljaar', '2025-2026'],
      ['Initiatief', 'Werkgever'],
      ['Uren Vlaams opleidingsverlof', '40 uur'],
      ['Indicatief bedrag', '€ 596,40'],
    ]) {
      expect(rowsStarting(p, row)).toContainEqual(row);
    }
    expect(p.headings).toContain('Wat gebeurt er nu?');
    expect(p.link('vlaamsopleidingsverlof@vlaanderen.be')).toBe('mailto:vlaamsopleidingsverlof@vlaanderen.be');
    expect(res.text).not.toContain('033.28');
  });

  it('the PDF receipt carries the same content, read back from its text', async () => {
    const res = await agent
      .get(`${receiptUrl}/ontvangstbevestiging.pdf`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename=ontvangstbevestiging-${nr}.pdf`);
    const body = res.body as Buffer;
    expect(body.subarray(0, 5).toString()).toBe('%PDF-');
    const text = (await pdfText(body)).replace(/\s+/g, ' ');
    for (const expected of [
      'Ontvangstbevestiging',
      nr,
      '15/10/2025 om 12:00',
      'Bouwbedrijf De Meeuw NV (KBO 0403.170.701)',
      'Eva-Marie Werknemer (INSZ 85.07.30-***.**)',
      'Veiligheidscoördinator niveau A',
      '01/10/2025',
      '2025-2026',
      'Werkgever',
      '40 uur',
      '€ 596,40',
      'Wat gebeurt er nu?',
      'vlaamsopleidingsverlof@vlaanderen.be',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('033.28');
  });

  it('queues both receipt e-mails in the same transaction; the worker delivers them over SMTP', async () => {
    const outbox = await t.database.db('mail_outbox').orderBy('id').select();
    expect(outbox.map((m) => [m.kind, m.to_address])).toEqual([
      ['refund-receipt-employer', people.jan.email],
      ['refund-receipt-employee', 'eva.werknemer@example.be'],
    ]);
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: t.database.url,
      PUBLIC_URL: TEST_PUBLIC_URL,
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
    });
    const worker = createMailWorker({ db: t.database.db, config, logger: createLogger('silent') });
    try {
      expect(await worker.runOnce()).toEqual({ sent: 2, failed: 0 });
    } finally {
      await worker.stop();
    }
    const employer = await smtp.waitFor((m) => m.to.includes(people.jan.email));
    expect(employer.subject).toBe(`Ontvangstbevestiging ${nr}: aanvraag Vlaams opleidingsverlof`);
    expect(employer.text).toContain(`Dossiernummer: ${nr}`);
    expect(employer.text).toContain(`${TEST_PUBLIC_URL}/mijn-dossiers/${nr}`);
    expect(employer.text).toContain('Indicatief bedrag: € 596,40');
    const html = page(employer.html);
    expect(html.main).toContain(`Dossiernummer ${nr}`);
    expect(html.table().rows).toContainEqual(['Indicatief bedrag', '€ 596,40']);
    const employee = await smtp.waitFor((m) => m.to.includes('eva.werknemer@example.be'));
    expect(employee.subject).toBe(`Uw werkgever vroeg Vlaams opleidingsverlof aan (${nr})`);
    expect(employee.text).toContain('Beste Eva-Marie Werknemer');
    expect(employee.text).toContain('85.07.30-***.**');
    for (const m of [employer, employee]) {
      expect(m.text).not.toContain('033.28');
      expect(m.html).not.toContain('033.28');
    }
  });

  it('Mijn dossiers lists the dossier with its receipt link, filters by school year and exports CSV for Excel', async () => {
    const list = await agent.get(paths.dossiers).expect(200);
    const p = page(list.text);
    expect(p.link(nr)).toBe(`/mijn-dossiers/${nr}`);
    const [row] = p.table('Ingediende aanvragen').rows;
    expect(row[0]).toBe(nr);
    expect(row[1]).toBe('Eva-Marie Werknemer 85.07.30-***.**');
    expect(row[4]).toMatch(/^Ingediend /);
    expect(list.text).not.toContain('033.28');
    expect(page((await agent.get(`${paths.dossiers}?schooljaar=2024-2025`).expect(200)).text).notices).toContain(
      'Er zijn geen ingediende aanvragen in het schooljaar 2024-2025.',
    );
    expect(page((await agent.get(`${paths.dossiers}?schooljaar=2025-2026`).expect(200)).text).link(nr)).toBe(
      `/mijn-dossiers/${nr}`,
    );

    const csv = await agent.get(`${paths.dossiersExport}?schooljaar=2025-2026`).buffer(true).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename=dossiers-0403170701-2025-2026-2025-10-15.csv',
    );
    const raw = Buffer.from(csv.text, 'utf8');
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      'Dossiernummer;Werknemer;INSZ (afgeschermd);Opleiding;Soort opleiding;Schooljaar;Startdatum;Initiatief;Uren;Indicatief bedrag (EUR);Status;Ingediend op;Status sinds;Goedgekeurde uren;Goedgekeurd bedrag (EUR)',
    );
    expect(lines[1]).toBe(
      `${nr};Eva-Marie Werknemer;85.07.30-***.**;Veiligheidscoördinator niveau A;ODB-opleiding (opleidingsdatabank);2025-2026;01/10/2025;Werkgever;40;596,40;Ingediend;15/10/2025 om 12:00;15/10/2025 om 12:00;;`,
    );
    expect(lines[2]).toBe('');
  });
});
