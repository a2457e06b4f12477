import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logger.js';
import { createMailWorker, type MailWorker } from '../../src/mail/worker.js';
import { addLocalAdministrator } from '../../src/organisations/service.js';
import { buildTestApp, csrfTokenFrom, type TestApp } from '../helpers/app.js';
import { type Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.js';
import { person, testInsz, testKbo } from '../organisations/fixtures.js';
import {
  completeDraft,
  fixedClock,
  insertOrganisation,
  loginForOrganisation,
  postForm,
  type TestOrganisation,
} from '../refund/fixtures.js';

/**
 * Issue 15, items 2 and 3: organisation A's local administrator adds the INSZ of organisation B's user with
 * an address of his own. What A types stays A's (shown to A, used for A's mails); B's pages and mails never
 * see it; A never sees what B entered or what the person's key gave, until the person logs in to A.
 * Every test starts from a fresh portal with both organisations and their administrators logged in.
 */

let t: TestApp;
let smtp: SmtpCapture;
let worker: MailWorker;
let orgA: TestOrganisation;
let orgB: TestOrganisation;
let anna: Agent;
let bea: Agent;

const annaP = person(41, 'Anna', 'Alfabeheer');
const beaP = person(42, 'Bea', 'Betabeheer');
// Bob is B's user; A's administrator adds him first. Yara is B's user too; B adds her before A does.
const bob = { insz: testInsz(43), firstName: 'Bob', lastName: 'Bakker', email: 'bob.sleutel@example.be' };
const yara = { insz: testInsz(44), firstName: 'Yara', lastName: 'Yildiz', email: 'yara.sleutel@example.be' };
const B_BOB = { firstName: 'Bob', lastName: 'Bakker', email: 'bob@beta.example' };
const A_BOB = { firstName: 'Xavier', lastName: 'Vals', email: 'omleiding@alfa.example' };
const B_YARA = { firstName: 'Yara', lastName: 'Yildiz', email: 'yara@beta.example' };
const A_YARA = { firstName: 'Zora', lastName: 'Zijpad', email: 'spion@alfa.example' };

async function deliverMail(): Promise<void> {
  for (;;) {
    const { sent, failed } = await worker.runOnce();
    if (sent + failed === 0) return;
  }
}

const recipients = () => smtp.messages.flatMap((m) => m.to);

/** GETs the page with the form, then POSTs it with the page's token to the form's action. */
async function postFrom(agent: Agent, pagePath: string, action: string, fields: Record<string, string>) {
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: csrfTokenFrom((await agent.get(pagePath)).text), ...fields });
}

/** Adds a user through gebruikersbeheer; returns the new user's page. */
async function addUser(
  admin: Agent,
  insz: string,
  entered: { firstName: string; lastName: string; email: string },
): Promise<string> {
  const added = await postFrom(admin, '/gebruikersbeheer/gebruikers/nieuw', '/gebruikersbeheer/gebruikers', {
    insz,
    ...entered,
  });
  expect(added.status).toBe(303);
  return added.headers.location;
}

async function grantDirectly(admin: Agent, personId: number) {
  const res = await postFrom(
    admin,
    `/gebruikersbeheer/gebruikers/${personId}`,
    `/gebruikersbeheer/gebruikers/${personId}/recht`,
    { validUntil: '' },
  );
  expect(res.status).toBe(303);
}

async function personIdOf(insz: string): Promise<number> {
  return (await t.database.db('person').where({ insz }).first('id')).id;
}

/** The user page as B sees it: E-mail from the summary list. */
const emailShown = (html: string) => Object.fromEntries(page(html).summary)['E-mail'];

/** A adds Bob first with an address of its own, then B adds him with his real one; returns B's page of Bob. */
async function bobAddedByBoth(): Promise<string> {
  await addUser(anna, bob.insz, A_BOB);
  return addUser(bea, bob.insz, B_BOB);
}

beforeEach(async () => {
  smtp = await startSmtpCapture();
  t = await buildTestApp({ SMTP_URL: smtp.url, LOGIN_RATE_LIMIT_PER_MINUTE: '100000' }, { now: fixedClock });
  worker = createMailWorker({
    db: t.database.db,
    config: t.config,
    logger: createLogger('silent'),
    retryBaseSeconds: 0.3,
  });
  const db = t.database.db;
  orgA = await insertOrganisation(db, { kbo: testKbo(41), name: 'Aannemer Alfa NV', unitNumber: '2147812701' });
  orgB = await insertOrganisation(db, { kbo: testKbo(42), name: 'Bakkerij Beta NV', unitNumber: '2000000042' });
  await addLocalAdministrator(db, { kbo: orgA.kbo, ...annaP });
  await addLocalAdministrator(db, { kbo: orgB.kbo, ...beaP });
  anna = request.agent(t.app);
  await loginForOrganisation(anna, annaP, orgA.id);
  bea = request.agent(t.app);
  await loginForOrganisation(bea, beaP, orgB.id);
});

afterEach(async () => {
  await worker.stop();
  await t.close();
  await smtp.stop();
});

describe('what an administrator enters belongs to that organisation only', () => {
  it('A adds Bob first with its own address; B adds him after: B sees only what B entered', async () => {
    const bobPage = await bea.get(await bobAddedByBoth());
    expect(bobPage.status).toBe(200);
    expect(page(bobPage.text).h1).toBe('Bob Bakker');
    expect(emailShown(bobPage.text)).toBe(B_BOB.email);
    const overview = await bea.get('/gebruikersbeheer');
    for (const source of [bobPage.text, overview.text]) {
      expect(source).not.toContain(A_BOB.email);
      expect(source).not.toContain('Vals');
    }
  });

  it("B's right-granted mail goes to B's address, never to the one A typed", async () => {
    await bobAddedByBoth();
    await grantDirectly(bea, await personIdOf(bob.insz));
    await deliverMail();
    const granted = smtp.messages.filter((m) => m.subject.includes('Bakkerij Beta NV'));
    expect(granted.map((m) => m.to)).toEqual([[B_BOB.email]]);
    expect(recipients()).not.toContain(A_BOB.email);
  });

  it("the receipt of Bob's refund request goes to the contact address typed in the form", async () => {
    await bobAddedByBoth();
    await grantDirectly(bea, await personIdOf(bob.insz));
    const bobAgent = request.agent(t.app);
    await loginForOrganisation(bobAgent, bob, orgB.id);
    const draft = await completeDraft(bobAgent, orgB.unitId, { werkgever: { contactEmail: 'personeel@beta.example' } });
    expect((await postForm(bobAgent, `${draft}/overzicht`, { actie: 'volgende', declaration: 'ja' })).status).toBe(303);
    await deliverMail();
    const receipts = smtp.messages.filter((m) => m.subject.startsWith('Ontvangstbevestiging'));
    expect(receipts.map((m) => m.to)).toEqual([['personeel@beta.example']]);
    expect(recipients()).not.toContain(A_BOB.email);
    expect(recipients()).not.toContain(bob.email);
  });

  it('B adds Yara first; A adding her INSZ learns nothing about her, only what A typed', async () => {
    await addUser(bea, yara.insz, B_YARA);
    const yaraAgent = request.agent(t.app);
    await loginForOrganisation(yaraAgent, yara, orgB.id); // her key's name and address are now known
    const yaraPage = await anna.get(await addUser(anna, yara.insz, A_YARA));
    expect(yaraPage.status).toBe(200);
    expect(page(yaraPage.text).h1).toBe('Zora Zijpad');
    expect(emailShown(yaraPage.text)).toBe(A_YARA.email);
    const overview = await anna.get('/gebruikersbeheer');
    const log = await anna.get('/gebruikersbeheer/logboek');
    for (const html of [yaraPage.text, overview.text, log.text]) {
      for (const secret of ['Yildiz', B_YARA.email, yara.email, 'Bakker', B_BOB.email, bob.email])
        expect(html).not.toContain(secret);
    }
  });

  it("once Yara logs in to A herself, A sees what her key gave; B's entries still never show in A", async () => {
    await addUser(bea, yara.insz, B_YARA);
    await loginForOrganisation(request.agent(t.app), yara, orgB.id);
    await addUser(anna, yara.insz, A_YARA);
    await loginForOrganisation(request.agent(t.app), yara, orgA.id);
    const yaraPage = await anna.get(`/gebruikersbeheer/gebruikers/${await personIdOf(yara.insz)}`);
    expect(page(yaraPage.text).h1).toBe('Yara Yildiz');
    expect(emailShown(yaraPage.text)).toBe(A_YARA.email);
    expect(yaraPage.text).not.toContain(B_YARA.email);
  });

  it("A's own mails about Bob go to the address A typed, and only A's", async () => {
    await bobAddedByBoth();
    await grantDirectly(bea, await personIdOf(bob.insz));
    await grantDirectly(anna, await personIdOf(bob.insz));
    await deliverMail();
    const toA = smtp.messages.filter((m) => m.to.includes(A_BOB.email));
    expect(toA.length).toBe(1);
    expect(toA[0].subject).toContain('Aannemer Alfa NV');
    expect(smtp.messages.filter((m) => m.subject.includes('Bakkerij Beta NV')).flatMap((m) => m.to)).not.toContain(
      A_BOB.email,
    );
  });
});
