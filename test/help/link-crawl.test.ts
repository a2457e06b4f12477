import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPeople } from '../../src/db/demo-people.js';
import { defaultRules } from '../../src/domain/rules-data.js';
import { helpLink } from '../../src/help/anchors.js';
import { paths } from '../../src/paths.js';
import { buildTestApp, csrfTokenFrom, type TestApp } from '../helpers/app.js';
import { loginAs } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { crawl, idsIn, linksIn, type Agent } from './crawl.js';

/** The public pages every crawl starts from. */
const publicStarts = [paths.home, paths.help, paths.helpAdmin, paths.faq, paths.contact, paths.accessibility];

const jan = demoPeople.find((p) => p.key === 'jan')!;
const piet = demoPeople.find((p) => p.key === 'piet')!;

/** Makes the logged-in person a local administrator with the VOV right of a new organisation, and chooses it. */
async function actForOrganisation(t: TestApp, agent: Agent, insz: string): Promise<void> {
  const db = t.database.db;
  const person = await db('person').where({ insz }).first<{ id: number }>('id');
  const [org] = await db('organisation')
    .insert({
      kbo: '0403170701',
      name: 'Bouwbedrijf De Meeuw NV',
      street: 'Kaai 1',
      postcode: '8400',
      city: 'Oostende',
    })
    .returning<{ id: number }[]>('id');
  await db('establishment_unit').insert({
    organisation_id: org.id,
    number: '2000000042',
    name: 'Werf Oostende',
    street: 'Kaai 1',
    postcode: '8400',
    city: 'Oostende',
  });
  await db('membership').insert({ person_id: person.id, organisation_id: org.id, is_local_admin: true });
  await db('user_right').insert({
    person_id: person.id,
    organisation_id: org.id,
    role: defaultRules.access.role,
    context: defaultRules.access.context,
    granted_by: person.id,
  });
  const form = await agent.get(paths.chooseOrganisation).expect(200);
  await agent
    .post(paths.chooseOrganisation)
    .type('form')
    .send({ _csrf: csrfTokenFrom(form.text), keuze: String(org.id) })
    .expect(303);
}

describe('every link of the portal leads somewhere, and every #fragment to an existing section', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Following every login link starts a login each time; the login rate limit is not what this test is about.
    t = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '10000' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const sameOrigins = () => [t.config.publicUrl];

  it('for an anonymous visitor', async () => {
    const report = await crawl(request.agent(t.app), publicStarts, { sameOrigins: sameOrigins() });
    expect(report.failures).toEqual([]);
    for (const start of publicStarts) expect(report.visited.get(start), start).toBe(200);
    // The crawl did follow the help links between pages, not just the starts.
    expect(report.visited.size).toBeGreaterThan(publicStarts.length);
  });

  it('for a person logged in who only has their own name', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, { insz: piet.insz });
    const report = await crawl(agent, [...publicStarts, paths.chooseOrganisation, paths.personalHome], {
      sameOrigins: sameOrigins(),
    });
    expect(report.failures).toEqual([]);
    expect(report.visited.get(paths.chooseOrganisation)).toBe(200);
    // The way out is on the page where they are stuck.
    const choose = page((await agent.get(paths.chooseOrganisation).expect(200)).text);
    expect(choose.link('Lees wat u kunt doen als u alleen uw eigen naam ziet')).toBe(helpLink('ownNameOnly'));
  });

  it('for a local administrator with the right, acting for their organisation', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, { insz: jan.insz });
    await actForOrganisation(t, agent, jan.insz);
    const starts = [...publicStarts, paths.chooseOrganisation, paths.aanvraag, paths.admin];
    const report = await crawl(agent, starts, { sameOrigins: sameOrigins() });
    expect(report.failures).toEqual([]);
    for (const start of [paths.aanvraag, paths.admin]) expect(report.visited.get(start), start).toBe(200);
    // The crawl reached the refund form's first step through the Aanvragen link, and its "Hulp nodig?" link was checked.
    const firstStep = [...report.visited.keys()].find((url) => url.startsWith(`${paths.refund}/`));
    expect(firstStep, 'the refund form was reached').toBeDefined();
    expect(report.visited.get(firstStep!)).toBe(200);
    const step = page((await agent.get(firstStep!).expect(200)).text);
    expect(step.link('Lees de uitleg bij de stap Werkgever.')).toBe(helpLink('stepWerkgever'));
    // Still logged in at the end: the crawl never followed anything that ends the session.
    expect(page((await agent.get(paths.help).expect(200)).text).header).toContain(`${jan.firstName} ${jan.lastName}`);
  });

  it('reports a missing page and a missing section (the crawler itself is checked)', async () => {
    const report = await crawl(request.agent(t.app), [], {
      documents: [
        {
          url: '/proef',
          html: '<a href="/bestaat-niet">x</a> <a href="/hulp#geen-sectie">y</a> <a href="/hulp#aanmelden">z</a> <a href="mailto:a@b.be">m</a> <a href="https://example.org/x">e</a>',
        },
      ],
    });
    expect(report.failures).toHaveLength(2);
    expect(report.failures[0]).toMatch(/^\/bestaat-niet answered 404/);
    expect(report.failures[1]).toMatch(/no id="geen-sectie" on \/hulp/);
    expect(report.visited.has('https://example.org/x')).toBe(false);
  });

  it('reads ids and links the way a browser does', () => {
    const html = `<h2 id="a">A</h2><div class='x' id='b'></div><p data-id="c"></p><a class="l" href="/x?a=1&amp;b=2#f">x</a><script src="/s.js" nonce="n"></script>`;
    expect(idsIn(html)).toEqual(['a', 'b']);
    expect(linksIn(html)).toEqual(['/x?a=1&b=2#f', '/s.js']);
  });
});
