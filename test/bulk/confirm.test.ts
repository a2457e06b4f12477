import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { paths } from '../../src/paths.js';
import type { TestApp } from '../helpers/app.js';
import { memberLoggedIn } from '../helpers/fixture.js';
import type { Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import {
  completeDraft,
  insertMember,
  loginForOrganisation,
  people,
  submitDraft,
  TODAY,
  type TestOrganisation,
} from '../refund/fixtures.js';
import {
  confirmPreview,
  csvFile,
  EMPLOYEES,
  manyRows,
  NEW_EMPLOYEE_ROUTE,
  previewOf,
  previewRows,
  tokenOf,
  validRow,
} from './fixtures.js';

let t: TestApp;
let org: TestOrganisation;
let jan: Agent;
let mia: Agent;
/** A clock the tests move: "today" is 15 October 2025 unless a test says otherwise. */
let clock = TODAY;

// Each test on a database of its own: Jan and his colleague Mia, both with the right, logged in for De Meeuw.
beforeEach(async () => {
  clock = TODAY;
  ({ t, org, agent: jan } = await memberLoggedIn({ deps: { now: () => clock } }));
  await insertMember(t.database.db, org.id, people.mia);
  mia = request.agent(t.app);
  await loginForOrganisation(mia, people.mia, org.id);
});

afterEach(async () => {
  await t.close();
});

/** Uploads `rows` as Jan and confirms them; returns the upload's path. */
async function confirmedFile(rows: Record<string, string>[]): Promise<string> {
  const previewPath = await previewOf(jan, csvFile(rows));
  expect((await confirmPreview(jan, previewPath)).headers.location).toBe(`${previewPath}/ontvangstbevestiging`);
  return previewPath;
}

const count = async (table: string, where: Record<string, unknown> = {}) =>
  Number((await t.database.db(table).where(where).count({ n: '*' }).first())?.n);

describe('Bevestigen is exactly-once', () => {
  it('two confirmations of the same preview at the same time (two colleagues, two clicks) give one set of dossiers', async () => {
    const previewPath = await previewOf(
      jan,
      csvFile([validRow({ ...EMPLOYEES[0], odbNumber: '100' }), validRow({ ...EMPLOYEES[1], odbNumber: '100' })]),
    );
    const [tokenJan, tokenMia] = [await tokenOf(jan), await tokenOf(mia)];
    const post = (agent: Agent, token: string) =>
      agent.post(`${previewPath}/bevestigen`).type('form').send({ _csrf: token, declaration: 'ja' });
    const results = await Promise.all([post(jan, tokenJan), post(mia, tokenMia), post(jan, tokenJan)]);
    expect(results.map((r) => [r.status, r.headers.location])).toEqual(
      Array(3).fill([303, `${previewPath}/ontvangstbevestiging`]),
    );
    expect(await count('dossier', { odb_number: '100' })).toBe(2);
    expect(await count('mail_outbox')).toBe(4);
    expect(await count('audit_log', { action: 'bulk.submitted' })).toBe(1);
    // And once more, later: still the same two.
    expect((await confirmPreview(jan, previewPath)).headers.location).toBe(`${previewPath}/ontvangstbevestiging`);
    expect(await count('dossier', { odb_number: '100' })).toBe(2);
    const receipt = page((await mia.get(`${previewPath}/ontvangstbevestiging`).expect(200)).text);
    expect(receipt.main).toContain('Aantal dossiers 2');
    expect(receipt.table('Dossiers uit het bestand').rows).toHaveLength(2);
    expect(receipt.summary).toContainEqual(['Ingediend door', 'Jan Werkgever']); // who confirmed first
  });

  it('two different files with the same request confirmed at once: one dossier, the other file is shown again', async () => {
    const row = validRow({ ...EMPLOYEES[2], odbNumber: '200' });
    const [a, b] = [
      await previewOf(jan, csvFile([row])),
      await previewOf(mia, csvFile([row, validRow({ ...EMPLOYEES[3], odbNumber: '200' })])),
    ];
    const [tokenJan, tokenMia] = [await tokenOf(jan), await tokenOf(mia)];
    const results = await Promise.all([
      jan.post(`${a}/bevestigen`).type('form').send({ _csrf: tokenJan, declaration: 'ja' }),
      mia.post(`${b}/bevestigen`).type('form').send({ _csrf: tokenMia, declaration: 'ja' }),
    ]);
    expect(await count('dossier', { employee_insz: '98472899765', odb_number: '200' })).toBe(1);
    const locations = results.map((r) => r.headers.location as string);
    const winner = locations.findIndex((l) => l.endsWith('/ontvangstbevestiging'));
    expect(winner).toBeGreaterThanOrEqual(0);
    const loserPath = [a, b][1 - winner];
    expect(locations[1 - winner]).toBe(`${loserPath}?gewijzigd=1`);
    const again = await [jan, mia][1 - winner].get(locations[1 - winner]).expect(200);
    expect(page(again.text).notices[0]).toMatch(/^Sinds het vorige voorbeeld is er iets veranderd/);
    expect(previewRows(again.text).get(2)?.[0]).toMatch(
      /^ODB-nummer: Voor deze werknemer is er al een aanvraag voor deze opleiding in het schooljaar 2025-2026 \(dossier VOV-2025-\d{6}\)/,
    );
    // Nothing of the losing file was filed: it is still a preview, none of its rows has a dossier.
    const loserId = Number(loserPath.split('/').pop());
    expect(await t.database.db('bulk_upload').where({ id: loserId }).first('status')).toEqual({ status: 'voorbeeld' });
    expect(
      await t.database
        .db('bulk_upload_row')
        .where({ upload_id: loserId })
        .whereNotNull('dossier_id')
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 0 });
  });
});

describe('a large file', () => {
  it('is filed whole, every row once, and a later row counts the hours of an earlier one of the same employee', async () => {
    // 302 rows (more than one part of the filing): Eva's first training of 100 hours, 300 other employees, then
    // Eva's second training of 100 hours, which gets what is left of her 125 hours this school year.
    const eva = { ...EMPLOYEES[0], sizeKind: 'contacturen' };
    const rows = [
      validRow({ ...eva, odbNumber: '501', sizeAmount: '100' }),
      ...manyRows(300),
      validRow({ ...eva, odbNumber: '502', sizeAmount: '100' }),
    ];
    const previewPath = await confirmedFile(rows);
    expect(await count('dossier')).toBe(302);
    const evaDossiers = await t.database
      .db('dossier')
      .where({ employee_insz: '85073003328' })
      .orderBy('odb_number')
      .select('odb_number', 'vov_hours');
    expect(evaDossiers.map((d) => [d.odb_number, Number(d.vov_hours)])).toEqual([
      ['501', 100],
      ['502', 25],
    ]);
    const uploadId = Number(previewPath.split('/').pop());
    const linked = await t.database.db('bulk_upload_row').where({ upload_id: uploadId }).whereNotNull('dossier_id');
    expect(new Set(linked.map((r: { dossier_id: number }) => r.dossier_id)).size).toBe(302);
  });
});

describe('Bevestigen checks every row again', () => {
  it('a dossier filed with the form since the preview: nothing is filed, the preview shows why, confirming again files the rest', async () => {
    const previewPath = await previewOf(
      jan,
      csvFile([validRow({ ...EMPLOYEES[4], odbNumber: '12345' }), validRow({ ...EMPLOYEES[5], odbNumber: '300' })]),
    );
    // The form files the first row's request meanwhile (the refund fixtures' employee and training).
    await submitDraft(mia, await completeDraft(mia, org.unitId, { werknemer: { insz: EMPLOYEES[4].insz } }));
    const res = await confirmPreview(jan, previewPath);
    expect(res.headers.location).toBe(`${previewPath}?gewijzigd=1`);
    expect(await count('dossier', { odb_number: '300' })).toBe(0);
    const shown = await jan.get(res.headers.location).expect(200);
    expect(page(shown.text).main).toContain('1 in orde: die kunt u nu indienen;');
    expect(previewRows(shown.text).get(2)?.[0]).toMatch(/^ODB-nummer: Voor deze werknemer is er al een aanvraag/);
    expect((await confirmPreview(jan, previewPath)).headers.location).toBe(`${previewPath}/ontvangstbevestiging`);
    expect(await count('dossier', { odb_number: '300' })).toBe(1);
    expect(await count('dossier', { employee_insz: '75041212353' })).toBe(1);
  });

  it('a deadline that passed since the preview: the row is refused at its start date', async () => {
    // Filed on 15 October 2025, a training that started on 15 July 2025 is just in time; a day later it is not.
    const previewPath = await previewOf(
      jan,
      csvFile([validRow({ ...EMPLOYEES[0], odbNumber: '400', startDate: '15/07/2025', endDate: '30/09/2025' })]),
    );
    expect(previewRows((await jan.get(previewPath)).text).get(2)).toEqual([]);
    clock = new Date('2025-10-16T10:00:00Z');
    try {
      // A day later yesterday's session has ended: Jan logs in again.
      const janNextDay = request.agent(t.app);
      await loginForOrganisation(janNextDay, people.jan, org.id);
      const res = await confirmPreview(janNextDay, previewPath);
      expect(res.headers.location).toBe(`${previewPath}?gewijzigd=1`);
      const shown = await janNextDay.get(res.headers.location).expect(200);
      expect(previewRows(shown.text).get(2)).toEqual([
        'Startdatum: De aanvraag moest ten laatste op 15/10/2025 ingediend zijn (3 maanden na de startdatum van de opleiding).' +
          NEW_EMPLOYEE_ROUTE,
      ]);
      expect(page(shown.text).main).toContain('Er is geen enkele regel in orde: er valt niets in te dienen.');
      expect(page(shown.text).buttons).not.toContain('Bevestigen');
      // Posting anyway files nothing.
      expect((await confirmPreview(janNextDay, previewPath)).headers.location).toBe(previewPath);
      expect(await count('dossier', { odb_number: '400' })).toBe(0);
    } finally {
      clock = TODAY;
    }
  });
});

describe('a preview can be thrown away', () => {
  it('removes it without filing anything; a confirmed file stays', async () => {
    const confirmed = Number((await confirmedFile([validRow({ ...EMPLOYEES[1], odbNumber: '501' })])).split('/').pop());
    const previewPath = await previewOf(jan, csvFile([validRow({ odbNumber: '500' })]));
    const res = await jan
      .post(`${previewPath}/verwijderen`)
      .type('form')
      .send({ _csrf: await tokenOf(jan) });
    expect([res.status, res.headers.location]).toEqual([303, `${paths.bulk}?verwijderd=1`]);
    expect(page((await jan.get(`${paths.bulk}?verwijderd=1`)).text).notices).toContain(
      'Het bestand is verwijderd. Er werd niets ingediend.',
    );
    expect((await jan.get(previewPath)).status).toBe(404);
    expect(await count('dossier', { odb_number: '500' })).toBe(0);

    const kept = await jan
      .post(`${paths.bulk}/${confirmed}/verwijderen`)
      .type('form')
      .send({ _csrf: await tokenOf(jan) });
    expect(kept.headers.location).toBe(`${paths.bulk}/${confirmed}/ontvangstbevestiging`);
    expect(await count('bulk_upload', { id: confirmed })).toBe(1);
  });

  it('the upload page lists the organisation’s recent files with their state', async () => {
    await confirmedFile([validRow({ odbNumber: '700' })]);
    await previewOf(jan, csvFile([validRow({ odbNumber: '701' })]));
    const uploads = page((await mia.get(paths.bulk).expect(200)).text).table(
      'Opgeladen CSV-bestanden van uw organisatie',
    );
    expect(uploads.headers.at(-1)).toBe('Stand');
    expect(uploads.rows.map((r) => r.at(-1)).sort()).toEqual(['Ingediend', 'Nog niet bevestigd']);
  });

  it('previews nobody confirmed are removed after 30 days; confirmed files stay', async () => {
    const confirmed = Number((await confirmedFile([validRow({ ...EMPLOYEES[1], odbNumber: '602' })])).split('/').pop());
    const stale = Number((await previewOf(jan, csvFile([validRow({ odbNumber: '600' })]))).split('/').pop());
    await t.database.db('bulk_upload').update({ created_at: new Date(TODAY.getTime() - 31 * 86_400_000) });
    await previewOf(mia, csvFile([validRow({ odbNumber: '601' })]));
    expect(await count('bulk_upload', { id: stale })).toBe(0);
    expect(await count('bulk_upload_row', { upload_id: stale })).toBe(0);
    expect(await count('bulk_upload', { id: confirmed, status: 'ingediend' })).toBe(1);
  });
});
