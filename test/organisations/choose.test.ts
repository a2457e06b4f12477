import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { localPart, loginAs, type Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
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
  const form = await agent.get('/organisatie-kiezen');
  return agent
    .post('/organisatie-kiezen')
    .type('form')
    .send({ _csrf: page(form.text).csrf, keuze, ...extra });
}

/** The choice buttons of the page: what each sends as `keuze` and what it reads. */
function choicesOn(html: string): { value: string; text: string }[] {
  const { $ } = page(html);
  return $('form button[type=submit][name=keuze]')
    .toArray()
    .map((b) => ({ value: $(b).attr('value') ?? '', text: $(b).text().replace(/\s+/g, ' ').trim() }));
}

describe('the home page', () => {
  it('is the landing page for anonymous visitors', async () => {
    const res = await request(t.app).get('/');
    expect(res.status).toBe(200);
    expect(page(res.text).main).toContain('Welkom bij het WSE-loket');
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
    const res = await agent.get('/organisatie-kiezen');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const shown = page(res.text);
    // One click: each organisation is a submit button of the form, the own name a separate one.
    expect(shown.$('input[type=radio]')).toHaveLength(0);
    expect(choicesOn(res.text)).toEqual([
      { value: String(orgA), text: 'Aannemer Alfa BV KBO-nummer 0400.030.176 · u bent lokale beheerder' },
      { value: String(orgB), text: 'Bakkerij Beta NV KBO-nummer 0400.030.275' },
      { value: 'eigen-naam', text: 'Mira Meervoud (in eigen naam)' },
    ]);
    expect(shown.headings).toContain('Of in eigen naam');
    // The own-name button is described by what working in own name means.
    const ownName = shown.$('button[value=eigen-naam]');
    expect(shown.$(`#${ownName.attr('aria-describedby')}`).text()).toMatch(
      /^In eigen naam werkt u als natuurlijke persoon, niet voor een organisatie\./,
    );
    expect(shown.headings).not.toContain('U kunt alleen in eigen naam werken');
  });

  it('asks again when nothing or something unknown is chosen', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, mira);
    for (const keuze of ['', 'abc', '-1']) {
      const res = await choose(agent, keuze);
      expect(res.status).toBe(400);
      expect(page(res.text).title).toBe('Fout: Kies voor wie u werkt – WSE-loket');
      expect(page(res.text).errorLinks).toEqual([{ text: 'Kies voor wie u wilt werken.', href: '#keuze' }]);
    }
  });

  it('switches between organisations with "Wissel van organisatie"', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, mira);
    expect((await choose(agent, String(orgA))).headers.location).toBe('/');
    let home = page((await agent.get('/')).text);
    expect(home.h1).toBe('Aannemer Alfa BV');
    expect(home.link('Gebruikersbeheer')).toBe('/gebruikersbeheer');
    expect(home.link('Wissel van organisatie')).toBe('/organisatie-kiezen');

    const [alfa, beta] = choicesOn((await agent.get('/organisatie-kiezen')).text);
    expect(alfa).toEqual({
      value: String(orgA),
      text: expect.stringMatching(/^Aannemer Alfa BV .* U werkt nu voor deze organisatie$/),
    });
    expect(beta).toEqual({ value: String(orgB), text: 'Bakkerij Beta NV KBO-nummer 0400.030.275' });
    await choose(agent, String(orgB));
    home = page((await agent.get('/')).text);
    expect(home.h1).toBe('Bakkerij Beta NV');
    expect(home.header).toContain('Bakkerij Beta NV');
    expect(home.links.map((l) => l.href)).not.toContain('/gebruikersbeheer');
  });

  it('returns to the page that asked for the choice, but only to a local one', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, mira);
    const res = await agent.get(`/organisatie-kiezen?terug=${encodeURIComponent('/gebruikersbeheer')}`);
    expect(page(res.text).form('/organisatie-kiezen').fields.terug).toBe('/gebruikersbeheer');
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
    const personal = page((await agent.get('/persoonlijk')).text);
    expect(personal.h1).toBe('U werkt in eigen naam');
    expect(personal.main).toContain('vraagt u aan voor een organisatie');
    expect(personal.main).not.toContain('U ziet geen organisatie?');
    expect(personal.link('Wissel van organisatie')).toBe('/organisatie-kiezen');
    expect(choicesOn((await agent.get('/organisatie-kiezen')).text).at(-1)).toEqual({
      value: 'eigen-naam',
      text: 'Mira Meervoud (in eigen naam), nu gekozen',
    });
  });
});

describe('requesting the right', () => {
  it('is rate limited per person, in the shared store', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, mira);
    await choose(agent, String(orgB));
    const token = page((await agent.get('/aanvraag')).text).csrf;
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
