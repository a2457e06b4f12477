import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../src/db/seed.js';
import { DOSSIER_STATUSES } from '../../src/decisions/transitions.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
  await seedDemoData(t.database.db, t.config);
});

afterAll(async () => {
  await t.close();
});

describe('the demo dossiers', () => {
  it('has a dossier in every status, each with its history, and a second start adds none', async () => {
    const rows = await t.database.db('dossier').orderBy('id').select('status');
    expect(rows.map((r) => r.status).sort()).toEqual([...DOSSIER_STATUSES].sort());
    expect(Number((await t.database.db('dossier_event').count({ n: '*' }).first())?.n)).toBe(8);
    await seedDemoData(t.database.db, t.config);
    expect(await t.database.db('dossier').count({ n: '*' }).first()).toEqual({ n: DOSSIER_STATUSES.length });
  });

  it('files them in the name of Jan Werkgever, as the history on the dossier page says ("door …")', async () => {
    const rows = await t.database.db('dossier').select('snapshot');
    expect(rows.map((r) => r.snapshot.submittedBy.name)).toEqual(rows.map(() => 'Jan Werkgever'));
  });
});
