/**
 * Nobody acts for an organisation they do not belong to. The access matrix: every route of the app (read from
 * Express's router, so later routes are included), GET and POST, for every kind of visitor that must be
 * refused, with the ids of another organisation's drafts, attachments, dossiers and requests. Plus sessions
 * after logout, CSRF tokens of another session, open redirects after login, and concurrent logins.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, revokeApiClient } from '../../src/api/clients.js';
import { createApp } from '../../src/app.js';
import { generateKeyPairWithCertificate } from '../../src/auth/self-signed.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { buildTestApp, csrfTokenFrom, TEST_PUBLIC_URL, type TestApp } from '../helpers/app.js';
import { answerFromDevIdp, loginAs, PAGE_WITH_HEADER, type Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import {
  completeDraft,
  fixedClock,
  insertMember,
  insertOrganisation,
  loginForOrganisation,
  postForm,
  rules,
  type TestOrganisation,
} from '../refund/fixtures.js';
import { inszFor, kboFor } from './support/data.js';
import { multipartBody } from './support/forms.js';
import { appRoutes, routeTable, type Route } from './support/routes.js';

type Role =
  | 'anonymous'
  | 'no organisation chosen'
  | 'own name'
  | 'member without the right'
  | 'member of another organisation'
  | 'local administrator of another organisation';
type Level = 'public' | 'login' | 'organisation' | 'localAdmin' | 'vovRight' | 'api';

const person = (n: number, firstName: string, lastName: string) => ({
  insz: inszFor(60 + n, 3, 3, n),
  firstName,
  lastName,
  email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@example.be`,
});
const owner = person(1, 'Jan', 'Eigenaar');
const memberNoRight = person(2, 'Mia', 'Zonderrecht');
const loner = person(3, 'Piet', 'Zondermeer');
const otherMember = person(4, 'Olaf', 'Anderbedrijf');
const otherAdmin = person(5, 'Bea', 'Beheerderb');
const SECRET_EMPLOYEE = 'Geheimenaam';

const PUBLIC = new Set([
  '/',
  '/healthz',
  '/readyz',
  '/toegankelijkheidsverklaring',
  '/privacyverklaring',
  '/sessie-verlopen',
  '/hulp',
  '/hulp/lokale-beheerders',
  '/veelgestelde-vragen',
  '/contact',
  '/aanmelden',
  '/afmelden',
  '/afgemeld',
]);

/** Who may use a route, judged from its path: the guard every router puts in front of its paths. */
function levelOf(path: string): { level: Level; known: boolean } {
  if (
    PUBLIC.has(path) ||
    path.startsWith('/auth/saml/') ||
    path.startsWith('/dev-idp') ||
    path.startsWith('/dev/mailbox')
  )
    return { level: 'public', known: true };
  if (path === '/organisatie-kiezen' || path === '/persoonlijk') return { level: 'login', known: true };
  if (path === '/aanvraag' || path.startsWith('/gebruikersrecht-aanvragen'))
    return { level: 'organisation', known: true };
  if (path.startsWith('/gebruikersbeheer')) return { level: 'localAdmin', known: true };
  // The back-office API: a Bearer token per client, never a portal session (its own test below).
  if (path === '/api/v1/openapi.json') return { level: 'public', known: true };
  if (path.startsWith('/api/v1/')) return { level: 'api', known: true };
  if (path.startsWith('/terugbetaling') || path.startsWith('/mijn-dossiers') || path.startsWith('/meerdere-aanvragen'))
    return { level: 'vovRight', known: true };
  // A route this suite does not know yet: at the least, it must not be open to anonymous visitors.
  return { level: 'login', known: false };
}

let t: TestApp;
let orgA: TestOrganisation;
let orgB: TestOrganisation;
const agents = {} as Record<Role, Agent>;
const tokens = {} as Record<Role, string>;
let ids: {
  draftId: number;
  attachmentId: number;
  dossiernummer: string;
  requestId: number;
  personId: number;
  rightId: number;
  mailId: number;
};

/**
 * A fingerprint of everything organisation A owns: nothing a refused visitor does may change it. Each test takes its
 * own before its requests (a test of the shared people changes A on purpose).
 */
async function stateOfA(): Promise<string> {
  const db = t.database.db;
  const rows = await Promise.all([
    db('refund_draft').where({ organisation_id: orgA.id }).orderBy('id').select('id', 'steps', 'submitted_at'),
    db('attachment').where({ organisation_id: orgA.id }).orderBy('id').select('id', 'filename', 'sha256'),
    db('dossier').where({ organisation_id: orgA.id }).orderBy('id').select('dossiernummer', 'status', 'version'),
    db('right_request').where({ organisation_id: orgA.id }).orderBy('id').select('id', 'status'),
    db('user_right').where({ organisation_id: orgA.id }).orderBy('id').select('id', 'revoked_at', 'valid_until'),
    db('membership').where({ organisation_id: orgA.id }).orderBy('person_id').select('person_id', 'is_local_admin'),
  ]);
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

beforeAll(async () => {
  t = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '100000' }, { now: fixedClock });
  const db = t.database.db;
  orgA = await insertOrganisation(db, { kbo: '0403170701', name: 'Aannemer Alfa NV', unitNumber: '2147812701' });
  orgB = await insertOrganisation(db, { kbo: kboFor(88), name: 'Bakkerij Beta NV', unitNumber: kboFor(88, '2') });
  const ownerId = await insertMember(db, orgA.id, owner);
  await db('membership').where({ person_id: ownerId }).update({ is_local_admin: true });
  const miaId = await insertMember(db, orgA.id, memberNoRight, false);
  await insertMember(db, orgB.id, otherMember);
  const beaId = await insertMember(db, orgB.id, otherAdmin);
  await db('membership').where({ person_id: beaId }).update({ is_local_admin: true });

  // Organisation A's things: a draft with an attachment, a submitted dossier, a pending right request.
  const jan = request.agent(t.app);
  await loginForOrganisation(jan, owner, orgA.id);
  const submitted = await completeDraft(jan, orgA.unitId, { werknemer: { lastName: SECRET_EMPLOYEE } });
  const receipt = await postForm(jan, `${submitted}/overzicht`, { actie: 'volgende', declaration: 'ja' });
  const draftUrl = await completeDraft(jan, orgA.unitId, {
    werknemer: { insz: '17.07.30-033.84', lastName: SECRET_EMPLOYEE },
  });
  const bijlagen = await jan.get(`${draftUrl}/bijlagen`);
  const m = multipartBody(
    [
      ['_csrf', csrfTokenFrom(bijlagen.text)],
      ['actie', 'toevoegen'],
    ],
    [
      {
        field: 'inschrijvingsattest',
        filename: 'attest.pdf',
        type: 'application/pdf',
        data: Buffer.from('%PDF-1.4\n%%EOF\n'),
      },
    ],
  );
  expect((await jan.post(`${draftUrl}/bijlagen`).set('Content-Type', m.contentType).send(m.body)).status).toBe(303);

  agents['member without the right'] = request.agent(t.app);
  await loginForOrganisation(agents['member without the right'], memberNoRight, orgA.id);
  const aanvraag = await agents['member without the right'].get('/aanvraag');
  expect(
    (
      await agents['member without the right']
        .post('/gebruikersrecht-aanvragen')
        .type('form')
        .send({ _csrf: csrfTokenFrom(aanvraag.text) })
    ).status,
  ).toBe(303);

  ids = {
    draftId: Number(draftUrl.split('/').pop()),
    attachmentId: (await db('attachment').where({ organisation_id: orgA.id }).first('id')).id,
    dossiernummer: receipt.headers.location.split('/').pop()!,
    requestId: (await db('right_request').where({ organisation_id: orgA.id }).first('id')).id,
    personId: miaId,
    rightId: (await db('user_right').where({ organisation_id: orgA.id, person_id: ownerId }).first('id')).id,
    mailId: (await db('mail_outbox').first('id')).id,
  };

  // The visitors who must be refused.
  agents.anonymous = request.agent(t.app);
  const start = await agents.anonymous.get('/aanmelden');
  const sso = new URL(start.headers.location);
  tokens.anonymous = csrfTokenFrom((await agents.anonymous.get(`${sso.pathname}${sso.search}&sleutel=itsme`)).text); // an anonymous session with a token
  agents['no organisation chosen'] = request.agent(t.app);
  await loginAs(agents['no organisation chosen'], owner);
  agents['own name'] = request.agent(t.app);
  await loginAs(agents['own name'], loner);
  const choose = await agents['own name'].get('/organisatie-kiezen');
  expect(
    (
      await agents['own name']
        .post('/organisatie-kiezen')
        .type('form')
        .send({ _csrf: csrfTokenFrom(choose.text), keuze: 'eigen-naam' })
    ).status,
  ).toBe(303);
  agents['member of another organisation'] = request.agent(t.app);
  await loginForOrganisation(agents['member of another organisation'], otherMember, orgB.id);
  agents['local administrator of another organisation'] = request.agent(t.app);
  await loginForOrganisation(agents['local administrator of another organisation'], otherAdmin, orgB.id);
  for (const role of Object.keys(agents) as Role[])
    if (role !== 'anonymous') tokens[role] = csrfTokenFrom((await agents[role].get('/organisatie-kiezen')).text);
});

afterAll(async () => {
  await t.close();
});

const ROLES: Role[] = [
  'anonymous',
  'no organisation chosen',
  'own name',
  'member without the right',
  'member of another organisation',
  'local administrator of another organisation',
];

/** The refusal a role must get on a route, or null when the role may use it (then it must not see A's things). */
function expectedRefusal(
  role: Role,
  level: Level,
  route: Route,
  concrete: string,
): ((res: request.Response) => string | null) | null {
  const get = route.method === 'get';
  const usesIdsOfA = /:(draftId|attachmentId|dossiernummer|id|personId|rightId)\b/.test(route.path);
  const isLoginRedirect = (res: request.Response) =>
    res.status === 303 && res.headers.location === `/aanmelden?terug=${encodeURIComponent(concrete)}`
      ? null
      : `expected 303 to the login, got ${res.status} ${res.headers.location ?? ''}`;
  const isChoice = (res: request.Response) =>
    res.status === 303 && /^\/organisatie-kiezen(\?terug=|$)/.test(res.headers.location ?? '')
      ? null
      : `expected 303 to the organisation choice, got ${res.status} ${res.headers.location ?? ''}`;
  // The refusal page says why, in the text a reader gets.
  const is = (statuses: number[], text?: string) => (res: request.Response) =>
    statuses.includes(res.status) && (!text || page(res.text).main.includes(text))
      ? null
      : `expected ${statuses.join('/')}${text ? ` with "${text}"` : ''}, got ${res.status} ${res.headers.location ?? ''}`;
  if (level === 'public') return null;
  if (level === 'api')
    return (res) =>
      res.status === 401 && /^application\/problem\+json/.test(res.headers['content-type'] ?? '')
        ? null
        : `expected 401 problem+json, got ${res.status}`;
  if (role === 'anonymous') return get ? isLoginRedirect : is([401], 'U bent niet aangemeld');
  if (level === 'login') return null;
  if (role === 'no organisation chosen' || role === 'own name') return isChoice;
  if (role === 'member without the right') {
    if (level === 'localAdmin') return is([403]);
    if (level === 'vovRight') return is([403], 'U hebt het gebruikersrecht niet');
    return null;
  }
  // Acting for organisation B: B's own pages are theirs to use, A's ids are "not found".
  if (level === 'organisation') return null;
  if (level === 'localAdmin' && role === 'member of another organisation') return is([403]);
  return usesIdsOfA ? is([404, 403]) : null;
}

describe('the access matrix', () => {
  it('every route, GET and POST, refuses each visitor who may not use it, with ids of another organisation', async () => {
    const before = await stateOfA();
    const routes = appRoutes(t.app).filter((r) => r.path !== '/afmelden');
    const fill = routeTable({ ...ids, other: 1 }).fill;
    const problems: string[] = [];
    const unknown = routes.filter((r) => !levelOf(r.path).known).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    let checked = 0;
    for (const route of routes) {
      const { level } = levelOf(route.path);
      const concrete = fill(route.path);
      for (const role of ROLES) {
        const expectation = expectedRefusal(role, level, route, concrete);
        // A's own member may change A when allowed to (withdraw her right request): this walk is about refusals.
        if (!expectation && role === 'member without the right' && route.method === 'post') continue;
        const agent = agents[role];
        // A form with a valid token of the visitor's own session: a refusal can only come from authorisation.
        const res =
          route.method === 'get'
            ? await agent.get(concrete)
            : await agent
                .post(concrete)
                .type('form')
                .send({ _csrf: tokens[role], actie: 'volgende', declaration: 'ja' });
        if (res.status >= 500)
          problems.push(`${role}: ${route.method.toUpperCase()} ${concrete} answered ${res.status}`);
        if (expectation) {
          checked++;
          const problem = expectation(res);
          if (problem) problems.push(`${role}: ${route.method.toUpperCase()} ${concrete}: ${problem}`);
        } else if (
          level !== 'public' &&
          (role === 'member of another organisation' ||
            role === 'local administrator of another organisation' ||
            role === 'own name')
        ) {
          // Allowed for their own organisation (or name): never a sight of A's dossiers, drafts or people (a leak
          // check, so anywhere in the answer's source).
          for (const secret of [SECRET_EMPLOYEE, ids.dossiernummer, memberNoRight.lastName, owner.lastName]) {
            if (res.text?.includes(secret))
              problems.push(`${role}: ${route.method.toUpperCase()} ${concrete} shows "${secret}" of organisation A`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(100);
    expect(await stateOfA(), 'organisation A is unchanged by all refused requests').toBe(before);
    console.log(
      `[access] ${routes.length} routes × ${ROLES.length} visitors: ${checked} refusals checked${unknown.length ? `; routes classified by default (login needed): ${unknown.join(', ')}` : ''}`,
    );
  });

  it('choosing an organisation one does not belong to is refused', async () => {
    for (const role of ['member of another organisation', 'own name', 'no organisation chosen'] as Role[]) {
      if (role === 'no organisation chosen') continue; // the owner himself: a member of A
      const res = await agents[role]
        .post('/organisatie-kiezen')
        .type('form')
        .send({ _csrf: tokens[role], keuze: String(orgA.id) });
      expect(res.status, role).toBe(403);
    }
    // A leak check: A's dossier appears nowhere in the source of B's list.
    expect((await agents['member of another organisation'].get('/mijn-dossiers')).text).not.toContain(
      ids.dossiernummer,
    );
  });
});

describe('the back-office API', () => {
  it('decides only with the decide scope; no portal session, revoked or read-only token changes a dossier', async () => {
    const before = await stateOfA();
    const db = t.database.db;
    const reader = (await createApiClient(db, 'matrix-lezer', ['read'])).token;
    const revoked = (await createApiClient(db, 'matrix-ingetrokken', ['read', 'decide'])).token;
    await revokeApiClient(db, 'matrix-ingetrokken');
    const url = `/api/v1/dossiers/${ids.dossiernummer}/beslissingen`;
    const decision = { beslissing: 'geweigerd', versie: 1, reden: 'Niet van u' };
    const owners = request.agent(t.app);
    await loginForOrganisation(owners, owner, orgA.id);
    const csrf = csrfTokenFrom((await owners.get('/mijn-dossiers')).text);
    const attempts = [
      await request(t.app).post(url).send(decision),
      await request(t.app).post(url).set('Authorization', `Bearer ${revoked}`).send(decision),
      await owners.post(url).set('x-csrf-token', csrf).send(decision),
      await agents['local administrator of another organisation'].post(url).send(decision),
    ];
    expect(attempts.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    const readOnly = await request(t.app).post(url).set('Authorization', `Bearer ${reader}`).send(decision);
    expect(readOnly.status).toBe(403);
    expect(await stateOfA()).toBe(before);
    // The read scope reads every organisation's dossiers (the back office's job), and nothing of the portal.
    expect(
      (await request(t.app).get(`/api/v1/dossiers/${ids.dossiernummer}`).set('Authorization', `Bearer ${reader}`))
        .status,
    ).toBe(200);
    expect((await request(t.app).get('/mijn-dossiers').set('Authorization', `Bearer ${reader}`)).status).toBe(303);
  });
});

describe('sessions and tokens', () => {
  it('the session cookie of a logged-out session is useless, also replayed', async () => {
    const before = await stateOfA();
    const agent = request.agent(t.app);
    const answer = await answerFromDevIdp(agent, owner);
    const acs = await agent.post(answer.acsPath).type('form').send({ SAMLResponse: answer.samlResponse });
    const sessionCookie = [acs.headers['set-cookie']]
      .flat()
      .find((c) => c?.startsWith('loket='))!
      .split(';')[0];
    const choose = await agent.get('/organisatie-kiezen');
    expect(
      (
        await agent
          .post('/organisatie-kiezen')
          .type('form')
          .send({ _csrf: csrfTokenFrom(choose.text), keuze: String(orgA.id) })
      ).status,
    ).toBe(303);
    const token = csrfTokenFrom((await agent.get('/terugbetaling/nieuw/werkgever')).text);
    expect((await request(t.app).get('/mijn-dossiers').set('Cookie', sessionCookie)).status).toBe(200);
    expect((await agent.post('/afmelden').type('form').send({ _csrf: token })).status).toBe(303);
    const replay = (r: request.Test) => r.set('Cookie', sessionCookie);
    const list = await replay(request(t.app).get('/mijn-dossiers'));
    expect(list.status).toBe(303);
    expect(list.headers.location).toMatch(/^\/aanmelden/);
    expect((await replay(request(t.app).get(`/mijn-dossiers/${ids.dossiernummer}`))).status).toBe(303);
    const post = await replay(
      request(t.app).post('/terugbetaling/nieuw/werkgever').type('form').send({ _csrf: token, contactName: 'x' }),
    );
    expect([401, 403]).toContain(post.status);
    expect(await stateOfA()).toBe(before);
  });

  it('a CSRF token of another session is refused, and nothing changes', async () => {
    const jan = request.agent(t.app);
    await loginForOrganisation(jan, owner, orgA.id);
    const janToken = csrfTokenFrom((await jan.get('/terugbetaling/nieuw/werkgever')).text);
    const drafts = async () => Number((await t.database.db('refund_draft').count({ n: '*' }).first())!.n);
    const count = await drafts();
    // Mia's session with Jan's token, and Jan's session with Mia's token.
    const mia = await agents['member without the right']
      .post('/gebruikersrecht-aanvragen')
      .type('form')
      .send({ _csrf: janToken });
    expect(mia.status).toBe(403);
    expect(page(mia.text).h1).toBe('U hebt geen toegang tot deze pagina');
    expect(page(mia.text).main).toContain('Dit formulier is verlopen of werd al verstuurd');
    const crossed = await jan
      .post('/terugbetaling/nieuw/werkgever')
      .type('form')
      .send({ _csrf: tokens['member without the right'], contactName: 'x' });
    expect(crossed.status).toBe(403);
    const headerToken = await jan
      .post('/terugbetaling/nieuw/werkgever')
      .set('x-csrf-token', tokens['member of another organisation'])
      .type('form')
      .send({ contactName: 'x' });
    expect(headerToken.status).toBe(403);
    expect(await drafts()).toBe(count);
  });

  it('concurrent logins never cross sessions: each browser sees its own name', async () => {
    const people = Array.from({ length: 16 }, (_, i) => person(20 + i, 'Gelijktijdig', `Persoon${i}`));
    const browsers = await Promise.all(
      people.map(async (p) => {
        const agent = request.agent(t.app);
        await loginAs(agent, p);
        return { p, agent };
      }),
    );
    for (const { p, agent } of browsers)
      expect(page((await agent.get(PAGE_WITH_HEADER)).text).header).toContain(`${p.firstName} ${p.lastName}`);
  });
});

describe('redirects after login', () => {
  const evil = [
    'https://evil.example/',
    '//evil.example/pad',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'http:evil.example',
    '/\t/evil.example',
    ' //evil.example',
    'https:/\\evil.example',
    '/%0d%0aSet-Cookie:%20x=y',
    '/\u0000//evil.example',
    'data:text/html,<script>alert(1)</script>',
  ];
  const local = (location: string) => {
    const u = new URL(location, 'http://portal.invalid');
    return u.origin === 'http://portal.invalid' && !location.startsWith('//') && !/[\r\n]/.test(location);
  };

  it('an open redirect through ?terug= is refused: the user lands on a page of the portal', async () => {
    for (const terug of evil) {
      const agent = request.agent(t.app);
      const location = await loginAs(agent, owner, { returnTo: terug });
      expect(local(location), `${JSON.stringify(terug)} → ${location}`).toBe(true);
      // Logged in already, the login link does not bounce away either.
      const again = await agent.get(`/aanmelden?terug=${encodeURIComponent(terug)}`);
      expect(local(again.headers.location), terug).toBe(true);
    }
  });

  it('a RelayState changed on its way to the ACS, and terug on the organisation choice, stay inside the portal', async () => {
    for (const relay of evil.slice(0, 6)) {
      const agent = request.agent(t.app);
      const answer = await answerFromDevIdp(agent, owner, { returnTo: '/mijn-dossiers' });
      const res = await agent
        .post(answer.acsPath)
        .type('form')
        .send({ SAMLResponse: answer.samlResponse, RelayState: relay });
      expect(res.status).toBe(303);
      expect(local(res.headers.location), relay).toBe(true);
      const choice = await agent.get('/organisatie-kiezen');
      const chosen = await agent
        .post('/organisatie-kiezen')
        .type('form')
        .send({ _csrf: csrfTokenFrom(choice.text), keuze: String(orgA.id), terug: relay });
      expect(chosen.status).toBe(303);
      expect(local(chosen.headers.location), relay).toBe(true);
    }
  });
});

describe('production', () => {
  it('has no development IdP and no development mailbox', async () => {
    const idp = generateKeyPairWithCertificate('test IdP');
    const sp = generateKeyPairWithCertificate('test SP');
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: t.database.url,
      PUBLIC_URL: 'https://loket.example',
      SESSION_SECRET: 'a-production-secret-of-enough-length-1234567890',
      SAML_IDP_SSO_URL: 'https://idp.example/sso',
      SAML_IDP_CERT: idp.cert,
      SAML_IDP_ENTITY_ID: 'https://idp.example/metadata',
      SAML_SP_KEY: sp.key,
      SAML_SP_CERT: sp.cert,
      SMTP_URL: 'smtp://127.0.0.1:25',
      LOG_LEVEL: 'silent',
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000', // this file logged in many times this minute, from the same address
    });
    const app = createApp(config, {
      db: t.database.db,
      databaseUrl: t.database.url,
      logger: createLogger('silent'),
      now: fixedClock,
      rules,
    });
    try {
      for (const path of ['/dev/mailbox', `/dev/mailbox/${ids.mailId}`, '/dev-idp/metadata', '/dev-idp/sso'])
        expect((await request(app).get(path)).status, path).toBe(404);
      const login = await request(app).get('/aanmelden');
      expect(login.headers.location, `${login.status} ${login.text.slice(0, 300)}`).toMatch(
        /^https:\/\/idp\.example\/sso\?/,
      );
    } finally {
      await app.close();
    }
    expect(TEST_PUBLIC_URL).toMatch(/^http:\/\/127\.0\.0\.1/);
  });
});

describe('two organisations share a person, never what they entered', () => {
  const B_TYPED = { firstName: 'Xavier', lastName: 'Omleider', email: 'omleiding@beta.example' };
  const nora = { insz: inszFor(71, 7, 7, 7), firstName: 'Nora', lastName: 'Nieuwelinge', email: 'nora@alfa.example' };
  const bea = () => agents['local administrator of another organisation'];
  const addUser = async (agent: Agent, fields: Record<string, string>) => {
    const form = await agent.get('/gebruikersbeheer/gebruikers/nieuw');
    const res = await agent
      .post('/gebruikersbeheer/gebruikers')
      .type('form')
      .send({ _csrf: csrfTokenFrom(form.text), ...fields });
    expect(res.status).toBe(303);
    return res.headers.location as string;
  };

  it("B's administrator who adds the INSZ of A's user learns nothing about her on any page", async () => {
    const miaPage = await addUser(bea(), { insz: memberNoRight.insz, ...B_TYPED });
    expect(page((await bea().get(miaPage)).text).h1).toBe('Xavier Omleider');
    const fill = routeTable({ ...ids, other: 1 }).fill;
    const problems: string[] = [];
    // Every page she may open (the development mailbox, public in development only, shows every mail).
    for (const route of appRoutes(t.app).filter((r) => r.method === 'get' && levelOf(r.path).level !== 'public')) {
      const res = await bea().get(fill(route.path));
      // A leak check, so anywhere in the page's source.
      for (const secret of [
        memberNoRight.lastName,
        memberNoRight.email,
        owner.lastName,
        SECRET_EMPLOYEE,
        ids.dossiernummer,
      ]) {
        if (res.text?.includes(secret)) problems.push(`GET ${fill(route.path)} shows "${secret}" of organisation A`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("A's mails about a shared person never go to the address B typed, and A never sees what B typed", async () => {
    await addUser(bea(), { insz: nora.insz, ...B_TYPED }); // B is first to know this INSZ
    const jan = request.agent(t.app);
    await loginForOrganisation(jan, owner, orgA.id);
    const noraPage = await jan.get(
      await addUser(jan, { insz: nora.insz, firstName: nora.firstName, lastName: nora.lastName, email: nora.email }),
    );
    expect(page(noraPage.text).h1).toBe('Nora Nieuwelinge');
    expect(page(noraPage.text).summary).toContainEqual(['E-mail', nora.email]);
    // Leak checks, so anywhere in the pages' source.
    for (const source of [
      noraPage.text,
      (await jan.get('/gebruikersbeheer')).text,
      (await jan.get('/gebruikersbeheer/logboek')).text,
    ]) {
      for (const secret of [B_TYPED.lastName, B_TYPED.email, otherMember.lastName, otherAdmin.lastName])
        expect(source).not.toContain(secret);
    }
    const noraId = (await t.database.db('person').where({ insz: nora.insz }).first('id')).id;
    const form = await jan.get(`/gebruikersbeheer/gebruikers/${noraId}`);
    const granted = await jan
      .post(`/gebruikersbeheer/gebruikers/${noraId}/recht`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(form.text), validUntil: '' });
    expect(granted.status).toBe(303);
    const mails = await t.database.db('mail_outbox').where('subject', 'like', `%${orgA.name}%`).select('to_address');
    expect(mails.map((m) => m.to_address)).toContain(nora.email);
    expect(mails.map((m) => m.to_address)).not.toContain(B_TYPED.email);
  });
});
