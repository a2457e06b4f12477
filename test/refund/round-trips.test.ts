import pg from 'pg';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/paths.js';
import { buildTestApp, csrfTokenFrom, type TestApp } from '../helpers/app.js';
import type { Agent } from '../helpers/login.js';
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
 * A form page's data is read in the same statement as the session (src/refund/page-read.ts): what each form
 * request sends to PostgreSQL, recorded by wrapping pg's Client.query (knex and the session store both use it).
 */

let t: TestApp;
let org: TestOrganisation;
let agent: Agent;
let statements: string[] | null = null;
const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const originalQuery = proto.query;

beforeAll(async () => {
  t = await buildTestApp({}, { now: fixedClock });
  org = await insertOrganisation(t.database.db, {
    kbo: '0403170701',
    name: 'Bouwbedrijf De Meeuw NV',
    unitNumber: '2147812701',
  });
  await insertMember(t.database.db, org.id, people.jan);
  agent = request.agent(t.app);
  await loginForOrganisation(agent, people.jan, org.id);
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : (q as { text?: string } | null)?.text;
    if (statements && text) statements.push(text.replace(/\s+/g, ' ').trim());
    return originalQuery.apply(this, args);
  };
});

afterEach(() => {
  statements = null;
});

afterAll(async () => {
  proto.query = originalQuery;
  await t.close();
});

/** The statements `send` makes, including the session write express-session does after the response. */
async function recorded<T>(send: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
  const sent: string[] = [];
  statements = sent;
  const result = await send();
  await new Promise((resolve) => setTimeout(resolve, 50));
  statements = null;
  return { result, sent };
}

/** POSTs a form page with a token taken from the page beforehand (that GET is not recorded). */
async function postPage(url: string, fields: Record<string, string>) {
  const token = csrfTokenFrom((await agent.get(url)).text);
  return recorded(() =>
    agent
      .post(url)
      .type('form')
      .send({ ...fields, _csrf: token }),
  );
}

describe('statements per form request', () => {
  let draftUrl = '';

  beforeAll(async () => {
    draftUrl = await completeDraft(agent, org.unitId);
    // A session write refreshes the idle timer at most once a minute; this request takes it, so it is not counted below.
    await agent.get(paths.home);
  });

  it('a step GET is one statement: the session, the auth context and the whole page', async () => {
    const { result, sent } = await recorded(() => agent.get(`${draftUrl}/werknemer`));
    expect(result.status).toBe(200);
    expect(result.text).toContain('value="Eva"');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^SELECT s\.sess, to_jsonb\(j\) AS joined, p\.\* FROM "session"/);
    expect(sent[0]).toContain('refund_draft');
  });

  it('a step POST reads once and writes once', async () => {
    const { result, sent } = await postPage(`${draftUrl}/werknemer`, {
      ...validInput.werknemer,
      firstName: 'Eva-Marie',
    });
    expect(result.status).toBe(303);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatch(/^update "refund_draft"/);
    expect((await agent.get(`${draftUrl}/werknemer`)).text).toContain('value="Eva-Marie"');
  });

  it('an invalid step POST shows the field message, from the same single read', async () => {
    const { result, sent } = await postPage(`${draftUrl}/werknemer`, { ...validInput.werknemer, insz: '12' });
    expect(result.status).toBe(400);
    expect(fieldError(result.text, 'insz')).toMatch(/INSZ/);
    expect(sent.filter((s) => /refund_draft d ON d\.id/.test(s))).toHaveLength(1);
    // Put the valid answer back for Bevestigen.
    expect((await postPage(`${draftUrl}/werknemer`, validInput.werknemer)).result.status).toBe(303);
  });

  it('Bevestigen is one read (with the dossier number) and one write', async () => {
    const { result, sent } = await postPage(`${draftUrl}/overzicht`, { ...validInput.overzicht, actie: 'volgende' });
    expect(result.status).toBe(303);
    expect(result.headers.location).toMatch(/^\/mijn-dossiers\/VOV-2025-\d{6}$/);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain("nextval('dossier_number_seq')");
    expect(sent[1]).toMatch(/^WITH claimed AS/);
  });

  it("another organisation's draft id is still a 404: the page read only sees the session's organisation", async () => {
    const other = await insertOrganisation(t.database.db, {
      kbo: '0200065765',
      name: 'Andere Werkgever BV',
      unitNumber: '2000000042',
    });
    const [draft] = await t.database
      .db('refund_draft')
      .insert({ organisation_id: other.id, steps: {} })
      .returning('id');
    await agent.get(`${paths.refund}/${draft.id}/werkgever`).expect(404);
  });
});
