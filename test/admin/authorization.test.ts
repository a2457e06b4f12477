import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRightsService } from '../../src/rights/service.js';
import { createMailComposer } from '../../src/mail/templates.js';
import { addLocalAdministrator } from '../../src/organisations/service.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { loginAs, type Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { organisationWith, person, testKbo, type TestPerson } from '../organisations/fixtures.js';

/** Gebruikersbeheer belongs to the local administrators of the chosen organisation, and to nobody else. */

let t: TestApp;
const aAdmin = person(21, 'Anna', 'Avermaet');
const aUser = person(22, 'Arne', 'Aerts');
const bAdmin = person(23, 'Bea', 'Bogaert');
const bUser = person(24, 'Bram', 'Bosmans');
/** Local administrator of A, plain user of B. */
const both = person(25, 'Carla', 'Claes');

let orgA: number;
let orgB: number;
const ids: Record<string, number> = {};
let requestOfA: number;
let requestOfB: number;
let rightOfA: number;
let rightOfB: number;

async function agentFor(p: TestPerson, organisationId: number): Promise<Agent> {
  const agent = request.agent(t.app);
  await loginAs(agent, p);
  const choice = await agent.get('/organisatie-kiezen');
  const res = await agent
    .post('/organisatie-kiezen')
    .type('form')
    .send({ _csrf: page(choice.text).csrf, keuze: String(organisationId) });
  expect(res.status).toBe(303);
  return agent;
}

/** A valid CSRF token of the agent's session, so a refusal can only come from authorisation. */
async function tokenOf(agent: Agent): Promise<string> {
  return page((await agent.get('/organisatie-kiezen')).text).csrf;
}

const pending = async (id: number) => (await t.database.db('right_request').where({ id }).first()).status;
const revokedAt = async (id: number) => (await t.database.db('user_right').where({ id }).first()).revoked_at;

const ONLY_ADMINS = 'Alleen een lokale beheerder van deze organisatie kan deze pagina gebruiken.';
/** The refusal page as the user reads it: its heading and what it says. */
function refusal(html: string): { h1: string; main: string } {
  const shown = page(html);
  return { h1: shown.h1, main: shown.main };
}

beforeAll(async () => {
  t = await buildTestApp();
  const db = t.database.db;
  const a = await organisationWith(db, 101, 'Aannemer Alfa BV', { admins: [aAdmin, both], users: [aUser] });
  const b = await organisationWith(db, 102, 'Bakkerij Beta NV', { admins: [bAdmin], users: [bUser, both] });
  orgA = a.org.id;
  orgB = b.org.id;
  for (const p of [aAdmin, aUser, both]) ids[p.insz] = a.personId(p);
  for (const p of [bAdmin, bUser]) ids[p.insz] = b.personId(p);

  // Each organisation has a pending request and a granted right.
  const rights = createRightsService({ db, mail: createMailComposer(t.config), now: () => new Date() });
  requestOfA = (await rights.requestRight({ personId: ids[aUser.insz], organisationId: orgA })).request!.id;
  requestOfB = (await rights.requestRight({ personId: ids[bUser.insz], organisationId: orgB })).request!.id;
  await rights.grantDirectly({ personId: ids[aAdmin.insz], organisationId: orgA }, ids[aAdmin.insz], null);
  await rights.grantDirectly({ personId: ids[bAdmin.insz], organisationId: orgB }, ids[bAdmin.insz], null);
  rightOfA = (await db('user_right').where({ organisation_id: orgA }).first()).id;
  rightOfB = (await db('user_right').where({ organisation_id: orgB }).first()).id;
});

afterAll(async () => {
  await t.close();
});

const everyPage = () => [
  '/gebruikersbeheer',
  `/gebruikersbeheer/aanvragen/${requestOfA}`,
  '/gebruikersbeheer/gebruikers/nieuw',
  `/gebruikersbeheer/gebruikers/${ids[aUser.insz]}`,
  '/gebruikersbeheer/logboek',
  '/gebruikersbeheer/iets-anders',
];

const everyAction = () => [
  { path: `/gebruikersbeheer/aanvragen/${requestOfA}/toekennen`, fields: { validUntil: '' } },
  { path: `/gebruikersbeheer/aanvragen/${requestOfA}/weigeren`, fields: { reason: 'Nee' } },
  {
    path: '/gebruikersbeheer/gebruikers',
    fields: { insz: '85.07.30-033.28', firstName: 'X', lastName: 'Y', email: 'x@y.be' },
  },
  { path: `/gebruikersbeheer/gebruikers/${ids[aUser.insz]}/recht`, fields: { validUntil: '' } },
  { path: `/gebruikersbeheer/rechten/${rightOfA}/intrekken`, fields: {} },
];

describe('a user without the local-administrator flag', () => {
  it('gets 403 on every gebruikersbeheer page', async () => {
    const agent = await agentFor(aUser, orgA);
    for (const path of everyPage()) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(403);
      expect(refusal(res.text), path).toEqual({
        h1: 'U hebt geen toegang tot deze pagina',
        main: expect.stringContaining(ONLY_ADMINS),
      });
    }
    const home = page((await agent.get('/')).text);
    expect(home.h1).toBe('Aannemer Alfa BV');
    expect(home.links.map((l) => l.href)).not.toContain('/gebruikersbeheer');
  });

  it('gets 403 on every gebruikersbeheer action, and nothing changes', async () => {
    const agent = await agentFor(aUser, orgA);
    const token = await tokenOf(agent);
    const membersBefore = await t.database.db('membership').count({ n: '*' }).first();
    for (const { path, fields } of everyAction()) {
      const res = await agent
        .post(path)
        .type('form')
        .send({ _csrf: token, ...fields });
      expect(res.status, path).toBe(403);
      expect(refusal(res.text).main, 'refused for the missing flag, not the token').toContain(ONLY_ADMINS);
    }
    expect(await pending(requestOfA)).toBe('pending');
    expect(await revokedAt(rightOfA)).toBeNull();
    expect(await t.database.db('user_right').where({ person_id: ids[aUser.insz] }).first()).toBeUndefined();
    expect(await t.database.db('membership').count({ n: '*' }).first()).toEqual(membersBefore);
  });

  it('is a local administrator only for the organisation where they have the flag', async () => {
    const inB = await agentFor(both, orgB);
    expect((await inB.get('/gebruikersbeheer')).status).toBe(403);
    const inA = await agentFor(both, orgA);
    expect((await inA.get('/gebruikersbeheer')).status).toBe(200);
  });

  it('is sent to login when not logged in, and refused a form post', async () => {
    const anonymous = request.agent(t.app);
    const res = await anonymous.get('/gebruikersbeheer');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/aanmelden?terug=%2Fgebruikersbeheer');
    expect((await anonymous.post(`/gebruikersbeheer/rechten/${rightOfA}/intrekken`).type('form').send({})).status).toBe(
      403,
    );
  });
});

describe('a local administrator of organisation A', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await agentFor(aAdmin, orgA);
  });

  it('sees its own users and requests', async () => {
    const res = await agent.get('/gebruikersbeheer');
    expect(res.status).toBe(200);
    const overview = page(res.text);
    expect(overview.table('Gebruikers van Aannemer Alfa BV').rows.map((r) => r[0])).toContain('Arne Aerts');
    expect(overview.table('Aanvragen voor een gebruikersrecht').rows.map((r) => r[0])).toEqual(['Arne Aerts']);
    expect(res.text).not.toContain('Bram Bosmans'); // leak check: B's user appears nowhere in the source
    expect((await agent.get(`/gebruikersbeheer/aanvragen/${requestOfA}`)).status).toBe(200);
  });

  it("can't see organisation B's request or user by changing the id in the URL", async () => {
    expect((await agent.get(`/gebruikersbeheer/aanvragen/${requestOfB}`)).status).toBe(404);
    expect((await agent.get(`/gebruikersbeheer/gebruikers/${ids[bUser.insz]}`)).status).toBe(404);
    expect((await agent.get(`/gebruikersbeheer/gebruikers/${ids[bAdmin.insz]}`)).status).toBe(404);
    expect((await agent.get('/gebruikersbeheer/aanvragen/abc')).status).toBe(404);
  });

  it("can't grant, refuse or revoke anything of organisation B by changing ids in forms", async () => {
    const token = await tokenOf(agent);
    const post = (path: string, fields: Record<string, string> = {}) =>
      agent
        .post(path)
        .type('form')
        .send({ _csrf: token, ...fields });
    expect((await post(`/gebruikersbeheer/aanvragen/${requestOfB}/toekennen`, { validUntil: '' })).status).toBe(404);
    expect((await post(`/gebruikersbeheer/aanvragen/${requestOfB}/weigeren`, { reason: 'Nee' })).status).toBe(404);
    expect((await post(`/gebruikersbeheer/gebruikers/${ids[bUser.insz]}/recht`, { validUntil: '' })).status).toBe(404);
    expect((await post(`/gebruikersbeheer/rechten/${rightOfB}/intrekken`)).status).toBe(404);
    // Extra fields naming another organisation are ignored: the chosen organisation is the session's, re-checked.
    expect(
      (
        await post(`/gebruikersbeheer/aanvragen/${requestOfB}/toekennen`, {
          organisationId: String(orgB),
          organisation_id: String(orgB),
        })
      ).status,
    ).toBe(404);

    expect(await pending(requestOfB)).toBe('pending');
    expect(await revokedAt(rightOfB)).toBeNull();
    expect(await t.database.db('user_right').where({ person_id: ids[bUser.insz] }).first()).toBeUndefined();
  });

  it("sees only its own organisation's audit log", async () => {
    const log = await agent.get('/gebruikersbeheer/logboek');
    const rows = page(log.text)
      .table('Logboek')
      .rows.map((r) => r.join(' | '));
    expect(rows.some((r) => r.includes('Arne Aerts'))).toBe(true);
    // Leak checks: B's people appear nowhere in the source.
    expect(log.text).not.toContain('Bram Bosmans');
    expect(log.text).not.toContain('Bea Bogaert');
  });

  it('is refused without a CSRF token, and nothing changes', async () => {
    const res = await agent.post(`/gebruikersbeheer/rechten/${rightOfA}/intrekken`).type('form').send({});
    expect(res.status).toBe(403);
    expect(await revokedAt(rightOfA)).toBeNull();
  });
});

describe('acting for an organisation one is not a member of', () => {
  it('is refused when posted on the organisation choice', async () => {
    const agent = await agentFor(aUser, orgA);
    const res = await agent
      .post('/organisatie-kiezen')
      .type('form')
      .send({ _csrf: await tokenOf(agent), keuze: String(orgB) });
    expect(res.status).toBe(403);
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(page(home.text).h1).toBe('Aannemer Alfa BV');
  });

  it('gives no organisation when the session names one the person does not belong to', async () => {
    const agent = await agentFor(aUser, orgA);
    // As if the stored session had been altered: the database decides, not the session.
    await t.database.db.raw(
      `UPDATE session SET sess = jsonb_set(sess::jsonb, '{organisationId}', to_jsonb(?::bigint))::json WHERE (sess->>'personId')::bigint = ?`,
      [orgB, ids[aUser.insz]],
    );
    expect((await agent.get('/')).headers.location).toBe('/organisatie-kiezen');
    expect((await agent.get('/aanvraag')).headers.location).toBe(
      `/organisatie-kiezen?terug=${encodeURIComponent('/aanvraag')}`,
    );
    const res = await agent
      .post('/gebruikersrecht-aanvragen')
      .type('form')
      .send({ _csrf: await tokenOf(agent) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/organisatie-kiezen');
    expect(
      await t.database.db('right_request').where({ person_id: ids[aUser.insz], organisation_id: orgB }).first(),
    ).toBeUndefined();
  });

  it('loses gebruikersbeheer at once when the membership is gone', async () => {
    // A local administrator of A of its own, so the people the other tests use stay as they are.
    const leaving = person(26, 'Lode', 'Loopt');
    const { person: added } = await addLocalAdministrator(t.database.db, { kbo: testKbo(101), ...leaving });
    const agent = await agentFor(leaving, orgA);
    expect((await agent.get('/gebruikersbeheer')).status).toBe(200);
    await t.database.db('membership').where({ person_id: added.id, organisation_id: orgA }).delete();
    const res = await agent.get('/gebruikersbeheer');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/organisatie-kiezen?terug=${encodeURIComponent('/gebruikersbeheer')}`);
  });
});
