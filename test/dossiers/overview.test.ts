import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOSSIERS_PAGE_SIZE } from '../../src/dossiers/routes.js';
import { paths } from '../../src/paths.js';
import { confirmPreview, csvFile, csvLines, inszFor, previewOf, validRow } from '../bulk/fixtures.js';
import type { TestApp } from '../helpers/app.js';
import { memberLoggedIn } from '../helpers/fixture.js';
import type { Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import {
  completeDraft,
  insertMember,
  insertOrganisation,
  loginForOrganisation,
  people,
  submitDraft,
} from '../refund/fixtures.js';

let t: TestApp;
let jan: Agent;
let olaf: Agent;
/** Newest first, as the overview lists them. */
let numbers: string[] = [];

const COUNT = DOSSIERS_PAGE_SIZE + 5;

beforeAll(async () => {
  const { t: app, org, agent } = await memberLoggedIn();
  t = app;
  jan = agent;
  const other = await insertOrganisation(t.database.db, {
    kbo: '0200065765',
    name: 'Andere Werkgever BV',
    unitNumber: '2000000042',
    postcode: '9000',
  });
  await insertMember(t.database.db, other.id, people.other);
  olaf = request.agent(t.app);
  await loginForOrganisation(olaf, people.other, other.id);

  // 30 dossiers from one file: every third in 2024-2025 (a training that started on 1 August 2025).
  const rows = Array.from({ length: COUNT }, (_, i) =>
    validRow({
      insz: inszFor(i),
      firstName: i === 7 ? 'Zoë' : `Voornaam${i}`,
      lastName: i === 7 ? 'Van den Broeck' : `Achternaam${i}`,
      startDate: i % 3 === 0 ? '01/08/2025' : '01/10/2025',
      endDate: '30/06/2026',
      trainingName: i === 8 ? '=HYPERLINK("http://evil.example";"klik")' : `Opleiding ${i}`,
    }),
  );
  const preview = await previewOf(jan, csvFile(rows));
  await confirmPreview(jan, preview);
  // The other organisation has a Zoë too.
  await submitDraft(
    olaf,
    await completeDraft(olaf, other.unitId, { werknemer: { firstName: 'Zoë', lastName: 'Ander' } }),
  );
  const all = await t.database
    .db('dossier')
    .where({ organisation_id: org.id })
    .orderBy('id', 'desc')
    .select('dossiernummer');
  numbers = all.map((d) => d.dossiernummer);
  await t.database
    .db('dossier')
    .whereIn('dossiernummer', [numbers[0], numbers[10], numbers[29]])
    .update({ status: 'goedgekeurd' });
  await t.database.db('dossier').where({ dossiernummer: numbers[1] }).update({ status: 'geweigerd' });
});

afterAll(async () => {
  await t.close();
});

/** The dossiernummers the page links to, in order. */
function listed(html: string): string[] {
  return page(html)
    .links.filter((l) => /^VOV-\d{4}-\d{6}$/.test(l.text) && l.href === `${paths.dossiers}/${l.text}`)
    .map((l) => l.text);
}

const SEARCH = 'Zoek op dossiernummer of naam van de werknemer';

describe('Mijn dossiers: the follow-up overview', () => {
  it(`shows ${DOSSIERS_PAGE_SIZE} dossiers a page, newest first, with a pager that works without JavaScript`, async () => {
    const first = await jan.get(paths.dossiers).expect(200);
    const shown = page(first.text);
    expect(shown.title).toBe('Mijn dossiers – WSE-loket');
    expect(shown.$('h1')).toHaveLength(1);
    expect(listed(first.text)).toEqual(numbers.slice(0, DOSSIERS_PAGE_SIZE));
    expect(shown.notices).toContain(`${COUNT} dossiers.`);
    expect(shown.$('nav.pager p').text()).toBe(`1 tot ${DOSSIERS_PAGE_SIZE} van ${COUNT}`);
    expect(shown.link('Volgende pagina')).toBe('/mijn-dossiers?pagina=2');
    expect(shown.table('Ingediende aanvragen').headers[0]).toBe('Dossiernummer');
    const second = await jan.get(`${paths.dossiers}?pagina=2`).expect(200);
    expect(listed(second.text)).toEqual(numbers.slice(DOSSIERS_PAGE_SIZE));
    expect(page(second.text).link('Vorige pagina')).toBe('/mijn-dossiers');
    expect(page(second.text).$('nav.pager a[aria-current=page]').text()).toBe('Pagina 2');
    // Nonsense page numbers show the nearest page.
    expect(listed((await jan.get(`${paths.dossiers}?pagina=abc`)).text)).toEqual(numbers.slice(0, DOSSIERS_PAGE_SIZE));
    expect(listed((await jan.get(`${paths.dossiers}?pagina=999`)).text)).toEqual(numbers.slice(DOSSIERS_PAGE_SIZE));
  });

  it('filters by status and by school year, with a GET form that keeps what was chosen', async () => {
    const approved = await jan.get(`${paths.dossiers}?status=goedgekeurd`).expect(200);
    expect(listed(approved.text)).toEqual([numbers[0], numbers[10], numbers[29]]);
    const shown = page(approved.text);
    expect(shown.value('Status')).toBe('goedgekeurd');
    expect(shown.form(paths.dossiers).method).toBe('get');
    expect(shown.$('form[role=search]').attr('action')).toBe(paths.dossiers);
    expect(shown.notices).toContain('3 dossiers gevonden.');
    const older = await jan.get(`${paths.dossiers}?schooljaar=2024-2025`).expect(200);
    expect(listed(older.text)).toHaveLength(10);
    expect(page(older.text).value('Schooljaar')).toBe('2024-2025');
    expect(page(older.text).link('Volgende pagina')).toBeUndefined();
    const both = await jan.get(`${paths.dossiers}?schooljaar=2024-2025&status=goedgekeurd`).expect(200);
    expect(listed(both.text)).toEqual([numbers[29]]); // the first row of the file: line 2, started 1 August
    // An unknown status is no filter.
    expect(listed((await jan.get(`${paths.dossiers}?status=onzin`)).text)).toHaveLength(DOSSIERS_PAGE_SIZE);
  });

  it('searches by employee name (any part, any case, first or last name first) and by dossiernummer', async () => {
    const zoe = numbers[COUNT - 1 - 7];
    for (const q of ['zoë', 'VAN DEN BROECK', 'Broeck Zoë', 'den  broeck']) {
      const res = await jan.get(`${paths.dossiers}?zoek=${encodeURIComponent(q)}`).expect(200);
      expect([q, listed(res.text)]).toEqual([q, [zoe]]);
    }
    const byNumber = await jan.get(`${paths.dossiers}?zoek=${zoe}`).expect(200);
    expect(listed(byNumber.text)).toEqual([zoe]);
    expect(page(byNumber.text).value(SEARCH)).toBe(zoe);
    const partial = await jan.get(`${paths.dossiers}?zoek=${zoe.slice(-4)}`).expect(200);
    expect(listed(partial.text)).toContain(zoe);
    // Wildcards are text, and nothing of another organisation is ever found.
    const none = await jan.get(`${paths.dossiers}?zoek=${encodeURIComponent('%')}`).expect(200);
    expect(listed(none.text)).toEqual([]);
    expect(page(none.text).notices).toContain('Er zijn geen dossiers die aan uw zoekopdracht voldoen.');
    expect(listed((await jan.get(`${paths.dossiers}?zoek=Ander`)).text)).toEqual([]);
  });

  it('the pager keeps the filters and the search', async () => {
    const res = await jan.get(`${paths.dossiers}?status=ingediend&zoek=a`).expect(200);
    const shown = page(res.text);
    expect(shown.notices).toContain(`${COUNT - 4} dossiers gevonden.`);
    expect(listed(res.text)).toHaveLength(DOSSIERS_PAGE_SIZE);
    expect(shown.link('Volgende pagina')).toBe('/mijn-dossiers?status=ingediend&zoek=a&pagina=2');
    expect(shown.link('Download deze dossiers als CSV-bestand')).toBe(
      '/mijn-dossiers/export.csv?status=ingediend&zoek=a',
    );
    const second = await jan.get(`${paths.dossiers}?status=ingediend&zoek=a&pagina=2`).expect(200);
    expect(listed(second.text)).toHaveLength(1);
    expect(page(second.text).form(paths.dossiers).fields).toEqual({ zoek: 'a', schooljaar: '', status: 'ingediend' });
  });

  it('exports the filtered overview as CSV: every matching dossier, not only the page; formulas neutralised', async () => {
    const all = csvLines((await jan.get(paths.dossiersExport).buffer(true).expect(200)).text);
    expect(all[0]).toBe(
      'Dossiernummer;Werknemer;INSZ (afgeschermd);Opleiding;Soort opleiding;Schooljaar;Startdatum;Initiatief;Uren;Indicatief bedrag (EUR);Status;Ingediend op;Status sinds;Goedgekeurde uren;Goedgekeurd bedrag (EUR)',
    );
    expect(all).toHaveLength(COUNT + 1);
    expect(all.slice(1).map((l) => l.split(';')[0])).toEqual(numbers);
    const zoe = all.find((l) => l.includes('Zoë'))!;
    expect(zoe).toMatch(
      /;Zoë Van den Broeck;\d\d\.\d\d\.\d\d-\*\*\*\.\*\*;Opleiding 7;ODB-opleiding \(opleidingsdatabank\);2025-2026;01\/10\/2025;Werkgever;40;596,40;Ingediend;15\/10\/2025 om 12:00;15\/10\/2025 om 12:00;;$/,
    );
    expect(all.find((l) => l.includes('HYPERLINK'))).toContain(`;"'=HYPERLINK(""http://evil.example"";""klik"")";`);
    expect(all.join('\n')).not.toMatch(/\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}/);
    const filtered = csvLines(
      (await jan.get(`${paths.dossiersExport}?status=geweigerd`).buffer(true).expect(200)).text,
    );
    expect(filtered.slice(1).map((l) => l.split(';')[0])).toEqual([numbers[1]]);
    expect(filtered[1]).toMatch(/;Geweigerd;/);
  });

  it('another organisation sees only its own dossiers, also when it searches', async () => {
    const res = await olaf.get(`${paths.dossiers}?zoek=zo%C3%AB`).expect(200);
    expect(listed(res.text)).toHaveLength(1);
    expect(page(res.text).table('Ingediende aanvragen').rows[0][1]).toContain('Zoë Ander');
    expect(csvLines((await olaf.get(paths.dossiersExport).buffer(true)).text)).toHaveLength(2);
  });
});
