import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/paths.js';
import { buildTestApp, csrfTokenFrom, type TestApp } from '../helpers/app.js';
import { loginAs, type Agent } from '../helpers/login.js';
import { page, type Page } from '../helpers/page.js';
import { testInsz } from '../organisations/fixtures.js';
import {
  completeDraft,
  fieldError,
  fixedClock,
  insertMember,
  insertOrganisation,
  loginForOrganisation,
  people,
  postForm,
  revokeRight,
  submitDraft,
  validInput,
  type TestOrganisation,
} from './fixtures.js';

/*
 * Drafts belong to the organisation and survive logout; every route checks the VOV right afresh; another
 * organisation's drafts, attachments and dossiers are not found.
 */

let t: TestApp;
let org: TestOrganisation;
let otherOrg: TestOrganisation;

beforeAll(async () => {
  t = await buildTestApp({}, { now: fixedClock });
  org = await insertOrganisation(t.database.db, {
    kbo: '0403170701',
    name: 'Bouwbedrijf De Meeuw NV',
    unitNumber: '2147812701',
  });
  otherOrg = await insertOrganisation(t.database.db, {
    kbo: '0200065765',
    name: 'Andere Werkgever BV',
    unitNumber: '2000000042',
    postcode: '9000',
  });
  await insertMember(t.database.db, org.id, people.jan);
  await insertMember(t.database.db, org.id, people.mia);
  await insertMember(t.database.db, otherOrg.id, people.other);
});

afterAll(async () => {
  await t.close();
});

async function loggedIn(person: typeof people.jan, organisationId: number): Promise<Agent> {
  const agent = request.agent(t.app);
  await loginForOrganisation(agent, person, organisationId);
  return agent;
}

async function logout(agent: Agent): Promise<void> {
  const start = await agent.get(paths.refund);
  await agent
    .post(paths.logout)
    .type('form')
    .send({ _csrf: csrfTokenFrom(start.text) });
}

/** The employees of the saved drafts listed on the start page. */
const savedDrafts = (start: Page) => start.table('Aanvragen die nog niet ingediend zijn').rows.map((r) => r[0]);

describe('saving and resuming a draft', () => {
  it('"Opslaan en later verdergaan" keeps even invalid input, lists the draft, and it survives logout', async () => {
    const jan = await loggedIn(people.jan, org.id);
    const first = await postForm(jan, `${paths.refund}/nieuw/werkgever`, validInput.werkgever(String(org.unitId)));
    const draftUrl = first.headers.location.replace(/\/werknemer$/, '');
    const saved = await postForm(jan, `${draftUrl}/werknemer`, {
      ...validInput.werknemer,
      firstName: 'Sofie',
      lastName: 'Bewaard',
      insz: '12345',
      actie: 'opslaan',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toMatch(/^\/terugbetaling\?bewaard=\d+$/);
    const start = page((await jan.get(saved.headers.location).expect(200)).text);
    expect(start.notices.some((n) => n.startsWith('Uw aanvraag is bewaard.'))).toBe(true);
    expect(savedDrafts(start)).toContain('Sofie Bewaard');
    expect(start.link('Verdergaan: aanvraag voor Sofie Bewaard,')).toBe(draftUrl);
    await logout(jan);

    // A colleague with the right resumes it; the saved values (and their problem) are shown.
    const mia = await loggedIn(people.mia, org.id);
    expect(savedDrafts(page((await mia.get(paths.refund)).text))).toContain('Sofie Bewaard');
    const resume = await mia.get(draftUrl);
    expect(resume.status).toBe(303);
    expect(resume.headers.location).toBe(`${draftUrl}/werknemer`);
    const step = await mia.get(`${draftUrl}/werknemer`).expect(200);
    expect(page(step.text).value('Voornaam')).toBe('Sofie');
    expect(fieldError(step.text, 'insz')).toMatch(/^Dit INSZ-nummer klopt niet/);

    // And Jan, after logging in again, sees it too.
    const again = await loggedIn(people.jan, org.id);
    expect(page((await again.get(paths.dossiers)).text).link('verdergaan met de aanvraag Sofie Bewaard')).toBe(
      draftUrl,
    );
  });

  it('sends a step not reached yet to the first unfinished step', async () => {
    const jan = await loggedIn(people.jan, org.id);
    expect((await jan.get(`${paths.refund}/nieuw/overzicht`)).headers.location).toBe(`${paths.refund}/nieuw/werkgever`);
    const first = await postForm(jan, `${paths.refund}/nieuw/werkgever`, validInput.werkgever(String(org.unitId)));
    const draftUrl = first.headers.location.replace(/\/werknemer$/, '');
    for (const slug of ['opleiding', 'initiatief', 'bijlagen', 'overzicht']) {
      const res = await jan.get(`${draftUrl}/${slug}`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`${draftUrl}/werknemer`);
    }
    // A POST to a step not reached yet saves nothing.
    const step = await jan.get(`${draftUrl}/werknemer`);
    const posted = await jan
      .post(`${draftUrl}/initiatief`)
      .type('form')
      .send({ ...validInput.initiatief, _csrf: csrfTokenFrom(step.text) });
    expect(posted.headers.location).toBe(`${draftUrl}/werknemer`);
    const id = Number(draftUrl.split('/').pop());
    expect((await t.database.db('refund_draft').where({ id }).first()).steps.initiatief).toBeUndefined();
    expect((await jan.get(`${paths.refund}/999999/werkgever`)).status).toBe(404);
    expect((await jan.get(`${paths.refund}/abc/werkgever`)).status).toBe(404);
    expect((await jan.get(`${draftUrl}/onbekend`)).status).toBe(404);
  });

  it('deletes a draft after confirmation, with a POST and its CSRF token', async () => {
    const jan = await loggedIn(people.jan, org.id);
    const first = await postForm(jan, `${paths.refund}/nieuw/werkgever`, validInput.werkgever(String(org.unitId)));
    const id = Number(first.headers.location.split('/')[2]);
    expect((await jan.post(`${paths.refund}/${id}/verwijderen`).type('form').send({})).status).toBe(403);
    const res = await postForm(jan, `${paths.refund}/${id}/verwijderen`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${paths.refund}?verwijderd=1`);
    expect(await t.database.db('refund_draft').where({ id }).first()).toBeUndefined();
  });

  it('refuses a step POST without the CSRF token', async () => {
    const jan = await loggedIn(people.jan, org.id);
    expect(
      (
        await jan
          .post(`${paths.refund}/nieuw/werkgever`)
          .type('form')
          .send(validInput.werkgever(String(org.unitId)))
      ).status,
    ).toBe(403);
  });
});

describe('the right, checked on every step', () => {
  it('sends a visitor who is not logged in to the login, and shows 403 to a member without the right', async () => {
    const anonymous = await request(t.app).get(`${paths.refund}/nieuw/werkgever`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe(
      `${paths.login}?terug=${encodeURIComponent('/terugbetaling/nieuw/werkgever')}`,
    );
    const eva = { insz: '17073003384', firstName: 'Eva', lastName: 'Zonderrecht', email: 'eva@example.be' };
    await insertMember(t.database.db, org.id, eva, false);
    const agent = await loggedIn(eva, org.id);
    const res = await agent.get(paths.refund);
    expect(res.status).toBe(403);
    expect((await agent.get(paths.dossiers)).status).toBe(403);
  });

  it('a right revoked mid-way gives the 403 page at the next step, and the draft is kept', async () => {
    const person = { insz: '98472899765', firstName: 'Rik', lastName: 'Ingetrokken', email: 'rik@example.be' };
    const rikId = await insertMember(t.database.db, org.id, person);
    const rik = await loggedIn(person, org.id);
    const first = await postForm(rik, `${paths.refund}/nieuw/werkgever`, validInput.werkgever(String(org.unitId)));
    const draftUrl = first.headers.location.replace(/\/werknemer$/, '');
    const step = await rik.get(`${draftUrl}/werknemer`).expect(200);

    await revokeRight(t.database.db, rikId, org.id);
    const posted = await rik
      .post(`${draftUrl}/werknemer`)
      .type('form')
      .send({ ...validInput.werknemer, _csrf: csrfTokenFrom(step.text) });
    expect(posted.status).toBe(403);
    const refused = page(posted.text);
    expect(refused.h1).toBe('U hebt het gebruikersrecht niet');
    expect(refused.main).toContain('Wat u al had ingevuld, blijft bewaard.');
    expect((await rik.get(`${draftUrl}/werknemer`)).status).toBe(403);

    const id = Number(draftUrl.split('/').pop());
    const draft = await t.database.db('refund_draft').where({ id }).first();
    expect(draft.steps.werkgever.contactName).toBe('Jan Werkgever');
    expect(draft.steps.werknemer).toBeUndefined();

    // Granted again: the draft is there to continue.
    await t.database.db('user_right').insert({
      person_id: rikId,
      organisation_id: org.id,
      role: 'DWSE organisatieverantwoordelijke',
      context: 'opleidingsverlof',
    });
    expect((await rik.get(`${draftUrl}/werknemer`)).status).toBe(200);
  });
});

describe('another organisation’s ids', () => {
  it('are not found: drafts, steps, attachments, deletion, dossiers, receipts and PDFs', async () => {
    const jan = await loggedIn(people.jan, org.id);
    const draftUrl = await completeDraft(jan, org.unitId);
    const bijlagen = await jan.get(`${draftUrl}/bijlagen`);
    await jan
      .post(`${draftUrl}/bijlagen`)
      .field('_csrf', csrfTokenFrom(bijlagen.text))
      .field('actie', 'toevoegen')
      .attach('inschrijvingsattest', Buffer.from('%PDF-1.4\n'), 'attest.pdf');
    const attachment = await t.database.db('attachment').orderBy('id', 'desc').first('id');
    const openDraftUrl = await completeDraft(jan, org.unitId, { werknemer: { insz: '17073003384' } });
    const receiptUrl = await submitDraft(jan, draftUrl);

    const olaf = await loggedIn(people.other, otherOrg.id);
    const token = csrfTokenFrom((await olaf.get(paths.refund)).text);
    for (const url of [
      openDraftUrl,
      `${openDraftUrl}/werknemer`,
      `${openDraftUrl}/overzicht`,
      `${openDraftUrl}/verwijderen`,
      `${draftUrl}/bijlagen/${attachment.id}`,
      receiptUrl,
      `${receiptUrl}/ontvangstbevestiging.pdf`,
    ]) {
      expect((await olaf.get(url)).status, url).toBe(404);
    }
    for (const url of [
      `${openDraftUrl}/werknemer`,
      `${openDraftUrl}/overzicht`,
      `${openDraftUrl}/verwijderen`,
      `${draftUrl}/bijlagen/${attachment.id}/verwijderen`,
    ]) {
      expect(
        (
          await olaf
            .post(url)
            .type('form')
            .send({ ...validInput.werknemer, declaration: 'ja', _csrf: token })
        ).status,
        url,
      ).toBe(404);
    }
    expect((await olaf.get(paths.dossiers)).text).not.toContain(receiptUrl.split('/').pop());
    expect((await olaf.get(paths.refund)).text).not.toContain('Eva Werknemer');
    // Nothing of it changed.
    expect(await t.database.db('attachment').where({ id: attachment.id }).first('id')).toBeDefined();
    expect(
      await t.database
        .db('refund_draft')
        .where({ id: Number(openDraftUrl.split('/').pop()) })
        .first('id'),
    ).toBeDefined();
    expect(await t.database.db('dossier').count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('a person acting in their own name is sent to choose an organisation', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, { insz: '01021426657', firstName: 'Piet', lastName: 'Zondermeer' });
    const res = await agent.get(paths.refund);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(paths.chooseOrganisation);
  });
});

describe('submitting', () => {
  it('a submitted draft cannot be deleted or changed any more; its attachments stay', async () => {
    const jan = await loggedIn(people.jan, org.id);
    const draftUrl = await completeDraft(jan, org.unitId, {
      werknemer: { insz: '85073003328', email: '' },
      opleiding: { odbNumber: '4242' },
    });
    const upload = await jan.get(`${draftUrl}/bijlagen`);
    await jan
      .post(`${draftUrl}/bijlagen`)
      .field('_csrf', csrfTokenFrom(upload.text))
      .field('actie', 'toevoegen')
      .attach('inschrijvingsattest', Buffer.from('%PDF-1.4\n'), 'attest.pdf');
    const attachment = await t.database.db('attachment').orderBy('id', 'desc').first('id');
    const receiptUrl = await submitDraft(jan, draftUrl);
    expect(
      (await postForm(jan, `${paths.refund}/nieuw/werkgever`, validInput.werkgever(String(org.unitId)))).status,
    ).toBe(303); // the form still works
    const token = csrfTokenFrom((await jan.get(paths.refund)).text);
    const deleted = await jan.post(`${draftUrl}/verwijderen`).type('form').send({ _csrf: token });
    expect(deleted.headers.location).toBe(receiptUrl);
    const changed = await jan
      .post(`${draftUrl}/werknemer`)
      .type('form')
      .send({ ...validInput.werknemer, firstName: 'Nadien', _csrf: token });
    expect(changed.headers.location).toBe(receiptUrl);
    const removed = await jan
      .post(`${draftUrl}/bijlagen/${attachment.id}/verwijderen`)
      .type('form')
      .send({ _csrf: token });
    expect(removed.headers.location).toBe(receiptUrl);
    expect(await t.database.db('attachment').where({ id: attachment.id }).first('id')).toBeDefined();
    const dossier = await t.database
      .db('dossier')
      .where({ dossiernummer: receiptUrl.split('/').pop() })
      .first();
    expect(dossier.employee_first_name).toBe('Eva');
    // No e-mail address for the employee: only the submitter's receipt is queued.
    const mails = await t.database
      .db('mail_outbox')
      .whereRaw('subject like ?', [`%${dossier.dossiernummer}%`])
      .select('kind');
    expect(mails.map((m) => m.kind)).toEqual(['refund-receipt-employer']);
    // The snapshot is immutable in the database itself.
    await expect(
      t.database.db('dossier').where({ id: dossier.id }).update({ employee_first_name: 'Anders' }),
    ).rejects.toThrow(/can not be changed/);
    await t.database.db('dossier').where({ id: dossier.id }).update({ status: 'goedgekeurd' });
  });

  it('Bevestigen of the same draft several times at once (double click, two colleagues) files one dossier', async () => {
    const jan = await loggedIn(people.jan, org.id);
    const mia = await loggedIn(people.mia, org.id);
    const draftUrl = await completeDraft(jan, org.unitId, {
      werknemer: { insz: '90.06.21-178.57' },
      opleiding: { odbNumber: '9090' },
    });
    const tokenJan = csrfTokenFrom((await jan.get(`${draftUrl}/overzicht`)).text);
    const tokenMia = csrfTokenFrom((await mia.get(`${draftUrl}/overzicht`)).text);
    const confirm = (agent: Agent, token: string) =>
      agent.post(`${draftUrl}/overzicht`).type('form').send({ _csrf: token, actie: 'volgende', declaration: 'ja' });
    const results = await Promise.all([confirm(jan, tokenJan), confirm(mia, tokenMia), confirm(jan, tokenJan)]);
    const receiptUrl = results[0].headers.location as string;
    expect(receiptUrl).toMatch(/^\/mijn-dossiers\/VOV-2025-\d{6}$/);
    expect(results.map((r) => [r.status, r.headers.location])).toEqual(Array(3).fill([303, receiptUrl]));
    const dossiernummer = receiptUrl.split('/').pop()!;
    expect(await t.database.db('dossier').where({ odb_number: '9090' }).select('dossiernummer')).toEqual([
      { dossiernummer },
    ]);
    // One receipt for the employer and one for the employee, one audit entry.
    expect(await t.database.db('mail_outbox').whereLike('subject', `%${dossiernummer}%`).count({ n: '*' })).toEqual([
      { n: 2 },
    ]);
    expect(
      await t.database
        .db('audit_log')
        .where({ action: 'refund.submitted' })
        .whereRaw(`details->>'dossiernummer' = ?`, [dossiernummer])
        .count({ n: '*' }),
    ).toEqual([{ n: 1 }]);
    expect((await mia.get(receiptUrl)).status).toBe(200);
  });

  it('two drafts for the same employee and training submitted at once give one dossier; the other is told why', async () => {
    const jan = await loggedIn(people.jan, org.id);
    const mia = await loggedIn(people.mia, org.id);
    const same = { werknemer: { insz: '12.11.05-001.13' }, opleiding: { odbNumber: '8080' } };
    const [a, b] = [await completeDraft(jan, org.unitId, same), await completeDraft(mia, org.unitId, same)];
    const tokenA = csrfTokenFrom((await jan.get(`${a}/overzicht`)).text);
    const tokenB = csrfTokenFrom((await mia.get(`${b}/overzicht`)).text);
    const results = await Promise.all([
      jan.post(`${a}/overzicht`).type('form').send({ _csrf: tokenA, actie: 'volgende', declaration: 'ja' }),
      mia.post(`${b}/overzicht`).type('form').send({ _csrf: tokenB, actie: 'volgende', declaration: 'ja' }),
    ]);
    const locations = results.map((r) => r.headers.location as string);
    expect(locations.filter((l) => l.startsWith(paths.dossiers))).toHaveLength(1);
    const loser = results.findIndex((r) => !r.headers.location.startsWith(paths.dossiers));
    const loserUrl = [a, b][loser];
    expect(locations[loser]).toBe(`${loserUrl}/opleiding?terug=overzicht`);
    const step = await [jan, mia][loser].get(locations[loser]).expect(200);
    expect(fieldError(step.text, 'odbNumber')).toMatch(
      /^Voor deze werknemer is er al een aanvraag voor deze opleiding in het schooljaar 2025-2026/,
    );
    expect(await t.database.db('dossier').where({ odb_number: '8080' }).count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('the database refuses a second dossier for the same employee, training and school year', async () => {
    const jan = await loggedIn(people.jan, org.id);
    const receiptUrl = await submitDraft(
      jan,
      await completeDraft(jan, org.unitId, { werknemer: { insz: testInsz(40) }, opleiding: { odbNumber: '7070' } }),
    );
    const row = await t.database
      .db('dossier')
      .where({ dossiernummer: receiptUrl.split('/').pop() })
      .first();
    const { id: _id, dossiernummer: _n, draft_id: _d, ...rest } = row;
    const draft = await t.database
      .db('refund_draft')
      .insert({ organisation_id: row.organisation_id, steps: '{}' })
      .returning('id');
    await expect(
      t.database.db('dossier').insert({
        ...rest,
        status: 'ingediend',
        snapshot: JSON.stringify(rest.snapshot),
        dossiernummer: 'VOV-2025-999999',
        draft_id: draft[0].id,
      }),
    ).rejects.toThrow(/dossier_one_per_training_idx/);
  });
});
