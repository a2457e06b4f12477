import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRetention, formatPeriodNl } from '../../src/domain/retention-data.js';
import { paths } from '../../src/paths.js';
import { PROJECT_ROOT } from '../../src/root.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { decodeHtml } from '../helpers/html.js';
import { PAGE_WITH_HEADER, type Agent } from '../helpers/login.js';
import { completeDraft, fixedClock, insertMember, loginForOrganisation } from '../refund/fixtures.js';
import { people, submitDraft } from '../refund/fixtures.js';
import { insertDeMeeuw } from './fixtures.js';

/** The privacyverklaring: what it must say, its periods from the retention data, and a link to it on every page. */

let t: TestApp;
let jan: Agent;
let receipt: string;

const FOOTER_LINK = '<li><a href="/privacyverklaring">Privacyverklaring</a></li>';
const text = (html: string) => decodeHtml(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

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
    expect(res.text).toContain('<title>Privacyverklaring – WSE-loket</title>');
    const page = text(res.text);
    expect(page).toContain('Het Departement Werk en Sociale Economie van de Vlaamse overheid is verantwoordelijk');
    expect(page).toContain('taak van algemeen belang');
    expect(page).toContain('Van uw digitale sleutel');
    expect(page).toContain('Van het formulier van de werkgever');
    expect(page).toContain('Wie krijgt uw gegevens?');
    expect(page).toMatch(/Uw rechten .*inzage.*verbeteren.*wissen.*bezwaar/);
    const dpo = defaultRetention.controller.dpoEmail;
    expect(page).toContain(`Zo gebruikt u die rechten: mail naar de functionaris voor gegevensbescherming op ${dpo}`);
    expect(res.text).toContain(`href="mailto:${defaultRetention.controller.dpoEmail}"`);
    expect(page).toContain('Vlaamse Toezichtcommissie');
  });

  it('shows every retention period of the table the purge enforces, the assumed ones marked', async () => {
    const res = await request(t.app).get(paths.privacy).expect(200);
    const row = /<tr>\s*<td>([\s\S]*?)<\/td>\s*<td>([\s\S]*?)<\/td>\s*<td>([\s\S]*?)<\/td>\s*<\/tr>/g;
    const rows = [...res.text.matchAll(row)].map((m) => m.slice(1).map((cell) => text(cell).trim()));
    type Rule = (typeof defaultRetention.rules)[number];
    const period = (r: Rule) => `${formatPeriodNl(r.period)} ${r.from}${r.assumed ? ' voorstel' : ''}`;
    expect(rows).toEqual(defaultRetention.rules.map((r) => [r.what, period(r), r.then]));
    expect(text(res.text)).toContain('12 maanden na de laatste wijziging');
    expect(text(res.text)).toContain('10 jaar na het einde van het schooljaar van de opleiding');
    expect(text(res.text)).toContain('krijgt 30 dagen voor ze verwijderd wordt een e-mail');
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
      expect(res.text, path).toContain(FOOTER_LINK);
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
