import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { createMailWorker } from '../../src/mail/worker.js';
import { paths } from '../../src/paths.js';
import { csrfTokenFrom, TEST_PUBLIC_URL } from '../helpers/app.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.js';
import { fieldError, insertMember, loginForOrganisation, people, postForm } from '../refund/fixtures.js';
import { page as read } from '../helpers/page.js';
import { pdfText } from '../helpers/pdf.js';
import { CONTACT_EMAIL, EMPLOYEE_EMAIL, lifeWorld, type LifeWorld } from './fixtures.js';

/** What the employer does with a filed dossier, and what they see of the back office's decisions. */

let w: LifeWorld;
let smtp: SmtpCapture;
let backOffice: string;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const page = (nummer: string) => `${paths.dossiers}/${nummer}`;

beforeAll(async () => {
  w = await lifeWorld();
  smtp = await startSmtpCapture();
  backOffice = await w.token('backoffice', ['read', 'decide']);
});

afterAll(async () => {
  await smtp.stop();
  await w.t.close();
});

async function decide(nummer: string, body: object) {
  const { version } = await w.t.database.db('dossier').where({ dossiernummer: nummer }).first('version');
  return request(w.t.app)
    .post(`${paths.api}/dossiers/${nummer}/beslissingen`)
    .set('Authorization', `Bearer ${backOffice}`)
    .send({ versie: version, ...body })
    .expect(200);
}

function pdfOf(agent: typeof w.jan, nummer: string) {
  return agent
    .get(`${page(nummer)}/ontvangstbevestiging.pdf`)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
}

/** The events under the heading "Geschiedenis", newest first, as a reader meets them. */
const timeline = (html: string) => {
  const p = read(html);
  return p
    .$('h2')
    .filter((_, h) => p.$(h).text().trim() === 'Geschiedenis')
    .next('ol')
    .find('li > h3')
    .toArray()
    .map((h) => p.$(h).text().trim());
};

describe('a decision from the back office', () => {
  it('shows on the dossier page and in Mijn dossiers with its date and amount, in the CSV too; the receipt PDF stays as filed', async () => {
    const nummer = await w.file();
    const pdfBefore = await pdfText((await pdfOf(w.jan, nummer)).body as Buffer);
    await decide(nummer, { beslissing: 'goedgekeurd', uren: 36.5 });

    const dossier = await w.jan.get(page(nummer)).expect(200);
    const shown = read(dossier.text);
    expect(shown.main).toContain('Goedgekeurd sinds 15/10/2025 om 12:00');
    expect(shown.main).toContain('€ 544,22');
    expect(timeline(dossier.text)).toEqual(['Goedgekeurd', 'Aanvraag ingediend']);
    expect(shown.main).toContain('door Departement Werk en Sociale Economie');

    const list = await w.jan.get(`${paths.dossiers}?status=goedgekeurd`).expect(200);
    const listed = read(list.text);
    const [row] = listed.table('Ingediende aanvragen').rows;
    expect(row[0]).toBe(nummer);
    expect(row[4]).toBe('Goedgekeurd sinds 15/10/2025 om 12:00');
    expect(row[8]).toBe('€ 544,22');
    expect(listed.choices('Status')).toContainEqual({ value: 'aanvulling_gevraagd', text: 'Aanvulling gevraagd' });

    const csv = await w.jan.get(`${paths.dossiersExport}?status=goedgekeurd`).buffer(true).expect(200);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toMatch(/;Status;Ingediend op;Status sinds;Goedgekeurde uren;Goedgekeurd bedrag \(EUR\)$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      new RegExp(`^${nummer};.*;Goedgekeurd;15/10/2025 om 12:00;15/10/2025 om 12:00;36,5;544,22$`),
    );

    expect(await pdfText((await pdfOf(w.jan, nummer)).body as Buffer)).toBe(pdfBefore);
  });

  it('is mailed through the outbox to the contact person of the form and to the employee', async () => {
    const nummer = await w.file();
    await decide(nummer, { beslissing: 'geweigerd', reden: 'De opleiding staat niet in de opleidingsdatabank.' });
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: w.t.database.url,
      PUBLIC_URL: TEST_PUBLIC_URL,
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
    });
    const worker = createMailWorker({ db: w.t.database.db, config, logger: createLogger('silent') });
    try {
      while ((await worker.runOnce()).sent > 0);
    } finally {
      await worker.stop();
    }
    const employer = await smtp.waitFor(
      (m) => m.to.includes(CONTACT_EMAIL) && m.subject === `Dossier ${nummer}: geweigerd`,
    );
    expect(employer.text).toContain('De aanvraag tot terugbetaling van Vlaams opleidingsverlof is geweigerd.');
    expect(employer.text).toContain('Reden: De opleiding staat niet in de opleidingsdatabank.');
    expect(employer.text).toContain(`${TEST_PUBLIC_URL}${page(nummer)}`);
    const employee = await smtp.waitFor(
      (m) => m.to.includes(EMPLOYEE_EMAIL) && m.subject === `Dossier ${nummer}: geweigerd`,
    );
    expect(employee.text).toContain('Beste Eva Werknemer');
    expect(employee.text).not.toContain(TEST_PUBLIC_URL);
    expect(read(employee.html).main).toContain('Reden: De opleiding staat niet in de opleidingsdatabank.');
  });
});

describe('Annuleren', () => {
  it('asks a reason, then a confirmation; then withdraws, writes the history and mails both', async () => {
    const nummer = await w.file();
    const form = await w.jan.get(page(nummer)).expect(200);
    expect(read(form.text).links.map((l) => l.href)).toContain(`${page(nummer)}/annuleren`);

    const empty = await postForm(w.jan, `${page(nummer)}/annuleren`, { reden: ' ', versie: '1' });
    expect(empty.status).toBe(400);
    expect(fieldError(empty.text, 'reden')).toBe('Vul de reden van de annulering in.');
    expect(read(empty.text).title).toMatch(/^Fout: /);

    const confirm = await postForm(w.jan, `${page(nummer)}/annuleren`, {
      reden: 'De werknemer volgt de opleiding niet.',
      versie: '1',
    });
    expect(confirm.status).toBe(200);
    expect(read(confirm.text).headings).toContain('Wilt u de aanvraag echt annuleren?');
    expect((await w.t.database.db('dossier').where({ dossiernummer: nummer }).first()).status).toBe('ingediend');

    const done = await w.jan
      .post(`${page(nummer)}/annuleren`)
      .type('form')
      .send({
        _csrf: csrfTokenFrom(confirm.text),
        reden: 'De werknemer volgt de opleiding niet.',
        versie: '1',
        bevestigd: 'ja',
      });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(page(nummer));
    const after = await w.jan.get(page(nummer)).expect(200);
    const cancelled = read(after.text);
    expect(cancelled.notices.join(' ')).toContain('De aanvraag is geannuleerd.');
    expect(cancelled.main).toContain('Geannuleerd sinds');
    expect(timeline(after.text)).toEqual(['Aanvraag geannuleerd', 'Aanvraag ingediend']);
    expect(cancelled.main).toContain('Reden van de annulering: De werknemer volgt de opleiding niet.');
    expect(cancelled.main).toContain(', door Jan Werkgever');
    expect(cancelled.links.map((l) => l.href)).not.toContain(`${page(nummer)}/annuleren`);
    // The notice shows once.
    expect(read((await w.jan.get(page(nummer))).text).notices.join(' ')).not.toContain('De aanvraag is geannuleerd.');

    const mails = await w.t.database
      .db('mail_outbox')
      .where('kind', 'like', 'dossier-geannuleerd-%')
      .orderBy('id')
      .select('to_address');
    expect(mails.map((m) => m.to_address)).toEqual([CONTACT_EMAIL, EMPLOYEE_EMAIL]);
    const audit = await w.t.database.db('audit_log').where({ action: 'dossier.geannuleerd' }).first();
    expect(audit).toMatchObject({ organisation_id: w.org.id, details: { dossiernummer: nummer, by: 'werkgever' } });
  });

  it('is refused in plain Dutch once the status no longer allows it', async () => {
    const nummer = await w.file();
    const page1 = await w.jan.get(`${page(nummer)}/annuleren`).expect(200);
    await decide(nummer, { beslissing: 'in_behandeling' });
    const refused = await w.jan
      .post(`${page(nummer)}/annuleren`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page1.text), reden: 'Te laat', versie: '1', bevestigd: 'ja' });
    expect(refused.status).toBe(409);
    const refusal = read(refused.text);
    expect(refusal.main).toContain(
      'U kunt deze aanvraag niet meer annuleren: dat kan alleen zolang ze de status Ingediend heeft.',
    );
    expect(refusal.$('main strong').text()).toBe('In behandeling');
    expect((await w.jan.get(`${page(nummer)}/annuleren`)).status).toBe(409);
  });

  it('needs the CSRF token', async () => {
    const nummer = await w.file();
    await w.jan
      .post(`${page(nummer)}/annuleren`)
      .type('form')
      .send({ reden: 'x', versie: '1', bevestigd: 'ja' })
      .expect(403);
    expect((await w.t.database.db('dossier').where({ dossiernummer: nummer }).first()).status).toBe('ingediend');
  });
});

describe('Stopzetting melden', () => {
  it('takes a date between the start of the training and today, and shows it to the back office', async () => {
    const nummer = await w.file();
    await decide(nummer, { beslissing: 'goedgekeurd', uren: 40 });
    const before = await postForm(w.jan, `${page(nummer)}/stopzetting`, { datum: '30/09/2025', versie: '2' });
    expect(before.status).toBe(400);
    expect(fieldError(before.text, 'datum')).toBe(
      'De datum van de stopzetting ligt vóór de startdatum van de opleiding (01/10/2025).',
    );
    const future = await postForm(w.jan, `${page(nummer)}/stopzetting`, { datum: '16/10/2025', versie: '2' });
    expect(fieldError(future.text, 'datum')).toContain('ligt in de toekomst');
    const wrong = await postForm(w.jan, `${page(nummer)}/stopzetting`, { datum: '31/02/2025', versie: '2' });
    expect(fieldError(wrong.text, 'datum')).toBe('Vul een bestaande datum in als dd/mm/jjjj, bijvoorbeeld 15/01/2026.');
    expect(read(wrong.text).value('Op welke datum stopte de werknemer de opleiding?')).toBe('31/02/2025');

    const done = await postForm(w.jan, `${page(nummer)}/stopzetting`, { datum: '10/10/2025', versie: '2' });
    expect(done.status).toBe(303);
    const after = await w.jan.get(page(nummer)).expect(200);
    expect(read(after.text).main).toContain('Stopgezet sinds');
    expect(read(after.text).main).toContain('De werknemer stopte de opleiding op 10/10/2025.');
    const api = await request(w.t.app)
      .get(`${paths.api}/dossiers/${nummer}`)
      .set('Authorization', `Bearer ${backOffice}`)
      .expect(200);
    expect(api.body).toMatchObject({ status: 'stopgezet', stopzettingsdatum: '2025-10-10', goedgekeurdeUren: 40 });
    expect(
      await postForm(w.jan, `${page(nummer)}/stopzetting`, { datum: '11/10/2025', versie: '3' }).catch(
        (e: Error) => e.message,
      ),
    ).toMatch(/answered 409/);
  });
});

describe('Vraag beantwoorden', () => {
  it('is only possible while a question is open; the answer with its attachment reaches the back office', async () => {
    const nummer = await w.file();
    expect((await w.jan.get(`${page(nummer)}/aanvulling`)).status).toBe(409);
    await decide(nummer, {
      beslissing: 'aanvulling_gevraagd',
      vraag: 'Bezorg het inschrijvingsattest.',
      antwoordTegen: '2025-11-15',
    });
    const dossier = await w.jan.get(page(nummer)).expect(200);
    expect(read(dossier.text).main).toContain('Bezorg het inschrijvingsattest.');
    expect(read(dossier.text).main).toContain('Antwoord ten laatste op 15/11/2025.');

    const form = await w.jan.get(`${page(nummer)}/aanvulling`).expect(200);
    const bad = await w.jan
      .post(`${page(nummer)}/aanvulling`)
      .field('_csrf', csrfTokenFrom(form.text))
      .field('versie', '2')
      .field('antwoord', 'Zie bijlage.')
      .attach('bijlage', Buffer.from('MZ not a pdf'), { filename: 'attest.pdf', contentType: 'application/pdf' });
    expect(bad.status).toBe(400);
    expect(fieldError(bad.text, 'bijlage')).toBe(
      'attest.pdf: Het bestand voor het antwoord moet een PDF, PNG of JPEG zijn. Kies een ander bestand.',
    );
    expect(read(bad.text).value('Uw antwoord')).toBe('Zie bijlage.');

    const done = await w.jan
      .post(`${page(nummer)}/aanvulling`)
      .field('_csrf', csrfTokenFrom(form.text))
      .field('versie', '2')
      .field('antwoord', 'Zie bijlage.')
      .attach('bijlage', PDF, { filename: 'inschrijving.pdf', contentType: 'application/pdf' });
    expect(done.status).toBe(303);
    const after = await w.jan.get(page(nummer)).expect(200);
    expect(read(after.text).main).toContain('In behandeling sinds');
    expect(timeline(after.text)).toEqual(['Aanvulling bezorgd', 'Aanvulling gevraagd', 'Aanvraag ingediend']);

    const auth = { Authorization: `Bearer ${backOffice}` };
    const api = await request(w.t.app).get(`${paths.api}/dossiers/${nummer}`).set(auth).expect(200);
    expect(api.body.geschiedenis.at(-1)).toMatchObject({
      soort: 'antwoord',
      statusNa: 'in_behandeling',
      door: { soort: 'werkgever', naam: 'Jan Werkgever' },
    });
    expect(api.body.geschiedenis.at(-1).details.antwoord).toBe('Zie bijlage.');
    const [file] = api.body.bijlagen;
    expect(file).toMatchObject({ soort: 'aanvulling', bestandsnaam: 'inschrijving.pdf', type: 'application/pdf' });
    const content = await request(w.t.app).get(file.href).set(auth).buffer(true).expect(200);
    expect(content.headers['content-type']).toBe('application/pdf');
  });
});

describe('who may act', () => {
  it('another organisation gets 404 for the pages and the POSTs; a member without the right 403', async () => {
    const nummer = await w.file();
    for (const slug of ['annuleren', 'stopzetting', 'aanvulling']) {
      await w.olaf.get(`${page(nummer)}/${slug}`).expect(404);
    }
    const own = await w.olaf.get(paths.dossiers).expect(200);
    await w.olaf
      .post(`${page(nummer)}/annuleren`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(own.text), reden: 'x', versie: '1', bevestigd: 'ja' })
      .expect(404);
    await w.olaf
      .post(`${page(nummer)}/stopzetting`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(own.text), datum: '10/10/2025', versie: '1' })
      .expect(404);

    await insertMember(w.t.database.db, w.org.id, people.mia, false);
    const mia = request.agent(w.t.app);
    await loginForOrganisation(mia, people.mia, w.org.id);
    await mia.get(`${page(nummer)}/annuleren`).expect(403);
    expect((await w.t.database.db('dossier').where({ dossiernummer: nummer }).first()).status).toBe('ingediend');
  });
});
