import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { createMailWorker } from '../../src/mail/worker.js';
import { paths } from '../../src/paths.js';
import { buildTestApp, csrfTokenFrom, TEST_PUBLIC_URL, type TestApp } from '../helpers/app.js';
import type { Agent } from '../helpers/login.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.js';
import {
  fixedClock,
  insertMember,
  insertOrganisation,
  loginForOrganisation,
  people,
  postForm,
  validInput,
  type TestOrganisation,
} from './fixtures.js';
import { pdfText } from '../helpers/pdf.js';
import { decodeHtml } from '../helpers/html.js';

/** A minimal but real PDF: what the upload check reads is the "%PDF-" signature. */
const PDF_FILE = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

let t: TestApp;
let smtp: SmtpCapture;
let org: TestOrganisation;
let agent: Agent;

beforeAll(async () => {
  t = await buildTestApp({}, { now: fixedClock });
  smtp = await startSmtpCapture();
  org = await insertOrganisation(t.database.db, {
    kbo: '0403170701',
    name: 'Bouwbedrijf De Meeuw NV',
    unitNumber: '2147812701',
  });
  await insertMember(t.database.db, org.id, people.jan);
  agent = request.agent(t.app);
  await loginForOrganisation(agent, people.jan, org.id);
});

afterAll(async () => {
  await smtp.stop();
  await t.close();
});

function textOf(html: string): string {
  return decodeHtml(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
}

describe('the refund request from Aanvragen to the receipt, the e-mails and Mijn dossiers', () => {
  let draftUrl = '';
  let receiptUrl = '';
  /** The dossiernummer Bevestigen gave (a double click can leave a gap in the sequence, so not always 000001). */
  let nr = '';

  it('starts at the form page with the blue Aanvragen button', async () => {
    const res = await agent.get(paths.refund).expect(200);
    expect(res.text).toMatch(
      /<a class="button button--primary" href="\/terugbetaling\/nieuw\/werkgever">Aanvragen<\/a>/,
    );
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('step 1 shows the organisation read-only, the units to choose from and a prefilled contact person', async () => {
    const res = await agent.get(`${paths.refund}/nieuw/werkgever`).expect(200);
    expect(res.text).toContain('<title>Stap 1 van 6: Werkgever – aanvraag Vlaams opleidingsverlof – WSE-loket</title>');
    expect(res.text).toContain('Stap 1 van 6: Werkgever');
    expect(res.text).toContain('Bouwbedrijf De Meeuw NV');
    expect(res.text).toContain('0403.170.701');
    expect(res.text).toContain(`value="${org.unitId}"`);
    expect(res.text).toMatch(/<a class="back-link" href="\/terugbetaling">Vorige<\/a>/);
    expect(res.text).toContain('name="contactName" type="text" value="Jan Werkgever"');
    expect(res.text).toContain('Opslaan en later verdergaan');
    expect(res.text).toContain('<summary>Hulp nodig?</summary>');
    expect(res.text).toContain('href="/hulp#stap-werkgever"');
  });

  it('walks steps 1 to 4, each saved and followed by a 303 to the next step', async () => {
    let res = await postForm(agent, `${paths.refund}/nieuw/werkgever`, validInput.werkgever(String(org.unitId)));
    expect(res.status).toBe(303);
    const m = /^\/terugbetaling\/(\d+)\/werknemer$/.exec(res.headers.location);
    expect(m).not.toBeNull();
    draftUrl = `${paths.refund}/${m![1]}`;

    const steps: [string, Record<string, string>, string, string][] = [
      ['werknemer', validInput.werknemer, 'Stap 2 van 6: Werknemer', 'opleiding'],
      ['opleiding', validInput.opleiding, 'Stap 3 van 6: Opleiding', 'initiatief'],
      ['initiatief', validInput.initiatief, 'Stap 4 van 6: Initiatief en akkoord', 'bijlagen'],
    ];
    for (const [slug, input, indicator, next] of steps) {
      const page = await agent.get(`${draftUrl}/${slug}`).expect(200);
      expect(page.text).toContain(indicator);
      expect(page.text).toContain('class="back-link"');
      res = await agent
        .post(`${draftUrl}/${slug}`)
        .type('form')
        .send({ ...input, _csrf: csrfTokenFrom(page.text) });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`${draftUrl}/${next}`);
    }
  });

  it('step 5 takes the inschrijvingsattest as a multipart upload and lists it with a remove button', async () => {
    const page = await agent.get(`${draftUrl}/bijlagen`).expect(200);
    expect(page.text).toContain('Stap 5 van 6: Bijlagen');
    expect(page.text).toContain('enctype="multipart/form-data"');
    const res = await agent
      .post(`${draftUrl}/bijlagen`)
      .field('_csrf', csrfTokenFrom(page.text))
      .field('actie', 'toevoegen')
      .attach('inschrijvingsattest', PDF_FILE, {
        filename: 'C:\\Users\\jan\\attest.pdf',
        contentType: 'application/pdf',
      });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${draftUrl}/bijlagen`);
    const listed = await agent.get(`${draftUrl}/bijlagen`).expect(200);
    expect(listed.text).toMatch(/<a href="\/terugbetaling\/\d+\/bijlagen\/\d+">attest\.pdf<\/a>/);
    expect(listed.text).toContain('Verwijderen<span class="visually-hidden"> attest.pdf</span>');
    const next = await agent
      .post(`${draftUrl}/bijlagen`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(listed.text), actie: 'volgende' });
    expect(next.status).toBe(303);
    expect(next.headers.location).toBe(`${draftUrl}/overzicht`);
  });

  it('the overview shows every answer with Wijzigen links and the computed school year, hours, forfait and amount', async () => {
    const res = await agent.get(`${draftUrl}/overzicht`).expect(200);
    const text = textOf(res.text);
    expect(text).toContain('Stap 6 van 6: Overzicht');
    for (const expected of [
      'Vestigingseenheid 2.147.812.701',
      'Rekeningnummer BE68 5390 0754 7034 (BIC GEBABEBB)',
      'INSZ 85.07.30-033.28',
      'Soort opleiding ODB-opleiding (opleidingsdatabank)',
      'Naam Veiligheidscoördinator niveau A',
      'Startdatum 01/10/2025',
      'Omvang 40 contacturen',
      'Initiatief Werkgever',
      'Inschrijvingsattest attest.pdf',
      'Schooljaar 2025-2026',
      'Persoonlijk maximum 125 uur',
      'Uren Vlaams opleidingsverlof 40 uur',
      'Bedrag per uur in dit schooljaar € 14,91',
      'Indicatief bedrag € 596,40',
    ]) {
      expect(text).toContain(expected);
    }
    expect(res.text).toContain(`href="${draftUrl}/werknemer?terug=overzicht#insz"`);
    expect(res.text).toContain(
      '<button class="button button--primary" type="submit" name="actie" value="volgende">Bevestigen</button>',
    );
  });

  it('a Wijzigen link returns to the overview after the change', async () => {
    const res = await postForm(agent, `${draftUrl}/werknemer?terug=overzicht`, {
      ...validInput.werknemer,
      firstName: 'Eva-Marie',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${draftUrl}/overzicht`);
    expect(textOf((await agent.get(`${draftUrl}/overzicht`)).text)).toContain('Naam Eva-Marie Werknemer');
  });

  it('Bevestigen needs the declaration on honour', async () => {
    const res = await postForm(agent, `${draftUrl}/overzicht`, { actie: 'volgende' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<title>Fout: Stap 6 van 6: Overzicht');
    expect(res.text).toContain('Vink aan dat u verklaart dat alle gegevens juist en volledig zijn.');
    expect(await t.database.db('dossier').count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('Bevestigen files the dossier and redirects to its receipt; posting again gives the same dossier', async () => {
    const page = await agent.get(`${draftUrl}/overzicht`).expect(200);
    const form = { _csrf: csrfTokenFrom(page.text), actie: 'volgende', declaration: 'ja' };
    const [first, second] = await Promise.all([
      agent.post(`${draftUrl}/overzicht`).type('form').send(form),
      agent.post(`${draftUrl}/overzicht`).type('form').send(form),
    ]);
    expect(first.status).toBe(303);
    expect(first.headers.location).toMatch(/^\/mijn-dossiers\/VOV-2025-\d{6}$/);
    expect(second.headers.location).toBe(first.headers.location);
    const again = await agent.post(`${draftUrl}/overzicht`).type('form').send(form);
    expect(again.headers.location).toBe(first.headers.location);
    receiptUrl = first.headers.location;
    nr = receiptUrl.split('/').pop()!;

    const dossiers = await t.database.db('dossier').select();
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
    const audit = await t.database.db('audit_log').where({ action: 'refund.submitted' }).select();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].details)).not.toContain('85073003328');
    // The submitted draft's steps now lead to the receipt.
    expect((await agent.get(`${draftUrl}/werknemer`)).headers.location).toBe(receiptUrl);
  });

  it('the receipt page re-reads the dossier: number in a framed panel, masked INSZ, training, hours, amount, what next', async () => {
    const res = await agent.get(receiptUrl).expect(200);
    expect(res.text).toMatch(/<div class="panel receipt-panel">[\s\S]*<p class="panel__number">VOV-2025-\d{6}<\/p>/);
    expect(res.text).toContain(`<p class="panel__number">${nr}</p>`);
    expect(res.text).toContain('print.css');
    const text = textOf(res.text);
    for (const expected of [
      'ontvangen op 15/10/2025 om 12:00',
      'Organisatie Bouwbedrijf De Meeuw NV (KBO 0403.170.701)',
      'Werknemer Eva-Marie Werknemer (INSZ 85.07.30-***.**)',
      'Opleiding Veiligheidscoördinator niveau A',
      'Startdatum 01/10/2025',
      'Schooljaar 2025-2026',
      'Initiatief Werkgever',
      'Uren Vlaams opleidingsverlof 40 uur',
      'Indicatief bedrag € 596,40',
      'Wat gebeurt er nu?',
      'vlaamsopleidingsverlof@vlaanderen.be',
    ]) {
      expect(text).toContain(expected);
    }
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
    expect(employer.html).toContain(nr);
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
    expect(list.text).toContain(`<a href="/mijn-dossiers/${nr}">${nr}</a>`);
    const text = textOf(list.text);
    expect(text).toContain('Eva-Marie Werknemer 85.07.30-***.**');
    expect(text).toContain('Ingediend');
    expect(list.text).not.toContain('033.28');
    expect(textOf((await agent.get(`${paths.dossiers}?schooljaar=2024-2025`).expect(200)).text)).toContain(
      'Er zijn geen ingediende aanvragen in het schooljaar 2024-2025.',
    );
    expect((await agent.get(`${paths.dossiers}?schooljaar=2025-2026`).expect(200)).text).toContain(nr);

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
