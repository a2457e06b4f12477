import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiClient } from '../../src/api/clients.js';
import { paths } from '../../src/paths.js';
import { CONTACT_EMAIL, EMPLOYEE_EMAIL, lifeWorld, type LifeWorld } from '../decisions/fixtures.js';
import { openApiChecker } from './openapi-check.js';

/** The back-office API: tokens and scopes, the feed, one dossier, decisions with idempotency and versions. */

let w: LifeWorld;
let reader: string;
let decider: string;
let both: string;
let first: string;
let second: string;
let other: string;
let check: ReturnType<typeof openApiChecker>;

const api = (path: string) => `${paths.api}${path}`;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  w = await lifeWorld({ API_RATE_LIMIT_PER_MINUTE: '40' });
  first = await w.file();
  second = await w.file({ werknemer: { firstName: 'Ann', lastName: 'Peeters' } });
  other = await w.fileOther();
  reader = await w.token('dossierlezer', ['read']);
  decider = await w.token('beslisser', ['decide']);
  both = await w.token('backoffice', ['read', 'decide']);
  const doc = await request(w.t.app).get(api('/openapi.json')).expect(200);
  check = openApiChecker(doc.body);
});

afterAll(async () => {
  await w.t.close();
});

/** GET through the API with a token; the answer must match the document. */
async function read(path: string, docPath: string, token = reader) {
  const res = await request(w.t.app).get(api(path)).set(bearer(token));
  const type = String(res.headers['content-type']).split(';')[0];
  expect(check(docPath, 'get', res.status, res.body, type)).toEqual([]);
  return res;
}

/**
 * The feed lists only transactions older than every one running on the database server (xids are per cluster),
 * and this machine's PostgreSQL also serves other test runs: wait until it shows `expected` (after `query`).
 */
async function feedShowing(query: string, expected: string[]) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await read(query, '/dossiers');
    const shown = res.body.dossiers.map((d: { dossiernummer: string }) => d.dossiernummer);
    if (expected.every((n) => shown.includes(n)) || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function decide(nummer: string, body: object, options: { token?: string; key?: string } = {}) {
  const req = request(w.t.app)
    .post(api(`/dossiers/${nummer}/beslissingen`))
    .set(bearer(options.token ?? both));
  if (options.key) req.set('Idempotency-Key', options.key);
  const res = await req.send(body);
  const type = String(res.headers['content-type']).split(';')[0];
  expect(check('/dossiers/{dossiernummer}/beslissingen', 'post', res.status, res.body, type)).toEqual([]);
  return res;
}

const version = async (nummer: string) =>
  (await w.t.database.db('dossier').where({ dossiernummer: nummer }).first('version')).version as number;

describe('authentication and scopes', () => {
  it('refuses a call without a token, with a wrong or revoked token, and with only a portal session: 401 problem+json', async () => {
    const none = await request(w.t.app).get(api('/dossiers')).expect(401);
    expect(none.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(JSON.parse(none.text)).toMatchObject({ status: 401, title: 'Authentication required' });
    await request(w.t.app).get(api('/dossiers')).set(bearer('wse_not-a-real-token')).expect(401);
    await request(w.t.app).get(api('/dossiers')).set({ Authorization: reader }).expect(401);
    // Jan's logged-in portal session (cookie) is no API credential.
    await w.jan.get(api('/dossiers')).expect(401);
    await w.jan
      .post(api(`/dossiers/${first}/beslissingen`))
      .send({ beslissing: 'in_behandeling', versie: 1 })
      .expect(401);

    const temporary = await w.token('tijdelijk', ['read']);
    await request(w.t.app).get(api('/dossiers')).set(bearer(temporary)).expect(200);
    expect(await revokeApiClient(w.t.database.db, 'tijdelijk')).toBe(true);
    await request(w.t.app).get(api('/dossiers')).set(bearer(temporary)).expect(401);
  });

  it('stores only the token’s hash', async () => {
    const clients = await w.t.database.db('api_client').select('token_hash');
    expect(clients.map((c) => c.token_hash)).not.toContain(reader);
    expect(JSON.stringify(clients)).not.toContain(reader.slice(4));
  });

  it('needs the scope read to read and decide to decide: 403 otherwise', async () => {
    const noRead = await request(w.t.app)
      .get(api(`/dossiers/${first}`))
      .set(bearer(decider))
      .expect(403);
    expect(JSON.parse(noRead.text).detail).toContain('"read"');
    const noDecide = await decide(first, { beslissing: 'in_behandeling', versie: 1 }, { token: reader });
    expect(noDecide.status).toBe(403);
    expect(await version(first)).toBe(1);
  });

  it('writes every call, answered or refused, to the audit log', async () => {
    const before = await w.t.database.db('audit_log').where({ action: 'api.call' }).count<{ n: number }[]>({ n: '*' });
    await request(w.t.app)
      .get(api(`/dossiers/${first}`))
      .set(bearer(reader))
      .expect(200);
    await request(w.t.app)
      .get(api(`/dossiers/${first}`))
      .expect(401);
    // The entry is written when the answer is sent: poll briefly for it.
    let rows: { details: { status: number; client: string | null; path: string } }[] = [];
    for (let i = 0; i < 50 && rows.length < Number(before[0].n) + 2; i++) {
      rows = await w.t.database.db('audit_log').where({ action: 'api.call' }).orderBy('id').select('details');
      if (rows.length < Number(before[0].n) + 2) await new Promise((r) => setImmediate(r));
    }
    expect(rows.slice(-2).map((r) => [r.details.status, r.details.client, r.details.path])).toEqual([
      [200, 'dossierlezer', api(`/dossiers/${first}`)],
      [401, null, api(`/dossiers/${first}`)],
    ]);
  });
});

describe('reading', () => {
  it('lists the filed dossiers of every organisation in filing order, paged with a cursor', async () => {
    await feedShowing('/dossiers?aantal=200', [first, second, other]);
    const page1 = await read('/dossiers?aantal=2', '/dossiers');
    expect(page1.status).toBe(200);
    expect(page1.body.dossiers.map((d: { dossiernummer: string }) => d.dossiernummer)).toEqual([first, second]);
    expect(page1.body.meer).toBe(true);
    const page2 = await read(`/dossiers?na=${page1.body.volgende}&aantal=2`, '/dossiers');
    expect(page2.body.dossiers.map((d: { dossiernummer: string }) => d.dossiernummer)).toEqual([other]);
    expect(page2.body.meer).toBe(false);
    const page3 = await read(`/dossiers?na=${page2.body.volgende}`, '/dossiers');
    expect(page3.body).toEqual({ dossiers: [], volgende: page2.body.volgende, meer: false });
  });

  it('never skips a dossier whose change commits after a later one was read: the cursor waits for it', async () => {
    const start = (await read('/dossiers?aantal=200', '/dossiers')).body.volgende;
    const slow = await w.file();
    const fast = await w.file();
    const after = (await feedShowing(`/dossiers?na=${start}&aantal=200`, [slow, fast])).body.volgende;
    // A change of `slow` in a transaction that stays open while `fast` changes and commits.
    const trx = await w.t.database.db.transaction();
    try {
      await trx('dossier')
        .where({ dossiernummer: slow })
        .update({ feed_xid: trx.raw('pg_current_xact_id()') });
      const v = await version(fast);
      expect((await decide(fast, { beslissing: 'in_behandeling', versie: v })).status).toBe(200);
      const meanwhile = await read(`/dossiers?na=${after}`, '/dossiers');
      expect(meanwhile.body.dossiers).toEqual([]);
      expect(meanwhile.body.volgende).toBe(after);
      await trx.commit();
    } catch (err) {
      await trx.rollback();
      throw err;
    }
    const later = await feedShowing(`/dossiers?na=${after}`, [slow, fast]);
    expect(later.body.dossiers.map((d: { dossiernummer: string }) => d.dossiernummer)).toEqual([slow, fast]);
  });

  it('gives one dossier with its snapshot, employer, employee, training, amounts and attachment links', async () => {
    const res = await read(`/dossiers/${first}`, '/dossiers/{dossiernummer}');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      dossiernummer: first,
      status: 'ingediend',
      versie: 1,
      werkgever: { kbo: '0403170701', naam: 'Bouwbedrijf De Meeuw NV', contactpersoon: { email: CONTACT_EMAIL } },
      werknemer: { insz: expect.stringMatching(/^850730\d{5}$/), voornaam: 'Eva', email: EMPLOYEE_EMAIL },
      opleiding: { soort: 'odb', schooljaar: '2025-2026', startdatum: '2025-10-01' },
      bedragen: { aangevraagdeUren: 40, forfaitCent: 1491, indicatiefBedragCent: 59640, goedgekeurdBedragCent: null },
      bijlagen: [],
      geschiedenis: [],
    });
    expect(res.body.snapshot.werkgever.contact.email).toBe(CONTACT_EMAIL);
    const attachments = await read(`/dossiers/${first}/bijlagen`, '/dossiers/{dossiernummer}/bijlagen');
    expect(attachments.body).toEqual({ bijlagen: [] });
  });

  it('answers 404 problem+json for an unknown dossier, a malformed number or an unknown call', async () => {
    expect((await read('/dossiers/VOV-2025-999999', '/dossiers/{dossiernummer}')).status).toBe(404);
    const malformed = await request(w.t.app).get(api('/dossiers/DROP%20TABLE')).set(bearer(reader)).expect(400);
    expect(JSON.parse(malformed.text).errors[0].field).toBe('path.dossiernummer');
    const unknown = await request(w.t.app).get(api('/nergens')).set(bearer(reader)).expect(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('refuses a bad cursor or page size naming the parameter', async () => {
    const res = await request(w.t.app).get(api('/dossiers?na=abc&aantal=5000')).set(bearer(reader)).expect(400);
    expect(
      JSON.parse(res.text)
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['query.aantal', 'query.na']);
  });
});

describe('deciding', () => {
  it('records a decision: new state and version, history, audit log and mails to the contact and the employee', async () => {
    const cursorBefore = (await feedShowing('/dossiers?aantal=200', [second])).body.volgende;
    const res = await decide(second, { beslissing: 'goedgekeurd', versie: 1, uren: 32 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      dossiernummer: second,
      status: 'goedgekeurd',
      versie: 2,
      goedgekeurdeUren: 32,
      goedgekeurdBedragCent: 32 * 1491,
    });
    const dossier = await read(`/dossiers/${second}`, '/dossiers/{dossiernummer}');
    expect(dossier.body.geschiedenis).toEqual([
      expect.objectContaining({
        soort: 'goedgekeurd',
        statusVoor: 'ingediend',
        statusNa: 'goedgekeurd',
        door: { soort: 'backoffice', naam: 'backoffice' },
        details: { uren: 32, bedragCent: 47712 },
      }),
    ]);
    const audit = await w.t.database.db('audit_log').where({ action: 'dossier.goedgekeurd' }).first();
    expect(audit.details).toMatchObject({
      dossiernummer: second,
      from: 'ingediend',
      to: 'goedgekeurd',
      by: 'backoffice',
    });
    const mails = await w.t.database
      .db('mail_outbox')
      .where('kind', 'like', 'dossier-goedgekeurd-%')
      .orderBy('id')
      .select('to_address', 'subject');
    expect(mails).toEqual([
      { to_address: CONTACT_EMAIL, subject: `Dossier ${second}: goedgekeurd` },
      { to_address: EMPLOYEE_EMAIL, subject: `Dossier ${second}: goedgekeurd` },
    ]);
    // Changed dossiers come back in the feed after the cursor handed out before.
    const feed = await feedShowing(`/dossiers?na=${cursorBefore}&aantal=200`, [second]);
    const before = feed.body.dossiers.findIndex((d: { dossiernummer: string }) => d.dossiernummer === second);
    expect(before).toBe(feed.body.dossiers.length - 1);
  });

  it('makes a retried call with the same Idempotency-Key a no-op with the first answer; another body with that key is refused', async () => {
    const body = { beslissing: 'in_behandeling', versie: await version(first) };
    const once = await decide(first, body, { key: 'retry-key-0001' });
    const again = await decide(first, body, { key: 'retry-key-0001' });
    expect(once.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.body).toEqual(once.body);
    const dossierId = w.t.database.db('dossier').where({ dossiernummer: first }).select('id');
    expect(
      await w.t.database
        .db('dossier_event')
        .where({ kind: 'in_behandeling', dossier_id: dossierId })
        .count<{ n: number }[]>({ n: '*' }),
    ).toEqual([{ n: 1 }]);
    const mails = w.t.database
      .db('mail_outbox')
      .where('kind', 'like', 'dossier-in_behandeling-%')
      .where('subject', 'like', `%${first}%`);
    expect(await mails.count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 2 }]);
    const reused = await decide(
      first,
      { beslissing: 'geweigerd', versie: body.versie + 1, reden: 'Anders' },
      { key: 'retry-key-0001' },
    );
    expect(reused.status).toBe(422);
  });

  it('lets only one of two crossing decisions on the same version through; the other gets 409 with the current state', async () => {
    const nummer = await w.file();
    const v = await version(nummer);
    const [a, b] = await Promise.all([
      decide(nummer, { beslissing: 'goedgekeurd', versie: v, uren: 40 }),
      decide(nummer, { beslissing: 'geweigerd', versie: v, reden: 'Geen erkende opleiding.' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 200 ? a : b;
    expect(JSON.parse(loser.text).dossier).toEqual(winner.body);
    expect(
      await w.t.database
        .db('dossier_event')
        .where({ dossier_id: w.t.database.db('dossier').where({ dossiernummer: nummer }).select('id') })
        .count<{ n: number }[]>({ n: '*' }),
    ).toEqual([{ n: 1 }]);
  });

  it('refuses a decision the status does not allow with 409 and the current state', async () => {
    const res = await decide(second, { beslissing: 'geweigerd', versie: 2, reden: 'Toch niet' });
    expect(res.status).toBe(409);
    expect(JSON.parse(res.text)).toMatchObject({
      detail: 'A dossier with status goedgekeurd can not become geweigerd.',
      dossier: { status: 'goedgekeurd', versie: 2 },
    });
  });

  it('answers invalid input with 400 problem+json naming each field', async () => {
    const v = await version(first);
    const res = await decide(first, {
      beslissing: 'aanvulling_gevraagd',
      versie: v,
      vraag: '',
      antwoordTegen: '2026-02-30',
    });
    expect(res.status).toBe(400);
    expect(
      JSON.parse(res.text)
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['antwoordTegen', 'vraag']);
    const approval = await decide(first, { beslissing: 'goedgekeurd', versie: v, uren: -3, extra: 1 });
    expect(
      JSON.parse(approval.text)
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['', 'uren'].map((f) => f || 'body').sort());
    const unknown = await decide(first, { beslissing: 'misschien', versie: v });
    expect(JSON.parse(unknown.text).errors.map((e: { field: string }) => e.field)).toEqual(['beslissing']);
    const notJson = await request(w.t.app)
      .post(api(`/dossiers/${first}/beslissingen`))
      .set(bearer(both))
      .set('Content-Type', 'application/json')
      .send('{"beslissing":');
    expect(notJson.status).toBe(400);
    expect(await version(first)).toBe(v);
  });

  it('answers 404 for a decision on an unknown dossier', async () => {
    expect((await decide('VOV-2025-999999', { beslissing: 'in_behandeling', versie: 1 })).status).toBe(404);
  });
});

describe('rate limit', () => {
  it('refuses calls above the limit per client with 429 problem+json and Retry-After; other clients go on', async () => {
    const busy = await w.token('druk', ['read']);
    const answers: number[] = [];
    for (let i = 0; i < 41; i++)
      answers.push((await request(w.t.app).get(api('/dossiers?aantal=1')).set(bearer(busy))).status);
    expect(answers.filter((s) => s === 200)).toHaveLength(40);
    const refused = await request(w.t.app).get(api('/dossiers?aantal=1')).set(bearer(busy)).expect(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(JSON.parse(refused.text)).toMatchObject({ status: 429 });
    await request(w.t.app).get(api('/dossiers?aantal=1')).set(bearer(reader)).expect(200);
  });
});
