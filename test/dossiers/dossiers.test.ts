import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/paths.js';
import type { TestApp } from '../helpers/app.js';
import { memberLoggedIn } from '../helpers/fixture.js';
import type { Agent } from '../helpers/login.js';
import { page, type Page } from '../helpers/page.js';
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
let receipts: string[] = [];

beforeAll(async () => {
  const { t: app, org, agent } = await memberLoggedIn();
  t = app;
  jan = agent;
  const otherOrg = await insertOrganisation(t.database.db, {
    kbo: '0200065765',
    name: 'Andere Werkgever BV',
    unitNumber: '2000000042',
    postcode: '9000',
  });
  await insertMember(t.database.db, otherOrg.id, people.other);
  olaf = request.agent(t.app);
  await loginForOrganisation(olaf, people.other, otherOrg.id);

  // Two dossiers of De Meeuw in two school years (one with a name a spreadsheet would run), one of the other organisation.
  receipts = [
    await submitDraft(
      jan,
      await completeDraft(jan, org.unitId, {
        opleiding: { startDate: '15/07/2025', trainingName: '=HYPERLINK("http://evil.example";"klik")' },
      }),
    ),
    await submitDraft(
      jan,
      await completeDraft(jan, org.unitId, {
        werknemer: { firstName: 'Ann', lastName: 'Peeters; De Smet' },
        opleiding: { odbNumber: '777' },
      }),
    ),
    await submitDraft(
      olaf,
      await completeDraft(olaf, otherOrg.unitId, { werknemer: { firstName: 'Ander', lastName: 'Bedrijf' } }),
    ),
  ];
  await t.database
    .db('dossier')
    .where({ dossiernummer: receipts[0].split('/').pop() })
    .update({ status: 'goedgekeurd' });
});

afterAll(async () => {
  await t.close();
});

const nummer = (url: string) => url.split('/').pop()!;

/** The dossiernummers the page links to, in order. */
const listed = (shown: Page): string[] =>
  shown.links.filter((l) => l.href === `${paths.dossiers}/${l.text}`).map((l) => l.text);

describe('Mijn dossiers', () => {
  it('lists only the organisation’s dossiers, newest first, with masked INSZ, school year and status', async () => {
    const res = await jan.get(paths.dossiers).expect(200);
    const shown = page(res.text);
    expect(shown.title).toBe('Mijn dossiers – WSE-loket');
    expect(listed(shown)).toEqual([nummer(receipts[1]), nummer(receipts[0])]);
    expect(shown.main).not.toContain(nummer(receipts[2]));
    const { headers, rows } = shown.table('Ingediende aanvragen');
    const column = (name: string) => rows.map((r) => r[headers.indexOf(name)]);
    expect(column('Werknemer')).toEqual(['Ann Peeters; De Smet 85.07.30-***.**', 'Eva Werknemer 85.07.30-***.**']);
    expect(column('Schooljaar')).toEqual(['2025-2026', '2024-2025']);
    expect(column('Status').map((s) => s.split(' sinds ')[0])).toEqual(['Ingediend', 'Goedgekeurd']);
    expect(shown.choices('Schooljaar').map((c) => c.value)).toEqual(expect.arrayContaining(['2025-2026', '2024-2025']));
    // The formula is shown as text, escaped.
    expect(column('Opleiding')[1]).toBe('=HYPERLINK("http://evil.example";"klik")');
    expect(res.text).toContain('=HYPERLINK(&quot;http://evil.example&quot;;&quot;klik&quot;)');
  });

  it('keeps each dossiernummer on one line on a narrow screen (a browser would break it at its hyphens)', async () => {
    const { $ } = page((await jan.get(paths.dossiers).expect(200)).text);
    const cells = $('td:has(a[href^="/mijn-dossiers/VOV-"])').toArray();
    expect(cells.map((td) => $(td).hasClass('nowrap'))).toEqual([true, true]);
    const stylesheet = $('link[rel=stylesheet]').first().attr('href')!;
    const css = (await jan.get(stylesheet).expect(200)).text;
    expect(css).toMatch(/(^|[\s,}])\.nowrap\b[^{]*\{[^}]*white-space:\s*nowrap/);
  });

  it('filters by school year with a GET form; an unknown value shows every school year', async () => {
    const only2024 = page((await jan.get(`${paths.dossiers}?schooljaar=2024-2025`).expect(200)).text);
    expect(listed(only2024)).toEqual([nummer(receipts[0])]);
    expect(only2024.form(paths.dossiers).method).toBe('get');
    expect(only2024.value('Schooljaar')).toBe('2024-2025');
    expect(only2024.link('Download deze dossiers als CSV-bestand')).toBe(
      '/mijn-dossiers/export.csv?schooljaar=2024-2025',
    );
    const all = await jan.get(`${paths.dossiers}?schooljaar=onzin`).expect(200);
    expect(listed(page(all.text))).toEqual([nummer(receipts[1]), nummer(receipts[0])]);
  });

  it('exports CSV with the rows of the list, neutralising formulas and quoting separators', async () => {
    const res = await jan.get(paths.dossiersExport).buffer(true).expect(200);
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      new RegExp(`^${nummer(receipts[1])};"Ann Peeters; De Smet";85\\.07\\.30-\\*\\*\\*\\.\\*\\*;`),
    );
    expect(lines[2]).toContain(
      `${nummer(receipts[0])};Eva Werknemer;85.07.30-***.**;"'=HYPERLINK(""http://evil.example"";""klik"")";`,
    );
    expect(lines[2]).toMatch(
      /;2024-2025;15\/07\/2025;Werkgever;40;852,00;Goedgekeurd;15\/10\/2025 om 12:00;15\/10\/2025 om 12:00;;$/,
    );
    expect(res.text).not.toContain('Ander Bedrijf');
    const filtered = await jan.get(`${paths.dossiersExport}?schooljaar=2025-2026`).buffer(true).expect(200);
    expect(filtered.text.trimEnd().split('\r\n')).toHaveLength(2);
  });

  it('opens each dossier’s receipt from the list', async () => {
    const shown = page((await jan.get(receipts[0]).expect(200)).text);
    expect(shown.title).toBe(`Ontvangstbevestiging ${nummer(receipts[0])} – WSE-loket`);
    const summary = Object.fromEntries(shown.summary);
    expect(summary.Schooljaar).toBe('2024-2025');
    expect(summary['Bedrag per uur']).toBe('€ 21,30');
    expect(summary['Indicatief bedrag']).toBe('€ 852,00');
    expect((await jan.get(`${paths.dossiers}/VOV-2025-00001x`)).status).toBe(404);
    expect((await olaf.get(receipts[0])).status).toBe(404);
  });
});
