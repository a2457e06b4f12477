import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { buildTestApp, TEST_PUBLIC_URL, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { answerFromDevIdp, loginAs, PAGE_WITH_HEADER } from '../helpers/login.js';

const TOKEN = 'metrics-token-for-the-test-0123456789';

/** One sample's value from the Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(t: TestApp): Promise<string> {
  const res = await request(t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text;
}

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers only the holder of the Bearer token, and does not exist without METRICS_TOKEN', async () => {
    expect((await request(t.app).get('/metrics')).status).toBe(401);
    const wrong = await request(t.app).get('/metrics').set('Authorization', 'Bearer not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    const plain = await buildTestApp();
    try {
      expect((await request(plain.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('measures request durations by method, route pattern and status, and shows process metrics', async () => {
    await request(t.app).get(PAGE_WITH_HEADER).expect(200);
    await request(t.app).get('/bestaat-niet/123').expect(404);
    const text = await scrape(t);
    expect(
      sample(text, `http_request_duration_seconds_count{method="GET",route="${PAGE_WITH_HEADER}",status="200"}`),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'http_request_duration_seconds_count{method="GET",route="(no route)",status="404"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('bestaat-niet');
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'wse_db_pool_connections_in_use')).toBe(0);
    expect(sample(text, 'wse_db_pool_connections_waiting')).toBe(0);
  });

  it('shows the outbox size and the age of its oldest unsent mail', async () => {
    const empty = await scrape(t);
    expect(sample(empty, 'wse_mail_outbox_unsent')).toBe(0);
    expect(sample(empty, 'wse_mail_outbox_oldest_unsent_age_seconds')).toBe(0);
    const mail = { to_address: 'an@example.be', subject: 'Test', text_body: 't', html_body: '<p>t</p>', kind: 'test' };
    await t.database.db('mail_outbox').insert([
      { ...mail, created_at: t.database.db.raw("now() - interval '2 hours'") },
      { ...mail, created_at: t.database.db.raw("now() - interval '5 minutes'") },
      { ...mail, created_at: t.database.db.raw("now() - interval '3 hours'"), sent_at: t.database.db.fn.now() },
    ]);
    const text = await scrape(t);
    expect(sample(text, 'wse_mail_outbox_unsent')).toBe(2);
    expect(sample(text, 'wse_mail_outbox_oldest_unsent_age_seconds')).toBeGreaterThanOrEqual(7200);
    expect(sample(text, 'wse_mail_outbox_oldest_unsent_age_seconds')).toBeLessThan(7300);
  });

  it('counts logins: successes, and refusals by reason', async () => {
    const before = await scrape(t);
    const succeeded = 'wse_logins_total{outcome="succeeded",reason=""}';
    const agent = request.agent(t.app);
    const answer = await answerFromDevIdp(agent, { insz: '75041212353' });
    await agent.post(answer.acsPath).type('form').send({ SAMLResponse: answer.samlResponse }).expect(303);
    // The same signed response posted again from the same browser (a replay) is refused.
    await agent.post(answer.acsPath).type('form').send({ SAMLResponse: answer.samlResponse }).expect(401);
    const audit = await t.database.db('audit_log').where({ action: 'login.failed' }).orderBy('id', 'desc').first();
    const refused = `wse_logins_total{outcome="refused",reason="${audit.details.reason}"}`;
    const after = await scrape(t);
    expect(sample(after, succeeded)).toBe((sample(before, succeeded) ?? 0) + 1);
    expect(sample(after, refused)).toBe((sample(before, refused) ?? 0) + 1);
  });
});

describe('request ids and error logging', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  function appWithLog(env: Record<string, string> = {}) {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, PUBLIC_URL: TEST_PUBLIC_URL, ...env });
    const app = createApp(config, { db: database.db, databaseUrl: database.url, logger: createLogger('info', sink) });
    return { app, lines };
  }

  it('keeps a well-formed X-Request-Id from a trusted proxy, and makes its own otherwise', async () => {
    const upstream = '5f0c2a9e-1b7d-4c1e-9a53-2f4b7c8d9e01';
    const behindProxy = appWithLog({ TRUST_PROXY: 'loopback' });
    const kept = await request(behindProxy.app).get('/healthz').set('X-Request-Id', upstream);
    expect(kept.headers['x-request-id']).toBe(upstream);
    const forged = await request(behindProxy.app).get('/healthz').set('X-Request-Id', 'abc"}\\n{"level":60');
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(forged.headers['x-request-id']).not.toBe(upstream);
    const direct = appWithLog();
    const ignored = await request(direct.app).get('/healthz').set('X-Request-Id', upstream);
    expect(ignored.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(ignored.headers['x-request-id']).not.toBe(upstream);
    await Promise.all([behindProxy.app.close(), direct.app.close()]);
  });

  it('logs a 500 once, with its error and request id', async () => {
    const { app, lines } = appWithLog();
    const agent = request.agent(app);
    await loginAs(agent, { insz: '75041212353' });
    // The session table gone: the next request with a session cookie fails inside the session store.
    await database.db.schema.renameTable('session', 'session_weg');
    try {
      const res = await agent.get(PAGE_WITH_HEADER);
      expect(res.status).toBe(500);
      const requestId = res.headers['x-request-id'];
      await new Promise((r) => setImmediate(r));
      const errors = lines.filter((l) => (l.level as number) >= 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        req: { id: requestId },
        res: { statusCode: 500 },
        err: { message: expect.stringContaining('session') },
      });
    } finally {
      await database.db.schema.renameTable('session_weg', 'session');
      await app.close();
    }
  });
});
