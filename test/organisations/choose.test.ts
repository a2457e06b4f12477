import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, csrfTokenFrom, type TestApp } from '../helpers/app.js';
import { localPart, loginAs, type Agent } from '../helpers/login.js';
import { organisationWith, person } from './fixtures.js';

let t: TestApp;
let orgA: number;
let orgB: number;
const mira = person(41, 'Mira', 'Meervoud'); // user of two organisations, local administrator of one

beforeAll(async () => {
  t = await buildTestApp();
  orgA = (await organisationWith(t.database.db, 301, 'Aannemer Alfa BV', { admins: [mira] })).org.id;
  orgB = (await organisationWith(t.database.db, 302, 'Bakkerij Beta NV', { users: [mira] })).org.id;
});

afterAll(async () => {
  await t.close();
});

async function choose(agent: Agent, keuze: string, extra: Record<string, string> = {}) {
  const page = await agent.get('/organisatie-kiezen');
  return agent
    .post('/organisatie-kiezen')
    .type('form')
    .send({ _csrf: csrfTokenFrom(page.text), keuze, ...extra });
}

describe('the home page', () => {
  it('is the landing page for anonymous visitors', async () => {
    const res = await request(t.app).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Welkom bij het WSE-loket');
  });

  it('sends a logged-in person who has not chosen yet to the organisation choice', async () => {
    const agent = request.agent(t.app);
    expect(localPart(await loginAs(agent, mira))).toBe('/organisatie-kiezen');
    const res = await agent.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/organisatie-kiezen');
  });
});

describe('choosing an organisation', () => {
  it('offers the own name and every organisation of the person', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, mira);
    const page = await agent.get('/organisatie-kiezen');
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    // One click: each organisation is a submit button of the form, the own name a separate one.
    expect(page.text).not.toContain('type="radio"');
    expect(page.text).toContain(`<button class="org-choice__button" type="submit" name="keuze" value="${orgA}"`);
    expect(page.text).toContain(`<button class="org-choice__button" type="submit" name="keuze" value="${orgB}"`);
    expect(page.text).toContain('Aannemer Alfa BV');
    expect(page.text).toContain('Bakkerij Beta NV');
    expect(page.text).toContain('u bent lokale beheerder');
    expect(page.text).toMatch(
      /<h2 id="eigen-naam">Of in eigen naam<\/h2>\s*<p id="eigen-naam-uitleg">In eigen naam werkt u als natuurlijke persoon/,
    );
    expect(page.text).toContain(
      'name="keuze" value="eigen-naam" aria-describedby="eigen-naam-uitleg">Mira Meervoud (in eigen naam)</button>',
    );
    expect(page.text).not.toContain('U kunt alleen in eigen naam werken');
  });

  it('asks again when nothing or something unknown is chosen', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, mira);
    for (const keuze of ['', 'abc', '-1']) {
      const res = await choose(agent, keuze);
      expect(res.status).toBe(400);
      expect(res.text).toContain('<title>Fout: Kies voor wie u werkt – WSE-loket</title>');
      expect(res.text).toContain('<a href="#keuze">Kies voor wie u wilt werken.</a>');
    }
  });

  it('switches between organisations with "Wissel van organisatie"', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, mira);
    expect((await choose(agent, String(orgA))).headers.location).toBe('/');
    let home = await agent.get('/');
    expect(home.text).toContain('<h1>Aannemer Alfa BV</h1>');
    expect(home.text).toContain('href="/gebruikersbeheer"');
    expect(home.text).toContain('<a href="/organisatie-kiezen">Wissel van organisatie</a>');

    expect((await agent.get('/organisatie-kiezen')).text).toMatch(
      new RegExp(
        `value="${orgA}"[^>]*>\\s*<span class="org-choice__name">Aannemer Alfa BV</span>[^<]*<span[^>]*>[^<]*</span>\\s*<span class="org-choice__current">U werkt nu voor deze organisatie`,
      ),
    );
    await choose(agent, String(orgB));
    home = await agent.get('/');
    expect(home.text).toContain('<h1>Bakkerij Beta NV</h1>');
    expect(home.text).toContain('<span class="site-header__org">Bakkerij Beta NV');
    expect(home.text).not.toContain('href="/gebruikersbeheer"');
  });

  it('returns to the page that asked for the choice, but only to a local one', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, mira);
    const page = await agent.get(`/organisatie-kiezen?terug=${encodeURIComponent('/gebruikersbeheer')}`);
    expect(page.text).toContain('<input type="hidden" name="terug" value="/gebruikersbeheer">');
    expect((await choose(agent, String(orgA), { terug: '/gebruikersbeheer' })).headers.location).toBe(
      '/gebruikersbeheer',
    );
    expect((await choose(agent, String(orgA), { terug: 'https://elders.example/' })).headers.location).toBe('/');
    expect((await choose(agent, String(orgA), { terug: '//elders.example/' })).headers.location).toBe('/');
  });

  it('in own name leads to the personal home page, which explains that a refund needs an organisation', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, mira);
    expect((await choose(agent, 'eigen-naam')).headers.location).toBe('/persoonlijk');
    const personal = await agent.get('/persoonlijk');
    expect(personal.text).toContain('<h1>U werkt in eigen naam</h1>');
    expect(personal.text).toContain('vraagt u aan voor een organisatie');
    expect(personal.text).not.toContain('U ziet geen organisatie?');
    expect(personal.text).toContain('<a href="/organisatie-kiezen">Wissel van organisatie</a>');
    expect((await agent.get('/organisatie-kiezen')).text).toContain(
      'Mira Meervoud (in eigen naam)<span class="visually-hidden">, nu gekozen</span>',
    );
  });
});

describe('requesting the right', () => {
  it('is rate limited per person, in the shared store', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, mira);
    await choose(agent, String(orgB));
    const token = csrfTokenFrom((await agent.get('/aanvraag')).text);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await agent.post('/gebruikersrecht-aanvragen').type('form').send({ _csrf: token })).status);
    expect(statuses.slice(0, 10).every((s) => s === 303)).toBe(true);
    expect(statuses[10]).toBe(429);
    const { n } = (await t.database.db('right_request').count({ n: '*' }).first()) as { n: number };
    expect(n).toBe(1);
    const hits = await t.database.db('rate_limit').where('key', 'like', 'right-request:%').first();
    expect(hits.hits).toBe(11);
  });
});
