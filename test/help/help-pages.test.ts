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
import { idsIn } from './crawl.js';

const pages: { key: HelpPage; path: string; title: string }[] = [
  { key: 'help', path: paths.help, title: 'Hulp bij aanmelden en aanvragen' },
  { key: 'helpAdmin', path: paths.helpAdmin, title: 'Hulp voor lokale beheerders' },
  { key: 'faq', path: paths.faq, title: 'Veelgestelde vragen over de terugbetaling' },
  { key: 'contact', path: paths.contact, title: 'Contact' },
];

const piet = demoPeople.find((p) => p.key === 'piet')!;

function titleOf(html: string): string | undefined {
  return /<title>([^<]*)<\/title>/.exec(html)?.[1];
}

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
    for (const page of pages) {
      const res = await request(t.app).get(page.path);
      expect(res.status, page.path).toBe(200);
      expect(res.text.match(/<h1[\s>]/g), page.path).toHaveLength(1);
      expect(res.text).toContain(`<h1>${page.title}</h1>`);
      const title = titleOf(res.text);
      expect(title).toBe(`${page.title} – WSE-loket`);
      titles.push(title!);
      const ids = idsIn(res.text);
      expect(duplicates(ids), `duplicate ids on ${page.path}`).toEqual([]);
      for (const id of Object.values(helpPageAnchors[page.key])) expect(ids, `${page.path} lacks #${id}`).toContain(id);
      expect(res.headers['set-cookie'], 'reading help must not start a session').toBeUndefined();
      expect(res.text).not.toContain('site-header__person');
    }
    expect(duplicates(titles)).toEqual([]);
  });

  it('render for a logged-in user in the portal layout, with their name and not cached', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, { insz: piet.insz });
    for (const page of pages) {
      const res = await agent.get(page.path);
      expect(res.status, page.path).toBe(200);
      expect(res.text.match(/<h1[\s>]/g), page.path).toHaveLength(1);
      expect(titleOf(res.text)).toBe(`${page.title} – WSE-loket`);
      expect(res.text).toContain(`${piet.firstName} ${piet.lastName}`);
      expect(res.headers['cache-control']).toContain('no-store');
    }
  });

  it('tells someone logged in with only their own name, at the top of the help page, where to read what to do', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, { insz: piet.insz });
    const html = (await agent.get(paths.help).expect(200)).text;
    expect(html).toContain('U bent nu aangemeld <strong>in eigen naam</strong>');
    expect(html).toContain(`href="#${helpAnchors.ownNameOnly}"`);
    const anonymous = (await request(t.app).get(paths.help).expect(200)).text;
    expect(anonymous).not.toContain('aangemeld <strong>in eigen naam</strong>');
  });

  it('explain the way out for a user who only sees their own name: the lokale beheerder, or 1700 and the team gebruikersbeheer', async () => {
    const html = (await request(t.app).get(paths.help).expect(200)).text;
    const section = html.slice(
      html.indexOf(`id="${helpAnchors.ownNameOnly}"`),
      html.indexOf(`id="${helpAnchors.aanvraagButton}"`),
    );
    expect(section).toContain('<strong>lokale beheerder</strong>');
    expect(section).toContain('<a href="tel:1700">1700</a>');
    expect(section).toContain('team <strong>gebruikersbeheer</strong>');
    expect(html).toContain('de zwarte knop <strong>Aanvraag</strong>');
    expect(html).toContain('<strong>Gebruikersrecht aanvragen</strong>');
    expect(html).toContain('mailto:vlaamsopleidingsverlof@vlaanderen.be');
  });

  it('explain the CSV route for many requests, with the limits its parser enforces, and the FAQ links to it', async () => {
    const html = (await request(t.app).get(paths.help).expect(200)).text;
    const section = html.slice(
      html.indexOf(`id="${helpAnchors.bulk}"`),
      html.indexOf(`id="${helpAnchors.sessionExpired}"`),
    );
    expect(section).toContain('<strong>Meerdere aanvragen via CSV-bestand</strong>');
    expect(section).toContain(
      `hoogstens ${formatCount(MAX_ROWS)} regels en is hoogstens ${MAX_FILE_BYTES / 1024 / 1024} MB groot`,
    );
    const faq = (await request(t.app).get(paths.faq).expect(200)).text;
    expect(faq).toContain(`<a href="${helpLink('bulk')}">`);
  });

  it('name the right a local administrator grants from the rules data', async () => {
    const html = (await request(t.app).get(paths.helpAdmin).expect(200)).text;
    expect(html).toContain(
      '<strong>DWSE organisatieverantwoordelijke</strong> met context <strong>opleidingsverlof</strong>',
    );
    for (const word of ['Gebruiker toevoegen', 'Toekennen', 'Weigeren', 'Intrekken', 'einddatum'])
      expect(html).toContain(word);
  });

  it('the contact page shows a request id from ?referentie= only when it is a UUID', async () => {
    const id = '3F2B8C1E-6A4D-4B7E-9C0A-12AB34CD56EF';
    const shown = await request(t.app).get(`${paths.contact}?referentie=${id}`).expect(200);
    expect(shown.text).toContain('Uw referentie');
    expect(shown.text).toContain(`<code class="reference__id">${id.toLowerCase()}</code>`);
    expect(shown.text).toContain(encodeURIComponent(id.toLowerCase()));

    for (const bad of ['abc', '<script>alert(1)</script>', `${id}x`, '', `${id}&referentie=${id}`]) {
      const res = await request(t.app)
        .get(`${paths.contact}?referentie=${encodeURIComponent(bad)}`)
        .expect(200);
      expect(res.text, bad).not.toContain('Uw referentie');
      expect(res.text).not.toContain('<script>alert');
    }
    const twice = await request(t.app).get(`${paths.contact}?referentie=${id}&referentie=${id}`).expect(200);
    expect(twice.text).not.toContain('Uw referentie');

    const without = await request(t.app).get(paths.contact).expect(200);
    expect(without.text).not.toContain('Uw referentie');
    expect(without.text).toContain('Onderaan die pagina staat een <strong>referentie</strong>');
  });

  it('the 401 page links to the login help and to contact with its own request id', async () => {
    const requestId = '0b9d3f4e-2c1a-4e5f-8a7b-6c5d4e3f2a1b';
    const html = await new Promise<string>((resolve, reject) =>
      t.app.render('errors/401.njk', { requestId }, (err: Error | null, out?: string) =>
        err ? reject(err) : resolve(out!),
      ),
    );
    expect(html).toContain('Hulp nodig?');
    expect(html).toContain(`href="${helpLink('login')}"`);
    expect(html).toContain(`href="${paths.contact}?referentie=${requestId}"`);
  });

  it('the landing page links to the help pages and to the section for "only my own name"', async () => {
    const html = (await request(t.app).get('/').expect(200)).text;
    expect(html).toContain(`href="${paths.help}"`);
    expect(html).toContain(`href="${paths.faq}"`);
    expect(html).toContain(`href="${helpLink('ownNameOnly')}"`);
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
