import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRetention, formatPeriodNl } from '../../src/domain/retention-data.js';
import { paths } from '../../src/paths.js';
import { PROJECT_ROOT } from '../../src/root.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { PAGE_WITH_HEADER, type Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { completeDraft, fixedClock, insertMember, loginForOrganisation } from '../refund/fixtures.js';
import { people, submitDraft } from '../refund/fixtures.js';
import { insertDeMeeuw } from './fixtures.js';

/** The privacyverklaring: what it must say, its periods from the retention data, and a link to it on every page. */

let t: TestApp;
let jan: Agent;
let receipt: string;

/** The links in the page's footer. */
const footerLinks = (html: string) => {
  const p = page(html);
  return p
    .$('footer a[href]')
    .toArray()
    .map((a) => ({ text: p.$(a).text().trim(), href: p.$(a).attr('href') }));
};

beforeAll(async () => {
  t = await buildTestApp({}, { now: fixedClock });
  const org = await insertDeMeeuw(t.database.db);
  await insertMember(t.database.db, org.id, people.jan);
  jan = request.agent(t.app);
  await loginForOrganisation(jan, people.jan, org.id);
  receipt = await submitDraft(jan, await completeDraft(jan, org.unitId));
});

afterAll(async () => {
  await t.close();
});

describe('the privacyverklaring', () => {
  it('says who is responsible, why, which data from where, who gets it, the rights and how, and the DPO', async () => {
    const res = await request(t.app).get(paths.privacy).expect(200);
    const shown = page(res.text);
    expect(shown.title).toBe('Privacyverklaring – WSE-loket');
    const statement = shown.main;
    expect(statement).toContain('Het Departement Werk en Sociale Economie van de Vlaamse overheid is verantwoordelijk');
    expect(statement).toContain('taak van algemeen belang');
    expect(statement).toContain('Van uw digitale sleutel');
    expect(statement).toContain('Van het formulier van de werkgever');
    expect(statement).toContain('Wie krijgt uw gegevens?');
    expect(statement).toMatch(/Uw rechten .*inzage.*verbeteren.*wissen.*bezwaar/);
    const dpo = defaultRetention.controller.dpoEmail;
    expect(statement).toContain(
      `Zo gebruikt u die rechten: mail naar de functionaris voor gegevensbescherming op ${dpo}`,
    );
    expect(shown.links.map((l) => l.href)).toContain(`mailto:${dpo}`);
    expect(statement).toContain('Vlaamse Toezichtcommissie');
  });

  it('shows every retention period of the table the purge enforces, the assumed ones marked', async () => {
    const res = await request(t.app).get(paths.privacy).expect(200);
    const shown = page(res.text);
    const { headers, rows } = shown.table('Bewaartermijnen');
    expect(headers).toEqual(['Gegevens', 'Bewaartermijn', 'Daarna']);
    type Rule = (typeof defaultRetention.rules)[number];
    const period = (r: Rule) => `${formatPeriodNl(r.period)} ${r.from}${r.assumed ? ' voorstel' : ''}`;
    expect(rows).toEqual(defaultRetention.rules.map((r) => [r.what, period(r), r.then]));
    expect(shown.main).toContain('12 maanden na de laatste wijziging');
    expect(shown.main).toContain('10 jaar na het einde van het schooljaar van de opleiding');
    expect(shown.main).toContain('krijgt 30 dagen voor ze verwijderd wordt een e-mail');
  });

  it('is linked in the footer of every page: public, logged in, forms, receipts and error pages', async () => {
    const anonymous = request.agent(t.app);
    const pages: [Agent, string, number][] = [
      [anonymous, paths.home, 200],
      [anonymous, paths.help, 200],
      [anonymous, paths.faq, 200],
      [anonymous, paths.contact, 200],
      [anonymous, paths.accessibility, 200],
      [anonymous, paths.privacy, 200],
      [anonymous, paths.sessionExpired, 200],
      [anonymous, '/bestaat-niet', 404],
      [jan, PAGE_WITH_HEADER, 200],
      [jan, paths.home, 200],
      [jan, paths.aanvraag, 200],
      [jan, paths.refundNew, 200],
      [jan, paths.dossiers, 200],
      [jan, receipt, 200],
      [jan, paths.admin, 403],
      [jan, paths.privacy, 200],
    ];
    for (const [agent, path, status] of pages) {
      const res = await agent.get(path);
      expect([path, res.status]).toEqual([path, status]);
      expect(footerLinks(res.text), path).toContainEqual({ text: 'Privacyverklaring', href: paths.privacy });
    }
  });

  it('every page template extends the layout with that footer (directly or through another template)', () => {
    const views = join(PROJECT_ROOT, 'views');
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const path = join(dir, e.name);
        return e.isDirectory() ? files(path) : [path];
      });
    const parentOf = (file: string) => /{%-?\s*extends\s+"([^"]+)"/.exec(readFileSync(file, 'utf8'))?.[1];
    const pages = files(views).filter((f) => {
      const name = relative(views, f);
      const partOfPage = /(^|\/)_|^(mail|macros|partials)\/|\/mail\//.test(name) || name === 'layout.njk';
      return name.endsWith('.njk') && !partOfPage;
    });
    expect(pages.length).toBeGreaterThan(30);
    for (const page of pages) {
      let current: string | undefined = relative(views, page);
      const chain: string[] = [];
      while (current && current !== 'layout.njk' && chain.length < 5) {
        chain.push(current);
        current = parentOf(join(views, current));
      }
      expect(current, `${relative(views, page)} (${chain.join(' → ')})`).toBe('layout.njk');
    }
    const layout = readFileSync(join(views, 'layout.njk'), 'utf8');
    expect(layout).toContain('<li><a href="{{ paths.privacy }}">Privacyverklaring</a></li>');
  });
});
