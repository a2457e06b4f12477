import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/knex.js';
import { createLogger } from '../../src/http/logger.js';
import { paths } from '../../src/paths.js';
import { csrfTokenFrom, TEST_PUBLIC_URL } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import type { Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { startSqlRecorder, type SqlRecorder } from '../helpers/sql-recorder.js';
import {
  completeDraft,
  fieldError,
  fixedClock,
  insertMember,
  insertOrganisation,
  loginForOrganisation,
  people,
  validInput,
  type TestOrganisation,
} from './fixtures.js';

/*
 * What each form request sends to PostgreSQL: the app (its knex pool and its session store) talks to the
 * database through a recording proxy (test/helpers/sql-recorder.ts). Each layer reads its own data once,
 * whatever the page.
 */

let database: TestDatabase;
let recorder: SqlRecorder;
let appDb: Db;
let app: App;
let org: TestOrganisation;
let agent: Agent;

beforeAll(async () => {
  database = await createTestDatabase();
  recorder = await startSqlRecorder(database.url);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: recorder.url,
    PUBLIC_URL: TEST_PUBLIC_URL,
    LOG_LEVEL: 'silent',
  });
  appDb = createDb(recorder.url, 5);
  app = createApp(config, {
    db: appDb,
    databaseUrl: recorder.url,
    logger: createLogger('silent'),
    now: fixedClock,
  });
  org = await insertOrganisation(database.db, {
    kbo: '0403170701',
    name: 'Bouwbedrijf De Meeuw NV',
    unitNumber: '2147812701',
  });
  await insertMember(database.db, org.id, people.jan);
  agent = request.agent(app);
  await loginForOrganisation(agent, people.jan, org.id);
});

afterAll(async () => {
  await app.close();
  await appDb.destroy();
  await recorder.close();
  await database.drop();
});

/** The statements every page of the form starts with: the session, the auth context, the page. */
const SESSION = expect.stringMatching(/^SELECT sess FROM "session"/);
const AUTH = expect.stringMatching(/ FROM person p /);
const PAGE = expect.stringMatching(/ LEFT JOIN refund_draft d /);

/** POSTs a form page with a token taken from the page beforehand (that GET is not recorded). */
async function postPage(url: string, fields: Record<string, string>) {
  const token = csrfTokenFrom((await agent.get(url)).text);
  return recorder.during(() =>
    agent
      .post(url)
      .type('form')
      .send({ ...fields, _csrf: token }),
  );
}

describe('statements per form request', () => {
  it('a step GET reads the session, the auth context and the whole page: one statement each', async () => {
    const draftUrl = await completeDraft(agent, org.unitId);
    const { result, sent } = await recorder.during(() => agent.get(`${draftUrl}/werknemer`));
    expect(result.status).toBe(200);
    expect(page(result.text).value('Voornaam')).toBe('Eva');
    expect(sent).toEqual([SESSION, AUTH, PAGE]);
  });

  it('a step POST reads the same three and writes the step once', async () => {
    const draftUrl = await completeDraft(agent, org.unitId);
    const { result, sent } = await postPage(`${draftUrl}/werknemer`, {
      ...validInput.werknemer,
      firstName: 'Eva-Marie',
    });
    expect(result.status).toBe(303);
    expect(sent).toEqual([SESSION, AUTH, PAGE, expect.stringMatching(/^update "refund_draft"/)]);
    expect(page((await agent.get(`${draftUrl}/werknemer`)).text).value('Voornaam')).toBe('Eva-Marie');
  });

  it('an invalid step POST shows the field message from the same single page read', async () => {
    const draftUrl = await completeDraft(agent, org.unitId);
    const { result, sent } = await postPage(`${draftUrl}/werknemer`, { ...validInput.werknemer, insz: '12' });
    expect(result.status).toBe(400);
    expect(fieldError(result.text, 'insz')).toMatch(/INSZ/);
    // Saved as typed (a draft keeps invalid input too), judged from what was read before the write.
    expect(sent).toEqual([SESSION, AUTH, PAGE, expect.stringMatching(/^update "refund_draft"/)]);
  });

  it('Bevestigen files in one transaction that locks the draft before it judges and writes it', async () => {
    const draftUrl = await completeDraft(agent, org.unitId, { opleiding: { odbNumber: '777' } });
    const { result, sent } = await postPage(`${draftUrl}/overzicht`, { ...validInput.overzicht, actie: 'volgende' });
    expect(result.status).toBe(303);
    expect(result.headers.location).toMatch(/^\/mijn-dossiers\/VOV-2025-\d{6}$/);
    const filing = sent.slice(sent.findIndex((s) => /^begin/i.test(s)));
    // The lock alone, then ONE read (units, attachments, prior dossiers, the number), ONE write.
    expect(filing).toHaveLength(5);
    expect(filing[1]).toMatch(/from "?refund_draft"? .* for update$/i);
    expect(filing[2]).toMatch(/nextval\('dossier_number_seq'\)/);
    expect(filing[3]).toMatch(/^WITH submitted AS \(UPDATE refund_draft/);
    expect(filing[4]).toMatch(/^commit/i);
    expect(sent).toEqual([SESSION, AUTH, ...filing]);
  });

  it("another organisation's draft id is still a 404: the page read only sees the session's organisation", async () => {
    const other = await insertOrganisation(database.db, {
      kbo: '0200065765',
      name: 'Andere Werkgever BV',
      unitNumber: '2000000042',
    });
    const [draft] = await database.db('refund_draft').insert({ organisation_id: other.id, steps: {} }).returning('id');
    await agent.get(`${paths.refund}/${draft.id}/werkgever`).expect(404);
  });
});
