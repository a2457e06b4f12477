import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/paths.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import type { Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import {
  fixedClock,
  insertMember,
  insertOrganisation,
  loginForOrganisation,
  people,
  revokeRight,
} from '../refund/fixtures.js';
import { UPLOADS_PER_HOUR } from '../../src/bulk/routes.js';
import { confirmPreview, csvFile, previewOf, tokenOf, uploadFile, validRow } from './fixtures.js';

let t: TestApp;
let jan: Agent;
let olaf: Agent;
let noRight: Agent;
let janId: number;
let orgId: number;
let submittedPath = '';
let openPath = '';

const NO_RIGHT = {
  insz: '90062117857',
  firstName: 'Eva',
  lastName: 'Zonderrecht',
  email: 'eva.zonderrecht@example.be',
};

beforeAll(async () => {
  t = await buildTestApp({}, { now: fixedClock });
  const org = await insertOrganisation(t.database.db, {
    kbo: '0403170701',
    name: 'Bouwbedrijf De Meeuw NV',
    unitNumber: '2147812701',
  });
  const other = await insertOrganisation(t.database.db, {
    kbo: '0200065765',
    name: 'Andere Werkgever BV',
    unitNumber: '2000000042',
    postcode: '9000',
  });
  orgId = org.id;
  janId = await insertMember(t.database.db, org.id, people.jan);
  await insertMember(t.database.db, other.id, people.other);
  await insertMember(t.database.db, org.id, NO_RIGHT, false);
  jan = request.agent(t.app);
  await loginForOrganisation(jan, people.jan, org.id);
  olaf = request.agent(t.app);
  await loginForOrganisation(olaf, people.other, other.id);
  noRight = request.agent(t.app);
  await loginForOrganisation(noRight, NO_RIGHT, org.id);

  submittedPath = await previewOf(jan, csvFile([validRow()]));
  await confirmPreview(jan, submittedPath);
  openPath = await previewOf(jan, csvFile([validRow({ odbNumber: '999' })]));
});

afterAll(async () => {
  await t.close();
});

const pagesOf = (path: string) => [
  path,
  `${path}/fouten.csv`,
  `${path}/ontvangstbevestiging`,
  `${path}/ontvangstbevestiging.pdf`,
  `${path}/dossiers.csv`,
];

describe('who may use the CSV upload', () => {
  it('a visitor who is not logged in is sent to the login, with the way back', async () => {
    const res = await request(t.app).get(paths.bulk);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${paths.login}?terug=${encodeURIComponent(paths.bulk)}`);
  });

  it('a member without the VOV right gets the 403 page on every page, and no CSV route on Aanvraag', async () => {
    for (const path of [paths.bulk, paths.bulkTemplate, ...pagesOf(openPath), ...pagesOf(submittedPath)]) {
      const res = await noRight.get(path);
      expect([path, res.status]).toEqual([path, 403]);
    }
    const token = await tokenFromAnyPage(noRight);
    expect(
      (
        await noRight
          .post(paths.bulk)
          .field('_csrf', token)
          .attach('bestand', csvFile([validRow()]), 'a.csv')
      ).status,
    ).toBe(403);
    expect(
      (await noRight.post(`${openPath}/bevestigen`).type('form').send({ _csrf: token, declaration: 'ja' })).status,
    ).toBe(403);
    expect(page((await noRight.get(paths.aanvraag)).text).links.map((l) => l.href)).not.toContain(paths.bulk);
    expect(
      await t.database
        .db('bulk_upload')
        .where({ created_by: await personId(NO_RIGHT.insz) })
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 0 });
  });

  it('another organisation’s upload is not found (404), whatever the page or action', async () => {
    for (const path of [...pagesOf(openPath), ...pagesOf(submittedPath)]) {
      expect([path, (await olaf.get(path)).status]).toEqual([path, 404]);
    }
    const token = await tokenOf(olaf);
    for (const action of ['bevestigen', 'verwijderen']) {
      const res = await olaf.post(`${openPath}/${action}`).type('form').send({ _csrf: token, declaration: 'ja' });
      expect([action, res.status]).toEqual([action, 404]);
    }
    expect(await t.database.db('bulk_upload').where({ status: 'voorbeeld' }).count({ n: '*' }).first()).toEqual({
      n: 1,
    });
    expect(page((await olaf.get(paths.bulk)).text).main).not.toContain('aanvragen.csv');
  });

  it('an upload id that is not a number is not found', async () => {
    for (const path of [
      `${paths.bulk}/abc`,
      `${paths.bulk}/0`,
      `${paths.bulk}/1e3`,
      `${paths.bulk}/99999999999999999999`,
    ]) {
      expect([path, (await jan.get(path)).status]).toEqual([path, 404]);
    }
  });

  it('every POST needs the CSRF token', async () => {
    expect((await jan.post(paths.bulk).attach('bestand', csvFile([validRow()]), 'a.csv')).status).toBe(403);
    expect((await jan.post(`${openPath}/bevestigen`).type('form').send({ declaration: 'ja' })).status).toBe(403);
    expect((await jan.post(`${openPath}/verwijderen`).type('form').send({})).status).toBe(403);
    expect(await t.database.db('bulk_upload').where({ status: 'voorbeeld' }).count({ n: '*' }).first()).toEqual({
      n: 1,
    });
  });

  it(`more than ${UPLOADS_PER_HOUR} uploads an hour by one person are refused for a while (429)`, async () => {
    // The hour's uploads, the first ten minutes ago (by the pinned clock).
    await t.database
      .db('rate_limit')
      .insert({
        key: `bulk-upload:${janId}`,
        window_start: new Date(fixedClock().getTime() - 600_000),
        hits: UPLOADS_PER_HOUR,
      })
      .onConflict('key')
      .merge();
    const res = await uploadFile(jan, csvFile([validRow()]));
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3000');
    await t.database
      .db('rate_limit')
      .where({ key: `bulk-upload:${janId}` })
      .delete();
    expect((await uploadFile(jan, csvFile([validRow({ odbNumber: '31' })]))).status).toBe(303);
  });

  it('a right revoked after the preview: Bevestigen gives the 403 page and files nothing; the preview is kept', async () => {
    const token = await tokenOf(jan);
    await revokeRight(t.database.db, janId, orgId);
    const res = await jan.post(`${openPath}/bevestigen`).type('form').send({ _csrf: token, declaration: 'ja' });
    expect(res.status).toBe(403);
    expect(await t.database.db('dossier').where({ odb_number: '999' }).count({ n: '*' }).first()).toEqual({ n: 0 });
    expect(
      await t.database
        .db('bulk_upload')
        .where({ id: Number(openPath.split('/').pop()) })
        .first('status'),
    ).toEqual({ status: 'voorbeeld' });
    expect((await jan.get(paths.bulk)).status).toBe(403);
  });
});

async function tokenFromAnyPage(agent: Agent): Promise<string> {
  const page = await agent.get(paths.dossiers); // 403 page, with the logout form's token
  const m = /name="_csrf" value="([^"]+)"/.exec(page.text);
  if (!m) throw new Error('no token');
  return m[1];
}

async function personId(insz: string): Promise<number> {
  return (await t.database.db('person').where({ insz }).first('id')).id;
}
