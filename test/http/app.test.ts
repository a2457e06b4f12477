import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { DEFAULT_SESSION_SECRET, loadConfig } from '../../src/config.js';
import { createHmac } from 'node:crypto';
import { createDb } from '../../src/db/knex.js';
import { createLogger } from '../../src/http/logger.js';
import { createSession } from '../../src/http/session.js';
import { errorHandler } from '../../src/http/errors.js';
import { configureViews } from '../../src/http/views.js';
import { PROJECT_ROOT } from '../../src/root.js';
import { page } from '../helpers/page.js';
import { join } from 'node:path';
import { buildTestApp, TEST_PUBLIC_URL, type TestApp } from '../helpers/app.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

describe('the portal skeleton', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the landing page in Dutch with landmarks, a skip link and the footer', async () => {
    const res = await request(t.app).get('/').expect(200);
    const p = page(res.text);
    expect(p.$('html').attr('lang')).toBe('nl');
    expect(p.link('Naar de inhoud')).toBe('#main');
    expect(p.$('main#main').length).toBe(1);
    expect(p.$('body > header').length).toBe(1);
    const footer = p.$('body > footer');
    expect(footer.text()).toContain('1700');
    expect(p.link('1700')).toBe('tel:1700');
    expect(p.link('vlaamsopleidingsverlof@vlaanderen.be')).toBe('mailto:vlaamsopleidingsverlof@vlaanderen.be');
    expect(p.link('Toegankelijkheidsverklaring')).toBe('/toegankelijkheidsverklaring');
    expect(p.title).toBe('Welkom bij het WSE-loket – WSE-loket');
  });

  it('sends security headers with a fresh CSP nonce per request and a request id', async () => {
    const a = await request(t.app).get('/').expect(200);
    const b = await request(t.app).get('/').expect(200);
    const csp = a.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toBe(b.headers['content-security-policy']);
    expect(a.headers['x-powered-by']).toBeUndefined();
    expect(a.headers['x-content-type-options']).toBe('nosniff');
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers['set-cookie']).toBeUndefined(); // no session for an anonymous visitor who only reads
  });

  it('serves fingerprinted assets with a long cache lifetime', async () => {
    const page = await request(t.app).get('/');
    const href = /href="(\/assets\/[0-9a-f]{12}\/css\/app\.css)"/.exec(page.text)?.[1];
    expect(href).toBeDefined();
    const css = await request(t.app).get(href!).expect(200);
    expect(css.headers['cache-control']).toContain('immutable');
    expect(css.text).toContain('--yellow: #ffe615');
  });

  it('answers unknown pages with a Dutch 404 page that quotes the request id', async () => {
    const res = await request(t.app).get('/bestaat-niet').expect(404);
    expect(page(res.text).h1).toBe('Deze pagina bestaat niet');
    expect(page(res.text).main).toContain(res.headers['x-request-id']);
  });

  it('refuses a state-changing request without a CSRF token with a Dutch 403 page', async () => {
    const res = await request(t.app).post('/').type('form').send({ a: 'b' }).expect(403);
    expect(page(res.text).main).toContain('Dit formulier is verlopen of werd al verstuurd');
  });

  it('refuses an oversized form body with 413', async () => {
    await request(t.app)
      .post('/')
      .type('form')
      .send({ big: 'x'.repeat(300_000) })
      .expect(413);
  });

  it('answers a form in a character set it cannot read with a Dutch 415 page, not the 500 page', async () => {
    const res = await request(t.app)
      .post('/')
      .set('content-type', 'application/x-www-form-urlencoded; charset=utf-7')
      .send('a=b')
      .expect(415);
    expect(page(res.text).h1).toBe('Het formulier kon niet gelezen worden');
    expect(page(res.text).main).not.toContain('Er ging iets mis');
  });

  it('reports health and readiness', async () => {
    await request(t.app).get('/healthz').expect(200, 'ok');
    await request(t.app).get('/readyz').expect(200, 'ready');
  });

  it('shows the accessibility statement and the session time-out notice', async () => {
    const statement = await request(t.app).get('/toegankelijkheidsverklaring').expect(200);
    expect(page(statement.text).h1).toBe('Toegankelijkheids\u00adverklaring'); // with a soft hyphen
    expect(page(statement.text).main).toContain('(WCAG) 2.2, niveau AA');
    const expired = await request(t.app).get('/sessie-verlopen').expect(200);
    expect(page(expired.text).links.map((l) => l.text)).toContain('Opnieuw aanmelden');
  });
});

describe('sessions', () => {
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://unused/x',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: TEST_PUBLIC_URL,
  };
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  function sessionApp(extra: Record<string, string>, maxIdleMinutes = 30) {
    const config = loadConfig({
      ...env,
      DATABASE_URL: t.database.url,
      SESSION_IDLE_MINUTES: String(maxIdleMinutes),
      ...extra,
    });
    const s = createSession(config, t.database.url, { pruneExpired: false });
    const app = express();
    app.set('trust proxy', 1);
    app.use(s.middleware, s.timeouts);
    app.get('/login', (req, res) => {
      req.session.personId = 1;
      req.session.createdAt = Date.now();
      req.session.lastSeenAt = Date.now();
      res.send('ok');
    });
    app.get('/me', (req, res) => res.send(String(req.session.personId ?? 'anonymous')));
    return { app, close: s.close };
  }

  it('sets an httpOnly, SameSite=Lax cookie with a neutral name, stored in PostgreSQL', async () => {
    const s = sessionApp({});
    const res = await request(s.app).get('/login').expect(200);
    const cookie = res.headers['set-cookie'][0];
    expect(cookie).toMatch(/^loket=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure');
    const rows = await t.database.db('session').count<{ count: number }[]>('* as count');
    expect(rows[0].count).toBeGreaterThan(0);
    await s.close();
  });

  it('marks the cookie Secure when configured (always in production)', async () => {
    const s = sessionApp({ COOKIE_SECURE: 'true', TRUST_PROXY: '1' });
    const res = await request(s.app).get('/login').set('X-Forwarded-Proto', 'https').expect(200);
    expect(res.headers['set-cookie'][0]).toContain('Secure');
    await s.close();
  });

  it('ends an idle session with a notice page instead of silently', async () => {
    const s = sessionApp({});
    const agent = request.agent(s.app);
    await agent.get('/login').expect(200);
    await agent.get('/me').expect(200, '1');
    // Age the stored session past the idle limit.
    await t.database.db.raw(
      `UPDATE session SET sess = jsonb_set(sess::jsonb, '{lastSeenAt}', to_jsonb(?::bigint))::json`,
      [Date.now() - 31 * 60_000],
    );
    await agent.get('/me').expect(303).expect('Location', '/sessie-verlopen');
    await agent.get('/me').expect(200, 'anonymous');
    await s.close();
  });
});

describe('error pages', () => {
  function failingApp(env: 'test' | 'development', failure: unknown) {
    const config = loadConfig({ NODE_ENV: env, DATABASE_URL: 'postgres://unused/x', LOG_LEVEL: 'silent' });
    const app = express();
    configureViews(app, config, join(PROJECT_ROOT, 'views'), '/assets/test');
    app.use((req, _res, next) => {
      req.id = 'req-123';
      next();
    });
    app.get('/fail', () => {
      throw failure;
    });
    app.use(errorHandler(createLogger('silent'), env === 'development'));
    return app;
  }

  it('renders a Dutch 500 page with the request id and no stack trace outside development', async () => {
    const res = await request(failingApp('test', new Error('secret internals')))
      .get('/fail')
      .expect(500);
    expect(page(res.text).h1).toBe('Er ging iets mis');
    expect(page(res.text).main).toContain('req-123');
    expect(res.text).not.toContain('secret internals');
  });

  it('shows the stack trace in development only', async () => {
    const res = await request(failingApp('development', new Error('secret internals')))
      .get('/fail')
      .expect(500);
    expect(res.text).toContain('secret internals');
  });

  it('turns an unreachable database into a 503 page that asks to try again later', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const res = await request(failingApp('test', refused)).get('/fail').expect(503);
    expect(res.headers['retry-after']).toBe('10');
    expect(page(res.text).main).toContain('Probeer later opnieuw');
    expect(page(res.text).main).toContain('req-123');
  });
});

describe('a database outage', () => {
  let proxy: TcpProxy;
  let app: App;
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp();
    const target = new URL(t.database.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(t.database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: viaProxy.toString(),
      LOG_LEVEL: 'silent',
      PUBLIC_URL: TEST_PUBLIC_URL,
    });
    const db = createDb(viaProxy.toString(), 2);
    app = createApp(config, { db, databaseUrl: viaProxy.toString(), logger: createLogger('silent') });
    app.close = ((close) => async () => {
      await close();
      await db.destroy();
    })(app.close);
  });
  afterAll(async () => {
    await app.close();
    await proxy.close();
    await t.close();
  });

  it('answers 503 while the database is down and recovers without a restart', async () => {
    await request(app).get('/readyz').expect(200);
    // A visitor with a (validly signed) session cookie needs the session store, which lives in the database.
    const sid = 'outage-test-session';
    const signature = createHmac('sha256', DEFAULT_SESSION_SECRET).update(sid).digest('base64').replace(/=+$/, '');
    const cookie = `loket=${encodeURIComponent(`s:${sid}.${signature}`)}`;
    await proxy.stop();
    await request(app).get('/readyz').expect(503);
    const during = await request(app).get('/').set('Cookie', cookie).expect(503);
    expect(page(during.text).h1).toBe('De dienst is tijdelijk niet beschikbaar');
    await request(app).get('/healthz').expect(200);
    await proxy.start();
    await request(app).get('/readyz').expect(200);
    await request(app).get('/').set('Cookie', cookie).expect(200);
  });
});
