import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ROWS } from '../../src/bulk/parser.js';
import type { TestApp } from '../helpers/app.js';
import { memberLoggedIn } from '../helpers/fixture.js';
import type { Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { confirmPreview, csvFile, manyRows, previewOf, previewRows } from './fixtures.js';

let t: TestApp;
let jan: Agent;

beforeAll(async () => {
  const { t: app, agent } = await memberLoggedIn();
  t = app;
  jan = agent;
});

afterAll(async () => {
  await t.close();
});

// How fast is measured in the benchmark, not here: this checks that the largest file allowed works end to end.
describe(`a file of exactly ${MAX_ROWS} rows`, () => {
  it('is previewed and confirmed: every row its own dossier with its own number, in one transaction', async () => {
    const previewPath = await previewOf(jan, csvFile(manyRows(MAX_ROWS)));
    const preview = await jan.get(previewPath).expect(200);
    expect(page(preview.text).main).toContain('5.000 in orde: die kunt u nu indienen;');
    expect(previewRows(preview.text).size).toBe(100);
    const res = await confirmPreview(jan, previewPath);
    expect(res.headers.location).toBe(`${previewPath}/ontvangstbevestiging`);
    const stats = await t.database
      .db('dossier')
      .first(
        t.database.db.raw(
          'count(*)::int AS n, count(DISTINCT dossiernummer)::int AS numbers, count(DISTINCT draft_id)::int AS drafts',
        ),
      );
    expect(stats).toEqual({ n: MAX_ROWS, numbers: MAX_ROWS, drafts: MAX_ROWS });
    expect(await t.database.db('mail_outbox').count({ n: '*' }).first()).toEqual({ n: 2 * MAX_ROWS });
    const receipt = page((await jan.get(res.headers.location).expect(200)).text);
    expect(receipt.main).toContain('Aantal dossiers 5.000');
    expect(receipt.table('Dossiers uit het bestand').rows).toHaveLength(100);
    expect(receipt.$('nav.pager p').text()).toBe('1 tot 100 van 5.000');
  }, 60_000);
});
