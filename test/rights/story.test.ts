import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatInsz } from '../../src/domain/insz.js';
import { createLogger } from '../../src/http/logger.js';
import { createMailWorker, type MailWorker } from '../../src/mail/worker.js';
import { buildTestApp, csrfTokenFrom, TEST_PUBLIC_URL, type TestApp } from '../helpers/app.js';
import { localPart, loginAs, type Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../helpers/smtp.js';
import { organisationWith, person, testKbo, type TestPerson } from '../organisations/fixtures.js';

/**
 * The path of the source document, played by three people in their own browsers: an employee requests
 * the right, the local administrators get a mail, one grants it, the employee gets a mail and can start.
 * Every test starts from a fresh portal and mailbox and walks the story up to the step it checks.
 */

let t: TestApp;
let smtp: SmtpCapture;
let worker: MailWorker;
let orgId: number;

const an = person(11, 'An', 'Beheerder');
const bert = person(12, 'Bert', 'Bestuurder');
const eva = person(13, 'Eva', 'Werknemer');
const frank = person(14, 'Frank', 'Vervanger');
const gert = person(15, 'Gert', 'Geduld');
const hanne = person(17, 'Hanne', 'Herroep');
const ORG_NAME = 'Bouwbedrijf De Meeuw NV';

/** Lets the worker send everything that is due, as the running portal would within seconds. */
let workerAhead = 0;

async function deliverMail(): Promise<void> {
  for (;;) {
    const { sent, failed } = await worker.runOnce();
    if (sent + failed === 0) return;
  }
}

const mailsTo = (p: TestPerson) => smtp.messages.filter((m) => m.to.includes(p.email));

/** Logs in and chooses the organisation, as a user does after every login. */
async function loggedInFor(p: TestPerson): Promise<Agent> {
  const agent = request.agent(t.app);
  expect(localPart(await loginAs(agent, p))).toBe('/organisatie-kiezen');
  const page = await agent.get('/organisatie-kiezen');
  const res = await agent
    .post('/organisatie-kiezen')
    .type('form')
    .send({ _csrf: csrfTokenFrom(page.text), keuze: String(orgId) });
  expect(res.status).toBe(303);
  return agent;
}

async function postFrom(agent: Agent, pagePath: string, action: string, fields: Record<string, string> = {}) {
  const page = await agent.get(pagePath);
  expect(page.status).toBe(200);
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: csrfTokenFrom(page.text), ...fields });
}

function linkIn(mail: CapturedMail): string {
  const m = /(http:\/\/127\.0\.0\.1:3999\/[^\s]*)/.exec(mail.text);
  expect(m, 'mail has an absolute link from PUBLIC_URL').not.toBeNull();
  expect(page(mail.html).links.map((l) => l.href)).toContain(m![1]);
  return localPart(m![1]);
}

function expectNoFullInsz(mail: CapturedMail, p: TestPerson): void {
  for (const body of [mail.text, mail.html, mail.subject]) {
    expect(body).not.toContain(p.insz);
    expect(body).not.toContain(formatInsz(p.insz));
  }
}

async function requestRight(agent: Agent) {
  const res = await postFrom(agent, '/aanvraag', '/gebruikersrecht-aanvragen');
  expect(res.status).toBe(303);
  return res;
}

/** The story up to Eva's request: her browser, logged in for De Meeuw, the request filed. */
async function evaHasAsked(): Promise<Agent> {
  const agent = await loggedInFor(eva);
  await requestRight(agent);
  return agent;
}

/** The link to a request in the mail the administrators received. */
async function requestLinkMailedFor(requester: TestPerson): Promise<string> {
  await deliverMail();
  return linkIn(mailsTo(an).find((m) => m.text.includes(`${requester.firstName} ${requester.lastName}`))!);
}

/** The story up to the grant: Eva asked, An opened the mailed link and granted the right without an end date. */
async function anGrantedEva(): Promise<{ evaAgent: Agent; anAgent: Agent; requestLink: string }> {
  const evaAgent = await evaHasAsked();
  const requestLink = await requestLinkMailedFor(eva);
  const anAgent = await loggedInFor(an);
  const res = await postFrom(anAgent, requestLink, `${requestLink}/toekennen`, { validUntil: '' });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe(requestLink);
  return { evaAgent, anAgent, requestLink };
}

beforeEach(async () => {
  workerAhead = 0;
  smtp = await startSmtpCapture();
  t = await buildTestApp({ SMTP_URL: smtp.url });
  worker = createMailWorker({
    db: t.database.db,
    config: t.config,
    logger: createLogger('silent'),
    // Real time, moved ahead by a test to skip the back-off after a failed send.
    now: () => new Date(Date.now() + workerAhead),
  });
  const { org } = await organisationWith(t.database.db, 1, ORG_NAME, {
    admins: [an, bert],
    users: [eva, frank, gert, hanne],
  });
  orgId = org.id;
});

afterEach(async () => {
  await worker.stop();
  await t.close();
  await smtp.stop();
});

describe('requesting and granting the VOV right', () => {
  it('the employee chooses the organisation and sees its home page with the menu', async () => {
    const evaAgent = await loggedInFor(eva);
    const home = await evaAgent.get('/');
    expect(home.status).toBe(200);
    const p = page(home.text);
    expect(p.h1).toBe(ORG_NAME);
    expect(p.main).toContain('0400.000.1');
    expect(p.link('Aanvraag')).toBe('/aanvraag');
    expect(p.link('Mijn dossiers')).toBeDefined();
    expect(p.link('Wissel van organisatie')).toBeDefined();
    const logout = p.form('Afmelden');
    expect([logout.method, logout.action]).toEqual(['post', '/afmelden']);
    expect(logout.csrf).not.toBe('');
    expect(p.link('Gebruikersbeheer')).toBeUndefined();
  });

  it('without the right, the Aanvraag page offers only "Gebruikersrecht aanvragen"', async () => {
    const evaAgent = await loggedInFor(eva);
    const res = await evaAgent.get('/aanvraag');
    expect(res.status).toBe(200);
    const p = page(res.text);
    expect(p.h1).toBe('Aanvraag');
    expect(p.main).toContain('Terugbetalingsaanvraag Vlaams opleidingsverlof');
    expect(p.form('Gebruikersrecht aanvragen').action).toBe('/gebruikersrecht-aanvragen');
    expect(p.links.filter((l) => l.href.startsWith('/terugbetaling'))).toEqual([]);
  });

  it('requesting records one pending request and confirms what happens next', async () => {
    const evaAgent = await loggedInFor(eva);
    const res = await requestRight(evaAgent);
    expect(res.headers.location).toBe('/gebruikersrecht-aanvragen/verstuurd');
    const sent = await evaAgent.get(res.headers.location);
    expect(sent.status).toBe(200);
    expect(page(sent.text).headings).toContain('Wat gebeurt er nu?');
    expect(page(sent.text).main).toContain(
      'De lokale beheerders van Bouwbedrijf De Meeuw NV hebben een e-mail gekregen',
    );

    const aanvraag = page((await evaAgent.get('/aanvraag')).text);
    expect(aanvraag.main).toMatch(/aangevraagd op \d{2}\/\d{2}\/\d{4} om \d{2}:\d{2}/);
    expect(aanvraag.buttons).not.toContain('Gebruikersrecht aanvragen');
  });

  it('a second request while one is pending files nothing new', async () => {
    const evaAgent = await evaHasAsked();
    const res = await evaAgent
      .post('/gebruikersrecht-aanvragen')
      .type('form')
      .send({ _csrf: csrfTokenFrom((await evaAgent.get('/')).text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/aanvraag');
    const { n } = (await t.database.db('right_request').where({ status: 'pending' }).count({ n: '*' }).first()) as {
      n: number;
    };
    expect(n).toBe(1);
  });

  it('every local administrator receives a mail with a working link, and no full INSZ', async () => {
    await evaHasAsked();
    await deliverMail();
    for (const admin of [an, bert]) {
      const mails = mailsTo(admin);
      expect(mails).toHaveLength(1);
      expect(mails[0].subject).toBe(`Aanvraag gebruikersrecht voor ${ORG_NAME}`);
      expect(mails[0].text).toContain(`Beste ${admin.firstName} ${admin.lastName}`);
      expect(mails[0].text).toContain(
        'Eva Werknemer vraagt in het WSE-loket het gebruikersrecht "DWSE organisatieverantwoordelijke" met context "opleidingsverlof" aan',
      );
      expectNoFullInsz(mails[0], eva);
    }
    expect(mailsTo(eva)).toHaveLength(0);
    const requestLink = linkIn(mailsTo(an)[0]);
    expect(requestLink).toMatch(/^\/gebruikersbeheer\/aanvragen\/\d+$/);
    expect(linkIn(mailsTo(bert)[0])).toBe(requestLink);
  });

  it('the link leads the administrator through login and the organisation choice to the request', async () => {
    await evaHasAsked();
    const requestLink = await requestLinkMailedFor(eva);
    const anAgent = request.agent(t.app);
    const anonymous = await anAgent.get(requestLink);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe(`/aanmelden?terug=${encodeURIComponent(requestLink)}`);

    expect(localPart(await loginAs(anAgent, an, { returnTo: requestLink }))).toBe(requestLink);
    const needsChoice = await anAgent.get(requestLink);
    expect(needsChoice.status).toBe(303);
    expect(needsChoice.headers.location).toBe(`/organisatie-kiezen?terug=${encodeURIComponent(requestLink)}`);
    const choose = await anAgent.get(needsChoice.headers.location);
    const chosen = await anAgent
      .post('/organisatie-kiezen')
      .type('form')
      .send({ _csrf: csrfTokenFrom(choose.text), keuze: String(orgId), terug: requestLink });
    expect(chosen.headers.location).toBe(requestLink);

    const detail = await anAgent.get(requestLink);
    expect(detail.status).toBe(200);
    const p = page(detail.text);
    expect(p.h1).toBe('Aanvraag gebruikersrecht van Eva Werknemer');
    expect(p.main).toContain('85.07.30-***.**');
    expect(detail.text).not.toContain(formatInsz(eva.insz));
    expect(p.main).toContain('Wacht op beslissing');
    expect(p.buttons).toEqual(expect.arrayContaining(['Toekennen', 'Weigeren']));
  });

  it('the administrator grants; the employee gets a mail and sees "Aanvragen" at the next request, without logging in again', async () => {
    const { evaAgent, anAgent, requestLink } = await anGrantedEva();
    const after = page((await anAgent.get(requestLink)).text);
    expect(after.notices.join(' ')).toContain('Het gebruikersrecht is toegekend');
    expect(after.main).toMatch(/Toegekend op \d{2}\/\d{2}\/\d{4}/);
    expect(after.buttons).not.toContain('Toekennen');

    await deliverMail();
    const mails = mailsTo(eva);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe(`Uw gebruikersrecht voor ${ORG_NAME} is toegekend`);
    expect(mails[0].text).toContain('Het recht heeft geen einddatum.');
    expect(mails[0].text).toContain('Klik op Aanvraag en daarna op Aanvragen.');
    expect(linkIn(mails[0])).toBe('/aanvraag');
    expectNoFullInsz(mails[0], eva);

    const aanvraag = page((await evaAgent.get('/aanvraag')).text);
    expect(aanvraag.link('Aanvragen')).toBe('/terugbetaling/nieuw/werkgever');
    expect(aanvraag.buttons).not.toContain('Gebruikersrecht aanvragen');
  });

  it('the second administrator finds the request decided and cannot decide it again', async () => {
    const { requestLink } = await anGrantedEva();
    const bertAgent = await loggedInFor(bert);
    const detail = await bertAgent.get(requestLink);
    expect(detail.status).toBe(200);
    expect(page(detail.text).main).toContain('Toegekend');
    const refuse = await bertAgent
      .post(`${requestLink}/weigeren`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(detail.text), reason: 'Te laat' });
    expect(refuse.status).toBe(303);
    expect(page((await bertAgent.get(requestLink)).text).notices).toContain('Over deze aanvraag werd al beslist.');
    const row = await t.database
      .db('right_request')
      .where({ person_id: (await t.database.db('person').where({ insz: eva.insz }).first()).id })
      .first();
    expect(row.status).toBe('granted');
  });

  it('the audit log of the organisation shows the request and the grant, with a masked INSZ', async () => {
    const { anAgent } = await anGrantedEva();
    const log = await anAgent.get('/gebruikersbeheer/logboek');
    expect(log.status).toBe(200);
    const rows = page(log.text)
      .table()
      .rows.map((r) => r.join(' | '));
    expect(rows.find((r) => r.includes('Gebruikersrecht aangevraagd'))).toContain('Eva Werknemer (85.07.30-***.**)');
    expect(rows.find((r) => r.includes('Gebruikersrecht toegekend'))).toContain('Eva Werknemer (85.07.30-***.**)');
    expect(log.text).not.toContain(formatInsz(eva.insz));
  });

  it('a revocation takes effect at the very next request, also in the refund form', async () => {
    const { evaAgent, anAgent } = await anGrantedEva();
    expect((await evaAgent.get('/terugbetaling')).status).not.toBe(403);
    const evaId = (await t.database.db('person').where({ insz: eva.insz }).first()).id;
    const userPage = await anAgent.get(`/gebruikersbeheer/gebruikers/${evaId}`);
    const revoke = page(userPage.text).form('Intrekken');
    expect(revoke.action).toMatch(/^\/gebruikersbeheer\/rechten\/\d+\/intrekken$/);
    const res = await anAgent.post(revoke.action).type('form').send(revoke.fields);
    expect(res.status).toBe(303);
    expect(page((await anAgent.get(res.headers.location)).text).notices.join(' ')).toContain(
      'Het gebruikersrecht is ingetrokken',
    );

    const refund = await evaAgent.get('/terugbetaling');
    expect(refund.status).toBe(403);
    expect(page(refund.text).main).toContain('U hebt het gebruikersrecht niet');

    const aanvraag = page((await evaAgent.get('/aanvraag')).text);
    expect(aanvraag.links.filter((l) => l.href.startsWith('/terugbetaling'))).toEqual([]);
    expect(aanvraag.main).toMatch(/Uw gebruikersrecht werd ingetrokken op \d{2}\/\d{2}\/\d{4}/);
    expect(aanvraag.buttons).toContain('Gebruikersrecht aanvragen');
    expect(
      page((await anAgent.get('/gebruikersbeheer/logboek')).text)
        .table()
        .rows.flat(),
    ).toContain('Gebruikersrecht ingetrokken');
  });
});

describe('refusing a request', () => {
  it('needs a reason, mails it to the requester, who sees it and may ask again', async () => {
    const frankAgent = await loggedInFor(frank);
    await requestRight(frankAgent);
    const link = await requestLinkMailedFor(frank);

    const anAgent = await loggedInFor(an);
    const empty = await postFrom(anAgent, link, `${link}/weigeren`, { reason: '   ' });
    expect(empty.status).toBe(400);
    const p = page(empty.text);
    expect(p.title).toMatch(/^Fout: /);
    expect(p.errorLinks).toEqual([
      { text: 'Vul de reden van de weigering in. De aanvrager krijgt ze te lezen.', href: '#reason' },
    ]);
    expect(p.fieldError('Reden van de weigering')).toBe(
      'Vul de reden van de weigering in. De aanvrager krijgt ze te lezen.',
    );

    const reason = 'U werkt niet op de personeelsdienst & u hebt dit recht niet nodig.';
    const refused = await postFrom(anAgent, link, `${link}/weigeren`, { reason });
    expect(refused.status).toBe(303);

    await deliverMail();
    const mail = mailsTo(frank).at(-1)!;
    expect(mail.subject).toBe(`Uw aanvraag voor een gebruikersrecht voor ${ORG_NAME} is geweigerd`);
    expect(mail.text).toContain(reason);
    expect(mail.html).toContain('U werkt niet op de personeelsdienst &amp; u hebt dit recht niet nodig.');
    expectNoFullInsz(mail, frank);

    const aanvraag = page((await frankAgent.get('/aanvraag')).text);
    expect(aanvraag.main).toMatch(/Uw aanvraag van .* werd geweigerd op/);
    expect(aanvraag.main).toContain(reason);
    expect(aanvraag.buttons).toContain('Gebruikersrecht aanvragen');

    const again = await requestRight(frankAgent);
    expect(again.headers.location).toBe('/gebruikersrecht-aanvragen/verstuurd');
  });
});

describe('withdrawing a request', () => {
  it('the requester withdraws it; the administrator finds it withdrawn and cannot grant it; the requester may ask again', async () => {
    const hanneAgent = await loggedInFor(hanne);
    await requestRight(hanneAgent);
    const link = await requestLinkMailedFor(hanne);
    expect(page((await hanneAgent.get('/aanvraag')).text).buttons).toContain('Aanvraag intrekken');

    const withdrawn = await postFrom(hanneAgent, '/aanvraag', '/gebruikersrecht-aanvragen/intrekken');
    expect(withdrawn.status).toBe(303);
    expect(withdrawn.headers.location).toBe('/aanvraag');
    const aanvraag = page((await hanneAgent.get('/aanvraag')).text);
    expect(aanvraag.main).toMatch(
      /U hebt uw aanvraag van \d{2}\/\d{2}\/\d{4} om \d{2}:\d{2} ingetrokken op \d{2}\/\d{2}\/\d{4} om \d{2}:\d{2}\./,
    );
    expect(aanvraag.buttons).toContain('Gebruikersrecht aanvragen');
    expect(aanvraag.buttons).not.toContain('Aanvraag intrekken');

    // Pressed again (a second tab): nothing pending, nothing changes.
    expect((await postFrom(hanneAgent, '/aanvraag', '/gebruikersrecht-aanvragen/intrekken')).headers.location).toBe(
      '/aanvraag',
    );
    const { id: hanneId } = await t.database.db('person').where({ insz: hanne.insz }).first();
    const rows = await t.database.db('right_request').where({ person_id: hanneId, organisation_id: orgId });
    expect(rows.map((r) => [r.status, r.decided_by])).toEqual([['withdrawn', hanneId]]);

    const anAgent = await loggedInFor(an);
    expect(page((await anAgent.get('/gebruikersbeheer')).text).link('Toekennen of weigeren voor Hanne Herroep')).toBe(
      undefined,
    );
    const request = page((await anAgent.get(link)).text);
    expect(request.main).toContain('Ingetrokken door de aanvrager');
    expect(request.buttons).not.toContain('Toekennen');
    const grant = await postFrom(anAgent, link, `${link}/toekennen`, { validUntil: '' });
    expect(page((await anAgent.get(grant.headers.location)).text).notices).toContain(
      'Over deze aanvraag werd al beslist.',
    );
    expect(await t.database.db('user_right').where({ person_id: hanneId })).toEqual([]);
    expect(
      page((await anAgent.get('/gebruikersbeheer/logboek')).text)
        .table()
        .rows.flat(),
    ).toContain('Aanvraag voor gebruikersrecht ingetrokken door de aanvrager');

    expect((await requestRight(hanneAgent)).headers.location).toBe('/gebruikersrecht-aanvragen/verstuurd');
  });
});

describe('an SMTP outage during a grant', () => {
  it('keeps the grant, and sends the mail once SMTP is back', async () => {
    const gertAgent = await loggedInFor(gert);
    await requestRight(gertAgent);
    const link = await requestLinkMailedFor(gert);
    const anAgent = await loggedInFor(an);

    await smtp.stop();
    try {
      const res = await postFrom(anAgent, link, `${link}/toekennen`, { validUntil: '31/12/2099' });
      expect(res.status).toBe(303);
      // The grant is in force although no mail could leave.
      expect(page((await gertAgent.get('/aanvraag')).text).link('Aanvragen')).toBe('/terugbetaling/nieuw/werkgever');
      await deliverMail();
      const row = await t.database.db('mail_outbox').where({ to_address: gert.email }).whereNull('sent_at').first();
      expect(row.attempts).toBe(1);
      expect(row.last_error).toBeTruthy();
    } finally {
      await smtp.start();
    }
    await deliverMail();
    expect(mailsTo(gert)).toHaveLength(0); // not due yet: the back-off (30 s) is respected
    workerAhead = 30_000;
    await deliverMail();
    const mails = mailsTo(gert);
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain('Het recht is geldig tot en met 31/12/2099.');
  });
});

describe('a person with only their own name', () => {
  it('is told to contact the local administrator or call 1700, and gets the personal home page', async () => {
    const piet = person(16, 'Piet', 'Zondermeer');
    const agent = request.agent(t.app);
    expect(localPart(await loginAs(agent, piet))).toBe('/organisatie-kiezen');
    const choose = await agent.get('/organisatie-kiezen');
    expect(choose.status).toBe(200);
    const p = page(choose.text);
    expect(p.form('Piet Zondermeer (in eigen naam)').action).toBe('/organisatie-kiezen');
    expect(
      p
        .$('strong')
        .toArray()
        .map((el) => p.$(el).text()),
    ).toEqual(expect.arrayContaining(['lokale beheerder', 'gebruikersbeheer']));
    expect(p.link('1700')).toBe('tel:1700');
    expect(p.links.map((l) => l.href)).toContain('/hulp#eigen-naam');

    const res = await agent
      .post('/organisatie-kiezen')
      .type('form')
      .send({ _csrf: csrfTokenFrom(choose.text), keuze: 'eigen-naam' });
    expect(res.headers.location).toBe('/persoonlijk');
    const personal = await agent.get('/persoonlijk');
    expect(personal.status).toBe(200);
    const own = page(personal.text);
    expect(own.main).toContain('vraagt u aan voor een organisatie');
    expect(own.header).toContain('In eigen naam');
    expect(own.link('Aanvraag')).toBeUndefined();

    expect((await agent.get('/')).headers.location).toBe('/persoonlijk');
    expect((await agent.get('/aanvraag')).headers.location).toBe(
      `/organisatie-kiezen?terug=${encodeURIComponent('/aanvraag')}`,
    );
  });
});

it('uses a KBO number from the fixtures that is valid', () => {
  expect(testKbo(1)).toMatch(/^04\d{8}$/);
  expect(TEST_PUBLIC_URL).toBe('http://127.0.0.1:3999');
});
