import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, formatDateNl, todayInBrussels } from '../../src/domain/dates.js';
import { formatInsz } from '../../src/domain/insz.js';
import { addUserSchema, grantRightSchema, refuseRequestSchema } from '../../src/admin/schemas.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { loginAs, type Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { organisationWith, person, testInsz, type TestPerson } from '../organisations/fixtures.js';

let t: TestApp;
let orgId: number;
let admin: Agent;
const beheerder = person(31, 'Hilde', 'Heylen');
const newcomer: TestPerson = {
  insz: testInsz(32),
  firstName: 'Nina',
  lastName: 'Nieuwkomer',
  email: 'nina@example.be',
};
const ORG = 'Drukkerij Delta CV';
// Every test below that needs an existing user adds its own (its own INSZ and name), so each `it` runs alone.
const already = person(33, 'Arne', 'Alreeds');
const withBadDate = person(34, 'Bart', 'Baddatum');
const granted = person(35, 'Gert', 'Gerechtigd');
const current = person(36, 'Cato', 'Courant');
const expiring = person(37, 'Eline', 'Eindigend');
const audited = person(38, 'Ode', 'Opgetekend');

async function chooseOrganisation(agent: Agent): Promise<void> {
  const choice = await agent.get('/organisatie-kiezen');
  await agent
    .post('/organisatie-kiezen')
    .type('form')
    .send({ _csrf: page(choice.text).csrf, keuze: String(orgId) });
}

async function postFrom(agent: Agent, pagePath: string, action: string, fields: Record<string, string>) {
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: page((await agent.get(pagePath)).text).csrf, ...fields });
}

const personIdOf = async (p: TestPerson) =>
  (await t.database.db('person').where({ insz: p.insz }).first()).id as number;

/** The administrator adds `p` as a user through the form; returns the person's id. */
async function addUser(p: TestPerson): Promise<number> {
  const res = await postFrom(admin, '/gebruikersbeheer/gebruikers/nieuw', '/gebruikersbeheer/gebruikers', {
    insz: formatInsz(p.insz),
    firstName: p.firstName,
    lastName: p.lastName,
    email: p.email,
  });
  expect(res.status).toBe(303);
  return personIdOf(p);
}

/** The administrator grants the right to user `id` from the user's page ('' = no end date). */
const grant = (id: number, validUntil: string) =>
  postFrom(admin, `/gebruikersbeheer/gebruikers/${id}`, `/gebruikersbeheer/gebruikers/${id}/recht`, { validUntil });

beforeAll(async () => {
  t = await buildTestApp();
  orgId = (await organisationWith(t.database.db, 201, ORG, { admins: [beheerder] })).org.id;
  admin = request.agent(t.app);
  await loginAs(admin, beheerder);
  await chooseOrganisation(admin);
});

afterAll(async () => {
  await t.close();
});

describe('the form schemas', () => {
  it('speak Dutch and normalise what they accept', () => {
    const ok = addUserSchema.safeParse({
      insz: ' 85.07.30-033.28 ',
      firstName: ' Jan ',
      lastName: 'Peeters',
      email: 'jan@example.be',
    });
    expect(ok.success && ok.data).toEqual({
      insz: '85073003328',
      firstName: 'Jan',
      lastName: 'Peeters',
      email: 'jan@example.be',
    });
    const bad = addUserSchema.safeParse({ insz: '85.07.30-033.29', firstName: '', email: 'geen-adres' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => `${String(i.path[0])}: ${i.message}`)).toEqual([
      'insz: Vul een geldig INSZ-nummer in, bijvoorbeeld 85.07.30-033.28. Controleer vooral de laatste twee cijfers.',
      'firstName: Vul de voornaam in.',
      'lastName: Vul de achternaam in.',
      'email: Vul een geldig e-mailadres in, bijvoorbeeld naam@bedrijf.be.',
    ]);
    const today = '2026-03-15';
    expect(grantRightSchema(today).parse({ validUntil: '' })).toEqual({ validUntil: null });
    expect(grantRightSchema(today).parse({ validUntil: '15/03/2026' })).toEqual({ validUntil: '2026-03-15' });
    expect(grantRightSchema(today).safeParse({ validUntil: '14/03/2026' }).error!.issues[0].message).toBe(
      'De einddatum mag niet in het verleden liggen.',
    );
    expect(grantRightSchema(today).safeParse({ validUntil: '31/02/2027' }).error!.issues[0].message).toMatch(
      /^Vul de einddatum in als dd\/mm\/jjjj/,
    );
    expect(refuseRequestSchema.safeParse({ reason: ' ' }).success).toBe(false);
  });
});

describe('adding a user', () => {
  it('re-shows the form with the errors and the typed values when something is wrong', async () => {
    const res = await postFrom(admin, '/gebruikersbeheer/gebruikers/nieuw', '/gebruikersbeheer/gebruikers', {
      insz: '85.07.30-033.29',
      firstName: 'Nina',
      lastName: '',
      email: 'nina@example.be',
    });
    expect(res.status).toBe(400);
    const p = page(res.text);
    expect(p.title).toBe('Fout: Gebruiker toevoegen – WSE-loket');
    expect(p.errorLinks.map((e) => e.href)).toEqual(['#insz', '#lastName']);
    expect(p.fieldError('INSZ-nummer (rijksregisternummer)')).toMatch(/^Vul een geldig INSZ-nummer in/);
    expect(p.fieldError('Achternaam')).toBe('Vul de achternaam in.');
    expect(p.value('INSZ-nummer (rijksregisternummer)')).toBe('85.07.30-033.29');
    expect(p.value('E-mailadres')).toBe('nina@example.be');
  });

  it('treats a field sent twice as not filled in, and never shows it back as "a,b"', async () => {
    const token = page((await admin.get('/gebruikersbeheer/gebruikers/nieuw')).text).csrf;
    const body = new URLSearchParams([
      ['_csrf', token],
      ['insz', '85.07.30-033.28'],
      ['insz', '79.02.11-123.45'],
      ['firstName', 'Nina'],
      ['lastName', 'Peeters'],
      ['email', 'nina@example.be'],
    ]);
    const res = await admin.post('/gebruikersbeheer/gebruikers').type('form').send(body.toString());
    expect(res.status).toBe(400);
    const p = page(res.text);
    expect(p.errorLinks).toEqual([{ text: 'Vul het INSZ-nummer in.', href: '#insz' }]);
    expect(p.value('INSZ-nummer (rijksregisternummer)')).toBe('');
    expect(res.text).not.toContain('85.07.30-033.28,79.02.11-123.45'); // nowhere in the source, hidden fields included
    expect(p.value('Voornaam')).toBe('Nina');
  });

  it('adds the person, who can then choose the organisation after login', async () => {
    const res = await postFrom(admin, '/gebruikersbeheer/gebruikers/nieuw', '/gebruikersbeheer/gebruikers', {
      insz: formatInsz(newcomer.insz),
      firstName: 'Nina',
      lastName: 'Nieuwkomer',
      email: newcomer.email,
    });
    expect(res.status).toBe(303);
    const id = await personIdOf(newcomer);
    expect(res.headers.location).toBe(`/gebruikersbeheer/gebruikers/${id}`);
    const shown = await admin.get(res.headers.location);
    const p = page(shown.text);
    expect(p.notices.join(' ')).toContain('Nina Nieuwkomer is toegevoegd als gebruiker.');
    expect(p.main).toContain('85.07.30-***.**');
    expect(shown.text).not.toContain(formatInsz(newcomer.insz)); // the full INSZ appears nowhere in the source
    expect(p.main).toContain('Nina Nieuwkomer heeft nog geen gebruikersrechten.');

    const nina = request.agent(t.app);
    await loginAs(nina, newcomer);
    expect(page((await nina.get('/organisatie-kiezen')).text).buttons.join(' ')).toContain(ORG);
  });

  it('refuses to add someone who already is a user', async () => {
    await addUser(already);
    const res = await postFrom(admin, '/gebruikersbeheer/gebruikers/nieuw', '/gebruikersbeheer/gebruikers', {
      insz: already.insz,
      firstName: already.firstName,
      lastName: already.lastName,
      email: already.email,
    });
    expect(res.status).toBe(400);
    expect(page(res.text).errors).toEqual([`Deze persoon is al gebruiker van ${ORG}.`]);
  });
});

describe('granting a right directly', () => {
  it('checks the end date', async () => {
    const id = await addUser(withBadDate);
    const yesterday = formatDateNl(addDays(todayInBrussels(new Date()), -1));
    for (const [validUntil, message] of [
      ['31/02/2030', 'Vul de einddatum in als dd/mm/jjjj'],
      [yesterday, 'De einddatum mag niet in het verleden liggen.'],
    ]) {
      const res = await grant(id, validUntil);
      expect(res.status).toBe(400);
      expect(page(res.text).fieldError('Geldig tot en met')).toContain(message);
      expect(page(res.text).value('Geldig tot en met')).toBe(validUntil);
    }
    expect(await t.database.db('user_right').where({ person_id: id }).first()).toBeUndefined();
  });

  it('grants with an end date, mails the user, and the right counts at their next request', async () => {
    const id = await addUser(granted);
    const gert = request.agent(t.app);
    await loginAs(gert, granted);
    await chooseOrganisation(gert);
    expect(page((await gert.get('/aanvraag')).text).buttons).toContain('Gebruikersrecht aanvragen');

    const res = await grant(id, '30/06/2099');
    expect(res.status).toBe(303);
    const p = page((await admin.get(res.headers.location)).text);
    expect(p.notices.join(' ')).toContain('Het gebruikersrecht is toegekend.');
    const [right] = p.table('Gebruikersrechten van').rows;
    expect(right.slice(0, 4)).toEqual([
      'DWSE organisatieverantwoordelijke – opleidingsverlof',
      expect.stringMatching(/^\d{2}\/\d{2}\/\d{4}$/),
      '30/06/2099',
      'Actief',
    ]);
    expect(p.buttons).not.toContain('Recht toekennen');

    const mail = await t.database.db('mail_outbox').where({ to_address: granted.email }).first();
    expect(mail.subject).toBe(`Uw gebruikersrecht voor ${ORG} is toegekend`);
    expect(mail.text_body).toContain('Het recht is geldig tot en met 30/06/2099.');

    expect(page((await gert.get('/aanvraag')).text).link('Aanvragen')).toBe('/terugbetaling/nieuw/werkgever');
    const overview = page((await admin.get('/gebruikersbeheer')).text);
    expect(
      overview
        .table(`Gebruikers van ${ORG}`)
        .rows.find((r) => r[0].startsWith('Gert Gerechtigd'))!
        .join(' '),
    ).toContain('DWSE organisatieverantwoordelijke – opleidingsverlof (actief, tot en met 30/06/2099)');
  });

  it('refuses a second grant while the right is current', async () => {
    const id = await addUser(current);
    expect((await grant(id, '')).status).toBe(303);
    const res = await admin
      .post(`/gebruikersbeheer/gebruikers/${id}/recht`)
      .type('form')
      .send({ _csrf: page((await admin.get('/gebruikersbeheer')).text).csrf, validUntil: '' });
    expect(res.status).toBe(303);
    expect(page((await admin.get(res.headers.location)).text).notices.join(' ')).toContain(
      'Deze gebruiker heeft het gebruikersrecht al.',
    );
    expect(await t.database.db('user_right').where({ person_id: id }).count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('an expired right no longer counts, and can be granted again', async () => {
    const id = await addUser(expiring);
    expect((await grant(id, '30/06/2099')).status).toBe(303);
    const yesterday = addDays(todayInBrussels(new Date()), -1);
    await t.database.db('user_right').where({ person_id: id }).update({ valid_until: yesterday });
    const eline = request.agent(t.app);
    await loginAs(eline, expiring);
    await chooseOrganisation(eline);
    const aanvraag = page((await eline.get('/aanvraag')).text);
    expect(aanvraag.main).toContain(
      `Uw gebruikersrecht was geldig tot en met ${formatDateNl(yesterday)} en is verlopen.`,
    );
    expect(aanvraag.buttons).toContain('Gebruikersrecht aanvragen');
    expect(page((await admin.get(`/gebruikersbeheer/gebruikers/${id}`)).text).table().rows[0]).toContain('Verlopen');

    const res = await grant(id, '');
    expect(res.status).toBe(303);
    expect(page((await eline.get('/aanvraag')).text).link('Aanvragen')).toBe('/terugbetaling/nieuw/werkgever');
    const rights = await t.database.db('user_right').where({ person_id: id }).orderBy('id');
    expect(rights).toHaveLength(2);
    expect(rights[0].revoked_at).not.toBeNull();
    expect(rights[1].valid_until).toBeNull();
  });

  it('is in the audit log, with masked INSZ numbers', async () => {
    expect((await grant(await addUser(audited), '')).status).toBe(303);
    const log = await admin.get('/gebruikersbeheer/logboek');
    const logRows = page(log.text)
      .table('Logboek')
      .rows.map((r) => r.join(' | '))
      .filter((r) => r.includes('Ode Opgetekend'));
    for (const action of ['Gebruiker toegevoegd', 'Gebruikersrecht toegekend']) {
      const row = logRows.find((r) => r.includes(action));
      expect(row).toContain('Hilde Heylen');
      expect(row).toContain('Ode Opgetekend (85.07.30-***.**)');
    }
    expect(log.text).not.toContain(formatInsz(audited.insz)); // the full INSZ appears nowhere in the source
    const rows = await t.database.db('audit_log').where({ organisation_id: orgId });
    for (const row of rows) expect(JSON.stringify(row.details)).not.toContain(audited.insz);
  });
});
