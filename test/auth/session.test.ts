import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, csrfTokenFrom, type TestApp } from '../helpers/app.js';
import { PAGE_WITH_HEADER, answerFromDevIdp, loginAs, localPart } from '../helpers/login.js';
import { newId } from '../../src/auth/dev-idp/saml-response.js';
import { signedRedirectUrl } from '../../src/auth/dev-idp/redirect-binding.js';
import { developmentKeyPair } from '../../src/auth/keys.js';
import { devIdpUrls } from '../../src/auth/saml-config.js';
import { generateKeyPairWithCertificate } from '../../src/auth/self-signed.js';
import { countRows, secondInstance } from './saml-fixtures.js';
import { paths } from '../../src/paths.js';
import { page } from '../helpers/page.js';
import { insertMember, insertOrganisation, loginForOrganisation, people } from '../refund/fixtures.js';

const sessionCookie = (setCookie: string[] | string | undefined) =>
  [setCookie ?? []]
    .flat()
    .find((c) => c.startsWith('loket='))
    ?.split(';')[0];

/** Whom the site header shows as logged in: the person's name next to an Afmelden button, or nobody. */
const loggedIn = (html: string): string | undefined => {
  const shown = page(html);
  return shown.buttons.includes('Afmelden') ? shown.header : undefined;
};

describe('sessions around login and logout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '10000' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('gives a new session id at login, dropping the session from before', async () => {
    const agent = request.agent(t.app);
    const answer = await answerFromDevIdp(agent, { insz: '85073003328', firstName: 'Lotte', lastName: 'Peeters' });
    // The dev IdP's forms (same site) gave this browser a session before login.
    const before = (await t.database.db('session').select('sid')).map((r) => r.sid as string);
    expect(before.length).toBeGreaterThan(0);
    const res = await agent.post(answer.acsPath).type('form').send({ SAMLResponse: answer.samlResponse });
    expect(res.status).toBe(303);
    const cookie = sessionCookie(res.headers['set-cookie']);
    expect(cookie).toBeDefined();
    const sid = decodeURIComponent(cookie!.slice('loket='.length)).replace(/^s:/, '').split('.')[0];
    expect(before).not.toContain(sid);
    const session = await t.database.db('session').where({ sid }).first();
    expect(session.sess).toMatchObject({ personId: expect.any(Number) });
    expect(session.sess.createdAt).toEqual(expect.any(Number));
    expect(session.sess.lastSeenAt).toEqual(expect.any(Number));
    expect(await t.database.db('session').whereIn('sid', before).first()).toBeUndefined();
  });

  it('refreshes names and e-mail at the next login and records the digital key used', async () => {
    await loginAs(request.agent(t.app), {
      insz: '90062117857',
      firstName: 'Eva',
      lastName: 'Werknemer',
      email: 'eva@example.org',
    });
    const agent = request.agent(t.app);
    const first = await answerFromDevIdp(
      agent,
      { insz: '90062117857', firstName: 'Eva', lastName: 'Janssens', email: 'eva.janssens@example.org' },
      { key: 'eidas' },
    );
    expect((await agent.post(first.acsPath).type('form').send({ SAMLResponse: first.samlResponse })).status).toBe(303);
    const people = await t.database.db('person').where({ insz: '90062117857' });
    expect(people).toHaveLength(1);
    expect(people[0]).toMatchObject({
      last_name: 'Janssens',
      email: 'eva.janssens@example.org',
      last_login_method: 'urn:wse-loket:dev-idp:ac:eidas',
    });
    expect(people[0].last_login_at).toBeInstanceOf(Date);
    const audit = await t.database.db('audit_log').where({ action: 'login.succeeded', actor_person_id: people[0].id });
    expect(audit.length).toBe(2);
  });

  it('logs out: the session is destroyed, the IdP is told, and the old cookie is useless', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, { insz: '68110304512' });
    const home = await agent.get(PAGE_WITH_HEADER).expect(200);
    expect(loggedIn(home.text)).toContain('Jan Werkgever');
    const cookieBefore = (await t.database.db('session').count<{ count: number }[]>('* as count').first())!.count;

    // Without the CSRF token: refused.
    await agent.post('/afmelden').type('form').send({}).expect(403);

    const out = await agent
      .post('/afmelden')
      .type('form')
      .send({ _csrf: csrfTokenFrom(home.text) });
    expect(out.status).toBe(303);
    const toIdp = new URL(out.headers.location);
    expect(toIdp.pathname).toBe('/dev-idp/slo');
    expect(toIdp.searchParams.get('Signature')).toBeTruthy();
    const idpAnswer = await agent.get(localPart(out.headers.location)).expect(303);
    expect(new URL(idpAnswer.headers.location).pathname).toBe('/auth/saml/slo');
    const back = await agent.get(localPart(idpAnswer.headers.location)).expect(303);
    expect(back.headers.location).toBe('/afgemeld');
    const afgemeld = page((await agent.get('/afgemeld').expect(200)).text);
    expect(afgemeld.h1).toBe('U bent afgemeld');
    expect(afgemeld.link('Opnieuw aanmelden')).toBe(paths.login);
    expect(afgemeld.header).not.toContain('Jan Werkgever');
    expect(afgemeld.buttons).not.toContain('Afmelden');
    expect(Number((await t.database.db('session').count<{ count: number }[]>('* as count').first())!.count)).toBe(
      Number(cookieBefore) - 1,
    );
    expect(loggedIn((await agent.get(PAGE_WITH_HEADER).expect(200)).text)).toBeUndefined();
    const jan = await t.database.db('person').where({ insz: '68110304512' }).first('id');
    expect(await t.database.db('audit_log').where({ action: 'logout', actor_person_id: jan.id }).first()).toBeDefined();
  });

  it('ignores the old cookie after logout even when replayed', async () => {
    const agent = request.agent(t.app);
    const answer = await answerFromDevIdp(agent, { insz: '75041212353' });
    const acs = await agent.post(answer.acsPath).type('form').send({ SAMLResponse: answer.samlResponse }).expect(303);
    const stolen = sessionCookie(acs.headers['set-cookie'])!;
    const home = await request(t.app).get(PAGE_WITH_HEADER).set('Cookie', stolen).expect(200);
    expect(loggedIn(home.text)).toContain('An Beheerder');
    await agent
      .post('/afmelden')
      .type('form')
      .send({ _csrf: csrfTokenFrom(home.text) })
      .expect(303);
    const replay = await request(t.app).get(PAGE_WITH_HEADER).set('Cookie', stolen).expect(200);
    expect(loggedIn(replay.text)).toBeUndefined();
  });

  it('ends the session when the IdP sends a signed LogoutRequest (logout started elsewhere)', async () => {
    const agent = request.agent(t.app);
    const answer = await answerFromDevIdp(agent, { insz: '01021426657' });
    const acs = await agent.post(answer.acsPath).type('form').send({ SAMLResponse: answer.samlResponse }).expect(303);
    const cookie = sessionCookie(acs.headers['set-cookie'])!;
    const sid = decodeURIComponent(cookie.slice('loket='.length)).replace(/^s:/, '').split('.')[0];
    const { sess } = await t.database.db('session').where({ sid }).first();
    const logoutRequest = (nameId: string) =>
      `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${t.config.publicUrl}/auth/saml/slo">` +
      `<saml:Issuer>${devIdpUrls(t.config).entityId}</saml:Issuer><saml:NameID>${nameId}</saml:NameID></samlp:LogoutRequest>`;
    const idpKey = developmentKeyPair(t.config, 'dev-idp').key;

    // Unsigned, or signed by someone else: refused, the session stays.
    const unsigned = new URL(
      signedRedirectUrl(
        `${t.config.publicUrl}/auth/saml/slo`,
        'SAMLRequest',
        logoutRequest(sess.saml.nameID),
        undefined,
        idpKey,
      ),
    );
    unsigned.searchParams.delete('Signature');
    await agent.get(localPart(unsigned.toString())).expect(400);
    const forged = signedRedirectUrl(
      `${t.config.publicUrl}/auth/saml/slo`,
      'SAMLRequest',
      logoutRequest(sess.saml.nameID),
      undefined,
      generateKeyPairWithCertificate('x').key,
    );
    await agent.get(localPart(forged)).expect(400);
    expect(await t.database.db('session').where({ sid }).first()).toBeDefined();

    const res = await agent
      .get(
        localPart(
          signedRedirectUrl(
            `${t.config.publicUrl}/auth/saml/slo`,
            'SAMLRequest',
            logoutRequest(sess.saml.nameID),
            undefined,
            idpKey,
          ),
        ),
      )
      .expect(303);
    const back = new URL(res.headers.location);
    expect(back.pathname).toBe('/dev-idp/slo');
    expect(back.searchParams.get('SAMLResponse')).toBeTruthy();
    expect(await t.database.db('session').where({ sid }).first()).toBeUndefined();
  });

  it('finishes on instance B a login started on instance A (one database)', async () => {
    const b = secondInstance(t);
    try {
      const before = await countRows(t, 'saml_request');
      const start = await request(t.app).get('/aanmelden').expect(302);
      expect(await countRows(t, 'saml_request')).toBe(before + 1); // stored in PostgreSQL, not in A's memory
      const sso = new URL(start.headers.location);
      const onB = request.agent(b);
      const keyPage = await onB.get(`${sso.pathname}${sso.search}&sleutel=sms`).expect(200);
      const posted = await onB
        .post(sso.pathname)
        .type('form')
        .send({
          _csrf: csrfTokenFrom(keyPage.text),
          SAMLRequest: sso.searchParams.get('SAMLRequest'),
          SigAlg: sso.searchParams.get('SigAlg'),
          Signature: sso.searchParams.get('Signature'),
          sleutel: 'sms',
          persoon: 'piet',
        })
        .expect(200);
      const samlResponse = page(posted.text).$('input[name=SAMLResponse]').attr('value')!;
      // The same browser: it brings the login cookie A gave it.
      const loginCookie = String(start.headers['set-cookie'][0]).split(';')[0];
      const acs = await onB
        .post('/auth/saml/acs')
        .set('Cookie', loginCookie)
        .type('form')
        .send({ SAMLResponse: samlResponse });
      expect(acs.status).toBe(303);
      expect(loggedIn((await onB.get(PAGE_WITH_HEADER).expect(200)).text)).toContain('Piet Zondermeer');
      // And the session works on A as well.
      const cookie = sessionCookie(acs.headers['set-cookie'])!;
      expect(loggedIn((await request(t.app).get(PAGE_WITH_HEADER).set('Cookie', cookie).expect(200)).text)).toContain(
        'Piet Zondermeer',
      );
    } finally {
      await b.close();
    }
  });
});

describe("session time-outs on the app's clock", () => {
  let clock = new Date('2026-03-02T09:00:00Z');
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ SESSION_IDLE_MINUTES: '30' }, { now: () => clock });
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps a session used within the idle time and ends one idle for longer, with a notice', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, { insz: '68110304512' });
    clock = new Date(clock.getTime() + 29 * 60_000);
    expect(loggedIn((await agent.get(PAGE_WITH_HEADER).expect(200)).text)).toContain('Jan Werkgever');
    clock = new Date(clock.getTime() + 29 * 60_000); // idle time counts from the last request
    expect(loggedIn((await agent.get(PAGE_WITH_HEADER).expect(200)).text)).toContain('Jan Werkgever');
    clock = new Date(clock.getTime() + 31 * 60_000);
    await agent.get(PAGE_WITH_HEADER).expect(303).expect('Location', '/sessie-verlopen');
    const expired = page((await agent.get('/sessie-verlopen').expect(200)).text);
    expect(expired.h1).toBe('Uw sessie is verlopen');
    expect(expired.main).toContain('U was een tijd niet actief');
    expect(expired.link('Opnieuw aanmelden')).toBe(paths.login);
    expect(loggedIn((await agent.get(PAGE_WITH_HEADER).expect(200)).text)).toBeUndefined();
  });

  it('whether a right with an end date still counts: through that day in Brussels, not after', async () => {
    const org = await insertOrganisation(t.database.db, {
      kbo: '0403170701',
      name: 'Bouwbedrijf De Meeuw NV',
      unitNumber: '2147812701',
    });
    const miaId = await insertMember(t.database.db, org.id, people.mia);
    await t.database.db('user_right').where({ person_id: miaId }).update({ valid_until: '2026-03-31' });
    clock = new Date('2026-03-31T21:50:00Z'); // 23:50 in Brussels, the last day
    const agent = request.agent(t.app);
    await loginForOrganisation(agent, people.mia, org.id);
    await agent.get(paths.refund).expect(200);
    clock = new Date('2026-03-31T22:10:00Z'); // 00:10 on 1 April in Brussels
    await agent.get(paths.refund).expect(403);
  });
});
