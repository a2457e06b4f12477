import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/paths.js';
import { csrfTokenFrom, type TestApp } from '../helpers/app.js';
import { memberLoggedIn } from '../helpers/fixture.js';
import type { Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { testInsz } from '../organisations/fixtures.js';
import { completeDraft, fieldError, postForm, submitDraft, validInput, type TestOrganisation } from './fixtures.js';

/*
 * Every rule refuses at the step where its data is entered, with a Dutch message next to the field and in the
 * error summary, the typed values shown back, and the input saved anyway.
 */

let t: TestApp;
let org: TestOrganisation;
let agent: Agent;

beforeAll(async () => {
  ({ t, org, agent } = await memberLoggedIn());
});

afterAll(async () => {
  await t.close();
});

/** A draft with steps 1 and 2 done (for employee `serial`), ready for step 3. */
async function draftAtTraining(serial: number, werknemer: Record<string, string> = {}): Promise<string> {
  const first = await postForm(agent, `${paths.refund}/nieuw/werkgever`, validInput.werkgever(String(org.unitId)));
  const draftUrl = first.headers.location.replace(/\/werknemer$/, '');
  const res = await postForm(agent, `${draftUrl}/werknemer`, {
    ...validInput.werknemer,
    insz: testInsz(serial),
    ...werknemer,
  });
  expect(res.status).toBe(303);
  return draftUrl;
}

async function expectRefusal(url: string, input: Record<string, string>, field: string, message: RegExp | string) {
  const res = await postForm(agent, url, input);
  expect(res.status).toBe(400);
  const p = page(res.text);
  expect(p.title).toMatch(/^Fout: /);
  const shown = fieldError(res.text, field);
  if (typeof message === 'string') expect(shown).toBe(message);
  else expect(shown).toMatch(message);
  // The error summary links the same message to the field.
  expect(p.errorLinks).toContainEqual({ text: shown, href: `#${field}` });
  return res;
}

describe('step 1 Werkgever', () => {
  it('refuses an establishment unit outside Flanders and a wrong IBAN, keeping what was typed', async () => {
    const input = {
      ...validInput.werkgever('andere'),
      unitNumber: '2147812701',
      unitStreet: 'Wetstraat 16',
      unitPostcode: '1000',
      unitCity: 'Brussel',
      iban: 'BE68 5390 0754 7035',
    };
    const res = await expectRefusal(
      `${paths.refund}/nieuw/werkgever`,
      input,
      'unitPostcode',
      /^Postcode 1000 ligt in het Brussels Hoofdstedelijk Gewest\./,
    );
    expect(fieldError(res.text, 'iban')).toMatch(/^Dit rekeningnummer klopt niet/);
    const shownBack = page(res.text);
    expect(shownBack.value('Straat en huisnummer')).toBe('Wetstraat 16');
    expect(shownBack.value('Rekeningnummer (IBAN)')).toBe('BE68 5390 0754 7035');
    // Saved although invalid: a draft now exists with this input.
    const drafts = await t.database
      .db('refund_draft')
      .whereRaw(`steps->'werkgever'->>'unitStreet' = 'Wetstraat 16'`)
      .select('id');
    expect(drafts).toHaveLength(1);
  });
});

describe('step 2 Werknemer', () => {
  it('refuses an INSZ whose check digits are wrong', async () => {
    const draftUrl = await draftAtTraining(1);
    await expectRefusal(
      `${draftUrl}/werknemer`,
      { ...validInput.werknemer, insz: '85.07.30-033.29' },
      'insz',
      /^Dit INSZ-nummer klopt niet/,
    );
  });
});

describe('step 3 Opleiding', () => {
  it('says at the start date that the submission window has closed', async () => {
    const draftUrl = await draftAtTraining(2);
    const res = await expectRefusal(
      `${draftUrl}/opleiding`,
      { ...validInput.opleiding, startDate: '01/07/2025' },
      'startDate',
      'De aanvraag moest ten laatste op 01/10/2025 ingediend zijn (3 maanden na de startdatum van de opleiding). Een aanvraag na die datum is niet meer mogelijk, ' +
        'tenzij de werknemer tijdens het schooljaar bij u in dienst kwam: kies dan in stap 2 "Ja" en vul de datum van indiensttreding in. De termijn telt dan ook vanaf die datum.',
    );
    expect(page(res.text).value('Startdatum')).toBe('01/07/2025');
  });

  it('says at the start date when the request can be filed at the earliest', async () => {
    const draftUrl = await draftAtTraining(3);
    await expectRefusal(
      `${draftUrl}/opleiding`,
      { ...validInput.opleiding, startDate: '01/03/2026', endDate: '30/06/2026' },
      'startDate',
      /^U kunt deze aanvraag pas indienen vanaf 01\/12\/2025/,
    );
  });

  it('accepts a late request within 3 months after the employee started with a new employer', async () => {
    const draftUrl = await draftAtTraining(4, { newEmployee: 'ja', employmentStartDate: '01/09/2025' });
    const res = await postForm(agent, `${draftUrl}/opleiding`, { ...validInput.opleiding, startDate: '01/05/2025' });
    expect(res.status).toBe(303);
  });

  it('refuses an employee who is not eligible in the school year of the training', async () => {
    const draftUrl = await draftAtTraining(5, { twp: '60' });
    await expectRefusal(
      `${draftUrl}/opleiding`,
      validInput.opleiding,
      'startDate',
      /^Het tewerkstellingspercentage van de werknemer \(60 %\) is te laag\. Voor het schooljaar 2025-2026 moet de werknemer minstens 80 %/,
    );
  });

  it('refuses a training below the minimum size', async () => {
    const draftUrl = await draftAtTraining(6);
    await expectRefusal(
      `${draftUrl}/opleiding`,
      { ...validInput.opleiding, sizeAmount: '20' },
      'sizeAmount',
      /^De opleiding is te klein: ze telt 20 contacturen\./,
    );
  });

  it('refuses a career-guidance attest older than 6 years', async () => {
    const draftUrl = await draftAtTraining(7);
    await expectRefusal(
      `${draftUrl}/opleiding`,
      { ...validInput.opleiding, trainingType: 'loopbaan', odbNumber: '', careerGuidanceAttestDate: '01/09/2019' },
      'careerGuidanceAttestDate',
      /^Het attest loopbaanbegeleiding mag bij de start van de opleiding niet ouder zijn dan 6 jaar\./,
    );
  });

  it('refuses a second request for the same employee, training and school year', async () => {
    const first = await completeDraft(agent, org.unitId, { werknemer: { insz: testInsz(8) } });
    const receipt = await submitDraft(agent, first);
    const nummer = receipt.split('/').pop();
    const draftUrl = await draftAtTraining(8);
    await expectRefusal(
      `${draftUrl}/opleiding`,
      validInput.opleiding,
      'odbNumber',
      `Voor deze werknemer is er al een aanvraag voor deze opleiding in het schooljaar 2025-2026 (dossier ${nummer}). Per werknemer, opleiding en schooljaar kunt u maar één aanvraag indienen.`,
    );
    // Another training for the same employee is fine.
    expect((await postForm(agent, `${draftUrl}/opleiding`, { ...validInput.opleiding, odbNumber: '777' })).status).toBe(
      303,
    );
  });
});

describe('step 4 Initiatief en akkoord', () => {
  it('refuses when the personal maximum is used up, and doubles it under the shared initiative right', async () => {
    const insz = testInsz(9);
    // 200 contact hours on the employer's initiative: the whole personal maximum of 125 h.
    const first = await completeDraft(agent, org.unitId, {
      werknemer: { insz },
      opleiding: { sizeAmount: '200' },
      initiatief: { initiative: 'werkgever' },
    });
    await submitDraft(agent, first);

    const draftUrl = await draftAtTraining(9);
    expect((await postForm(agent, `${draftUrl}/opleiding`, { ...validInput.opleiding, odbNumber: '555' })).status).toBe(
      303,
    );
    await expectRefusal(
      `${draftUrl}/initiatief`,
      { initiative: 'werkgever', employeeAgreement: 'ja' },
      'initiative',
      'De werknemer heeft in het schooljaar 2025-2026 het persoonlijk maximum van 125 uur al opgebruikt in andere aanvragen. Voor deze opleiding kunt u geen uren meer aanvragen.',
    );
    // On the employee's own initiative, with another ODB number: the maximum doubles to 250 h.
    const shared = await postForm(agent, `${draftUrl}/initiatief`, {
      initiative: 'werknemer',
      employeeAgreement: 'ja',
    });
    expect(shared.status).toBe(303);
    expect((await postForm(agent, `${draftUrl}/bijlagen`, { actie: 'volgende' })).status).toBe(303);
    const overview = page((await agent.get(`${draftUrl}/overzicht`).expect(200)).text);
    expect(overview.summary).toContainEqual([
      'Persoonlijk maximum',
      '250 uur (verdubbeld door het gemeenschappelijk initiatiefrecht)',
    ]);
  });

  it('needs the employee’s agreement', async () => {
    const draftUrl = await draftAtTraining(10);
    expect((await postForm(agent, `${draftUrl}/opleiding`, validInput.opleiding)).status).toBe(303);
    await expectRefusal(
      `${draftUrl}/initiatief`,
      { initiative: 'werknemer' },
      'employeeAgreement',
      /^Vink aan dat de werknemer akkoord gaat met de aanvraag/,
    );
  });
});

describe('step 5 Bijlagen', () => {
  let serial = 20;
  async function bijlagenPage(training: Record<string, string> = {}): Promise<string> {
    const draftUrl = await draftAtTraining(serial++);
    expect((await postForm(agent, `${draftUrl}/opleiding`, { ...validInput.opleiding, ...training })).status).toBe(303);
    expect((await postForm(agent, `${draftUrl}/initiatief`, validInput.initiatief)).status).toBe(303);
    return `${draftUrl}/bijlagen`;
  }

  async function upload(url: string, field: string, data: Buffer, filename: string, contentType: string) {
    const form = await agent.get(url).expect(200);
    return agent
      .post(url)
      .field('_csrf', csrfTokenFrom(form.text))
      .field('actie', 'toevoegen')
      .attach(field, data, { filename, contentType });
  }

  it('needs the career-guidance attest for a loopbaangerichte opleiding', async () => {
    const url = await bijlagenPage({ trainingType: 'loopbaan', odbNumber: '', careerGuidanceAttestDate: '01/09/2024' });
    await expectRefusal(
      url,
      { actie: 'volgende' },
      'loopbaanattest',
      'Voeg het attest van loopbaanbegeleiding toe. Voor een loopbaangerichte opleiding is het verplicht.',
    );
    const added = await upload(
      url,
      'loopbaanattest',
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]),
      'attest.jpg',
      'image/jpeg',
    );
    expect(added.status).toBe(303);
    expect((await postForm(agent, url, { actie: 'volgende' })).status).toBe(303);
  });

  it('judges the file type by its content, not by its name or declared type', async () => {
    const url = await bijlagenPage();
    const fake = await upload(
      url,
      'inschrijvingsattest',
      Buffer.from('MZ\x90\x00 not a pdf'),
      'attest.pdf',
      'application/pdf',
    );
    expect(fake.status).toBe(400);
    expect(fieldError(fake.text, 'inschrijvingsattest')).toBe(
      'Het bestand voor het inschrijvingsattest moet een PDF, PNG of JPEG zijn. Kies een ander bestand.',
    );
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16)]);
    expect((await upload(url, 'inschrijvingsattest', png, '../../etc/scan.txt', 'text/plain')).status).toBe(303);
    const stored = await t.database
      .db('attachment')
      .orderBy('id', 'desc')
      .first('filename', 'content_type', 'size_bytes');
    // The extension follows the content: a PNG named scan.txt is stored and served as scan.png.
    expect(stored).toEqual({ filename: 'scan.png', content_type: 'image/png', size_bytes: 24 });
    const href = page((await agent.get(url).expect(200)).text).link('scan.png');
    expect(href).toMatch(/^\/terugbetaling\/\d+\/bijlagen\/\d+$/);
    const download = await agent.get(href!).buffer(true).expect(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['content-disposition']).toBe('attachment; filename=scan.png');
  });

  it('stores and serves a name that cannot pose as another type: no bidirectional tricks, capped, RFC 5987', async () => {
    const url = await bijlagenPage();
    // Shown as "attest-exe.pdf" by the right-to-left override, but an executable name: it becomes a .pdf.
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
    expect((await upload(url, 'inschrijvingsattest', pdf, 'attest-\u202Efdp.exe', 'application/pdf')).status).toBe(303);
    const tricked = await t.database.db('attachment').orderBy('id', 'desc').first('id', 'filename');
    expect(tricked.filename).toBe('attest-fdp.pdf');
    const download = await agent.get(`${url}/${tricked.id}`).buffer(true).expect(200);
    expect(download.headers['content-disposition']).toBe('attachment; filename=attest-fdp.pdf');

    const long = `Inschrijving opleiding veiligheidscoördinator ${'é'.repeat(200)}.pdf.jpeg`;
    expect((await upload(url, 'inschrijvingsattest', pdf, long, 'image/jpeg')).status).toBe(303);
    const capped = await t.database.db('attachment').orderBy('id', 'desc').first('id', 'filename');
    expect(Array.from(capped.filename as string).length).toBe(104);
    expect(capped.filename).toMatch(/^Inschrijving opleiding veiligheidscoördinator é+\.pdf$/);
    const named = await agent.get(`${url}/${capped.id}`).buffer(true).expect(200);
    const disposition = named.headers['content-disposition'] as string;
    expect(disposition).toMatch(
      /^attachment; filename="Inschrijving opleiding veiligheidsco.rdinator [^"]+\.pdf"; filename\*=UTF-8''/,
    );
    expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1])).toBe(capped.filename);
  });

  it('refuses an empty file with a Dutch message, and a file over 10 MB', async () => {
    const url = await bijlagenPage();
    const empty = await upload(url, 'inschrijvingsattest', Buffer.alloc(0), 'leeg.pdf', 'application/pdf');
    expect(empty.status).toBe(400);
    expect(fieldError(empty.text, 'inschrijvingsattest')).toBe(
      'Het bestand voor het inschrijvingsattest is leeg. Kies een ander bestand.',
    );
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024)]);
    const tooBig = await upload(url, 'inschrijvingsattest', big, 'groot.pdf', 'application/pdf');
    expect(tooBig.status).toBe(413);
    const refused = page(tooBig.text);
    expect(refused.h1).toBe('Het bestand of formulier is te groot');
    expect(refused.main).toContain('Een bijlage mag ten hoogste 10 MB groot zijn.');
  });

  it('removes an attachment with a POST', async () => {
    const url = await bijlagenPage();
    expect(
      (await upload(url, 'inschrijvingsattest', Buffer.from('%PDF-1.7\n'), 'a.pdf', 'application/pdf')).status,
    ).toBe(303);
    const remove = page((await agent.get(url).expect(200)).text).form('Verwijderen a.pdf');
    expect(remove.action).toMatch(/\/verwijderen$/);
    const removed = await agent.post(remove.action).type('form').send(remove.fields);
    expect(removed.status).toBe(303);
    const after = page((await agent.get(url)).text);
    expect(after.link('a.pdf')).toBeUndefined();
    expect(after.main).toContain('U hebt nog geen bijlagen toegevoegd.');
  });
});
