import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, MAX_ROWS } from '../../src/bulk/parser.js';
import { formatCount } from '../../src/domain/money.js';
import { demoPeople } from '../../src/db/demo-people.js';
import {
  adminHelpLink,
  contactLink,
  faqLink,
  helpAnchors,
  helpLink,
  helpPageAnchors,
  type HelpPage,
} from '../../src/help/anchors.js';
import { referenceFrom } from '../../src/help/routes.js';
import { paths } from '../../src/paths.js';
import { PROJECT_ROOT } from '../../src/root.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { loginAs } from '../helpers/login.js';
import { emphasised, page, section } from '../helpers/page.js';

const pages: { key: HelpPage; path: string; title: string }[] = [
  { key: 'help', path: paths.help, title: 'Hulp bij aanmelden en aanvragen' },
  { key: 'helpAdmin', path: paths.helpAdmin, title: 'Hulp voor lokale beheerders' },
  { key: 'faq', path: paths.faq, title: 'Veelgestelde vragen over de terugbetaling' },
  { key: 'contact', path: paths.contact, title: 'Contact' },
];

const piet = demoPeople.find((p) => p.key === 'piet')!;

/** Every element id of a page (the targets a #fragment may point at). */
const idsOf = (html: string): string[] =>
  page(html)
    .$('[id]')
    .toArray()
    .map((el) => el.attribs.id);

function duplicates(list: string[]): string[] {
  return list.filter((v, i) => list.indexOf(v) !== i);
}

describe('the help pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('render for an anonymous visitor: 200, one h1, their own title, unique ids, every anchor of the table', async () => {
    const titles: string[] = [];
    for (const help of pages) {
      const res = await request(t.app).get(help.path);
      expect(res.status, help.path).toBe(200);
      const shown = page(res.text);
      expect(shown.$('h1'), help.path).toHaveLength(1);
      expect(shown.h1).toBe(help.title);
      expect(shown.title).toBe(`${help.title} – WSE-loket`);
      titles.push(shown.title);
      const ids = idsOf(res.text);
      expect(duplicates(ids), `duplicate ids on ${help.path}`).toEqual([]);
      for (const id of Object.values(helpPageAnchors[help.key])) expect(ids, `${help.path} lacks #${id}`).toContain(id);
      expect(res.headers['set-cookie'], 'reading help must not start a session').toBeUndefined();
      expect(shown.buttons, 'nobody is shown as logged in').not.toContain('Afmelden');
    }
    expect(duplicates(titles)).toEqual([]);
  });

  it('render for a logged-in user in the portal layout, with their name and not cached', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, { insz: piet.insz });
    for (const help of pages) {
      const res = await agent.get(help.path);
      expect(res.status, help.path).toBe(200);
      const shown = page(res.text);
      expect(shown.$('h1'), help.path).toHaveLength(1);
      expect(shown.title).toBe(`${help.title} – WSE-loket`);
      expect(shown.header).toContain(`${piet.firstName} ${piet.lastName}`);
      expect(shown.buttons).toContain('Afmelden');
      expect(res.headers['cache-control']).toContain('no-store');
    }
  });

  it('tells someone logged in with only their own name, at the top of the help page, where to read what to do', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, { insz: piet.insz });
    const help = page((await agent.get(paths.help).expect(200)).text);
    const notice = help.notices.find((n) => n.startsWith('U bent nu aangemeld in eigen naam.'));
    expect(notice).toContain('In eigen naam kunt u geen terugbetaling aanvragen.');
    expect(emphasised(help)).toContain('in eigen naam');
    expect(help.link('alleen uw eigen naam ziet')).toBe(`#${helpAnchors.ownNameOnly}`);
    const anonymous = page((await request(t.app).get(paths.help).expect(200)).text);
    expect(anonymous.notices.filter((n) => n.includes('aangemeld in eigen naam'))).toEqual([]);
    expect(anonymous.link('alleen uw eigen naam ziet')).toBeUndefined();
  });

  it('explain the way out for a user who only sees their own name: the lokale beheerder, or 1700 and the team gebruikersbeheer', async () => {
    const help = page((await request(t.app).get(paths.help).expect(200)).text);
    const ownName = section(help, helpAnchors.ownNameOnly);
    expect(emphasised(ownName)).toContain('lokale beheerder');
    expect(ownName.link('1700')).toBe('tel:1700');
    expect(ownName.main).toContain('vraag naar het team gebruikersbeheer');
    expect(emphasised(ownName)).toContain('gebruikersbeheer');
    expect(section(help, helpAnchors.aanvraagButton).main).toContain('staat bovenaan de zwarte knop Aanvraag.');
    expect(emphasised(section(help, helpAnchors.aanvraagButton))).toContain('Aanvraag');
    expect(emphasised(section(help, helpAnchors.rightRequest))).toContain('Gebruikersrecht aanvragen');
    expect(help.links.map((l) => l.href)).toContain('mailto:vlaamsopleidingsverlof@vlaanderen.be');
  });

  it('explain the CSV route for many requests, with the limits its parser enforces, and the FAQ links to it', async () => {
    const bulk = section(page((await request(t.app).get(paths.help).expect(200)).text), helpAnchors.bulk);
    expect(emphasised(bulk)).toContain('Meerdere aanvragen via CSV-bestand');
    expect(bulk.main).toContain(
      `hoogstens ${formatCount(MAX_ROWS)} regels en is hoogstens ${MAX_FILE_BYTES / 1024 / 1024} MB groot`,
    );
    const faq = page((await request(t.app).get(paths.faq).expect(200)).text);
    expect(faq.link('hoe u het bestand maakt en oplaadt')).toBe(helpLink('bulk'));
  });

  it('name the right a local administrator grants from the rules data', async () => {
    const help = page((await request(t.app).get(paths.helpAdmin).expect(200)).text);
    expect(help.main).toContain('DWSE organisatieverantwoordelijke met context opleidingsverlof');
    expect(emphasised(help)).toEqual(expect.arrayContaining(['DWSE organisatieverantwoordelijke', 'opleidingsverlof']));
    for (const word of ['Gebruiker toevoegen', 'Toekennen', 'Weigeren', 'Intrekken', 'einddatum'])
      expect(help.main).toContain(word);
  });

  it('the contact page shows a request id from ?referentie= only when it is a UUID', async () => {
    const id = '3F2B8C1E-6A4D-4B7E-9C0A-12AB34CD56EF';
    const shown = page((await request(t.app).get(`${paths.contact}?referentie=${id}`).expect(200)).text);
    const panel = section(shown, 'reference-title');
    expect(panel.headings).toEqual(['Uw referentie']);
    expect(panel.$('code').text()).toBe(id.toLowerCase());
    expect(panel.link('Mail ons met deze referentie')).toMatch(
      new RegExp(`^mailto:[^?]+\\?subject=.*${encodeURIComponent(id.toLowerCase())}$`),
    );

    for (const bad of ['abc', '<script>alert(1)</script>', `${id}x`, '', `${id}&referentie=${id}`]) {
      const res = await request(t.app)
        .get(`${paths.contact}?referentie=${encodeURIComponent(bad)}`)
        .expect(200);
      expect(page(res.text).headings, bad).not.toContain('Uw referentie');
      expect(res.text).not.toContain('<script>alert');
    }
    const twice = await request(t.app).get(`${paths.contact}?referentie=${id}&referentie=${id}`).expect(200);
    expect(page(twice.text).headings).not.toContain('Uw referentie');

    const without = page((await request(t.app).get(paths.contact).expect(200)).text);
    expect(without.headings).not.toContain('Uw referentie');
    expect(without.main).toContain('Onderaan die pagina staat een referentie:');
    expect(emphasised(without)).toContain('referentie');
  });

  it('the 401 page links to the login help and to contact with its own request id', async () => {
    const requestId = '0b9d3f4e-2c1a-4e5f-8a7b-6c5d4e3f2a1b';
    const html = await new Promise<string>((resolve, reject) =>
      t.app.render('errors/401.njk', { requestId }, (err: Error | null, out?: string) =>
        err ? reject(err) : resolve(out!),
      ),
    );
    const shown = page(html);
    expect(shown.main).toContain('Hulp nodig? Lees de hulp bij aanmelden.');
    expect(shown.link('hulp bij aanmelden')).toBe(helpLink('login'));
    expect(shown.link('Neem contact op')).toBe(`${paths.contact}?referentie=${requestId}`);
  });

  it('the landing page links to the help pages and to the section for "only my own name"', async () => {
    const hrefs = page((await request(t.app).get('/').expect(200)).text).links.map((l) => l.href);
    expect(hrefs).toEqual(expect.arrayContaining([paths.help, paths.faq, helpLink('ownNameOnly')]));
  });
});

describe('helpLink and the anchor table', () => {
  it('builds links into each help page from the one table', () => {
    expect(helpLink('stepWerknemer')).toBe('/hulp#stap-werknemer');
    expect(helpLink('login')).toBe('/hulp#aanmelden');
    expect(adminHelpLink('pendingRequests')).toBe('/hulp/lokale-beheerders#aanvragen-behandelen');
    expect(faqLink('deadline')).toBe('/veelgestelde-vragen#termijn');
    expect(contactLink('reference')).toBe('/contact#referentie');
  });

  it('throws on an unknown key, so a typo in a view fails loudly instead of leaving a dead link', () => {
    expect(() => (helpLink as (k: string) => string)('stapWerknemer')).toThrow(/unknown help anchor/);
    expect(() => (helpLink as (k: string) => string)('toString')).toThrow(/unknown help anchor/);
  });

  it('has no id used twice on one page', () => {
    for (const [page, anchors] of Object.entries(helpPageAnchors))
      expect(duplicates(Object.values(anchors)), page).toEqual([]);
  });

  it('reads a request id only when it is a UUID', () => {
    expect(referenceFrom('0b9d3f4e-2c1a-4e5f-8a7b-6c5d4e3f2a1b')).toBe('0b9d3f4e-2c1a-4e5f-8a7b-6c5d4e3f2a1b');
    expect(referenceFrom(['0b9d3f4e-2c1a-4e5f-8a7b-6c5d4e3f2a1b'])).toBeNull();
    expect(referenceFrom(undefined)).toBeNull();
    expect(referenceFrom('0b9d3f4e2c1a4e5f8a7b6c5d4e3f2a1b')).toBeNull();
  });

  it('the help views print no amount, percentage or threshold of their own: those come from the rules data', () => {
    const dir = join(PROJECT_ROOT, 'views', 'help');
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text, file).not.toMatch(/€|\d+,\d\d|\d+\s?%|\b(125|250|21|14|32|28|80|50)\b/);
    }
  });
});
