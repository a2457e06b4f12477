import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOSSIERS_COUNT_LIMIT, DOSSIERS_PAGE_SIZE } from '../../src/dossiers/routes.js';
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

/** An organisation with `count` dossiers (one a minute, "Opleiding 1" the oldest), and Jan logged in for it. */
async function largeOrganisation(count: number, o: { kbo: string; unitNumber: string }): Promise<Agent> {
  const org = await insertOrganisation(t.database.db, { ...o, name: `Grote Werkgever ${o.kbo}` });
  const jansId = await insertMember(t.database.db, org.id, people.jan);
  await t.database.db.raw(
    `WITH d AS (INSERT INTO refund_draft (organisation_id, steps, submitted_at)
                SELECT ?, '{}'::jsonb, now() - i * interval '1 minute' FROM generate_series(1, ?) i
                RETURNING id, submitted_at)
     INSERT INTO dossier (dossiernummer, organisation_id, draft_id, employee_insz, employee_first_name, employee_last_name,
                          training_type, training_name, training_key, training_start_date, school_year_start, initiative,
                          training_hours, vov_hours, forfait_cents, amount_cents, snapshot, submitted_at, submitted_by)
     SELECT 'VOV-2025-' || lpad(nextval('dossier_number_seq')::text, 6, '0'), ?, d.id, '85073003328', 'Eva', 'Werknemer',
            'odb', 'Opleiding ' || row_number() OVER (ORDER BY d.submitted_at), 'odb:' || d.id, '2025-10-01', 2025,
            'werkgever', 40, 40, 1491, 59640, '{}'::jsonb, d.submitted_at, ?
       FROM d`,
    [org.id, count, org.id, jansId],
  );
  const agent = request.agent(t.app);
  await loginForOrganisation(agent, people.jan, org.id);
  return agent;
}

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
    expect(shown.table('Ingediende aanvragen').headers[0]).toBe('Dossiernummer');
    const last = numbers[DOSSIERS_PAGE_SIZE - 1];
    expect(shown.link('Volgende pagina')).toBe(`/mijn-dossiers?na=${last}`);
    expect(shown.link('Vorige pagina')).toBeUndefined();
    const second = await jan.get(`${paths.dossiers}?na=${last}`).expect(200);
    expect(listed(second.text)).toEqual(numbers.slice(DOSSIERS_PAGE_SIZE));
    expect(page(second.text).link('Volgende pagina')).toBeUndefined();
    const back = page(second.text).link('Vorige pagina')!;
    expect(back).toBe(`/mijn-dossiers?voor=${numbers[DOSSIERS_PAGE_SIZE]}`);
    expect(listed((await jan.get(back).expect(200)).text)).toEqual(numbers.slice(0, DOSSIERS_PAGE_SIZE));
    // Nonsense or unknown keys show the first page.
    for (const q of ['pagina=2', 'na=abc', 'na=VOV-1999-999999', 'voor=VOV-1999-999999'])
      expect([q, listed((await jan.get(`${paths.dossiers}?${q}`)).text)]).toEqual([
        q,
        numbers.slice(0, DOSSIERS_PAGE_SIZE),
      ]);
  });

  it('"Vorige" near the top of the list shows the first page, full', async () => {
    // "Vorige" from a page whose newer dossiers do not fill a page: the first page, full.
    const res = await jan.get(`${paths.dossiers}?voor=${numbers[2]}`).expect(200);
    expect(listed(res.text)).toEqual(numbers.slice(0, DOSSIERS_PAGE_SIZE));
  });

  it('says "meer dan 1.000" instead of counting every dossier of a large organisation', async () => {
    const agent = await largeOrganisation(DOSSIERS_COUNT_LIMIT + 1, { kbo: '0417497106', unitNumber: '2147812996' });
    const res = await agent.get(paths.dossiers).expect(200);
    expect(page(res.text).notices).toContain('Meer dan 1.000 dossiers.');
    expect(listed(res.text)).toHaveLength(DOSSIERS_PAGE_SIZE);
  });

  it('streams the CSV export of many dossiers completely, newest first', async () => {
    const count = 20_000;
    const agent = await largeOrganisation(count, { kbo: '0202239951', unitNumber: '2147813095' });
    const res = await agent.get(paths.dossiersExport).buffer(true).expect(200);
    expect(res.headers['transfer-encoding']).toBe('chunked'); // sent as it is read, not built whole first
    const lines = csvLines(res.text);
    expect(lines).toHaveLength(count + 1);
    const numbersInFile = lines.slice(1).map((l) => l.split(';')[0]);
    expect(new Set(numbersInFile).size).toBe(count);
    expect(lines.at(-1)).toMatch(/^VOV-2025-\d{6};Eva Werknemer;85\.07\.30-\*\*\*\.\*\*;Opleiding 1;/);
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
    const last = listed(res.text).at(-1);
    expect(shown.link('Volgende pagina')).toBe(`/mijn-dossiers?status=ingediend&zoek=a&na=${last}`);
    expect(shown.link('Download deze dossiers als CSV-bestand')).toBe(
      '/mijn-dossiers/export.csv?status=ingediend&zoek=a',
    );
    const second = await jan.get(`${paths.dossiers}?status=ingediend&zoek=a&na=${last}`).expect(200);
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
