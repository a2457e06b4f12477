import net from 'node:net';
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
 * database through a loopback proxy that records the SQL of every statement on the wire (a simple Query or
 * the Parse of an extended one). Each layer reads its own data once, whatever the page.
 */

interface Recorder {
  port: number;
  /** The statements sent while `send` runs. */
  during<T>(send: () => Promise<T>): Promise<{ result: T; sent: string[] }>;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;

async function startRecorder(target: URL): Promise<Recorder> {
  let sent: string[] | null = null;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    let started = false; // the startup message (and an SSLRequest) have no type byte
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= (started ? 5 : 8)) {
        const size = started ? 1 + pending.readInt32BE(1) : pending.readInt32BE(0);
        if (pending.length < size) break;
        const message = pending.subarray(0, size);
        pending = pending.subarray(size);
        if (!started) {
          started = message.readInt32BE(4) !== SSL_REQUEST;
          continue;
        }
        const type = String.fromCharCode(message[0]);
        const body = message.subarray(5);
        // Query: the SQL; Parse: the statement's name, then the SQL.
        const sql = type === 'Q' ? body : type === 'P' ? body.subarray(body.indexOf(0) + 1) : null;
        if (sql && sent) sent.push(sql.subarray(0, sql.indexOf(0)).toString().replace(/\s+/g, ' ').trim());
      }
      upstream.write(chunk);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    async during(send) {
      sent = [];
      try {
        const result = await send();
        return { result, sent };
      } finally {
        sent = null;
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let database: TestDatabase;
let recorder: Recorder;
let appDb: Db;
let app: App;
let org: TestOrganisation;
let agent: Agent;

beforeAll(async () => {
  database = await createTestDatabase();
  const target = new URL(database.url);
  recorder = await startRecorder(target);
  const viaRecorder = new URL(database.url);
  viaRecorder.hostname = '127.0.0.1';
  viaRecorder.port = String(recorder.port);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: viaRecorder.toString(),
    PUBLIC_URL: TEST_PUBLIC_URL,
    LOG_LEVEL: 'silent',
  });
  appDb = createDb(viaRecorder.toString(), 5);
  app = createApp(config, {
    db: appDb,
    databaseUrl: viaRecorder.toString(),
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
    expect(result.text).toContain('value="Eva"');
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
    expect((await agent.get(`${draftUrl}/werknemer`)).text).toContain('value="Eva-Marie"');
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
