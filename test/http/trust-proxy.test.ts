import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { problemsOf, productionBase as production } from './config-fixtures.js';

/**
 * Issue 15, item 9: the rate limits count per client address (req.ip). TRUST_PROXY=true believes every
 * X-Forwarded-For hop, so a client picks its own address by sending the header; production takes only a hop
 * count or the proxies' addresses, with which the address the proxy saw counts, whatever the client wrote.
 */

describe('TRUST_PROXY', () => {
  it('refuses true in production with one line that says what to give instead', () => {
    expect(problemsOf({ ...production, TRUST_PROXY: 'true' })).toEqual([
      'TRUST_PROXY: true would let any client choose its address (and rate-limit key) with X-Forwarded-For; in production give the number of proxies in front (e.g. 1) or their addresses (e.g. 10.0.0.0/8)',
    ]);
  });

  it('takes a hop count or an address list in production', () => {
    expect(loadConfig({ ...production, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...production, TRUST_PROXY: '10.0.0.0/8, loopback, 2001:db8::1' }).trustProxy).toBe(
      '10.0.0.0/8, loopback, 2001:db8::1',
    );
    expect(loadConfig({ ...production }).trustProxy).toBe(false);
  });

  it.each(['banana', '0.0.0.0/0', '::/0', '10.0.0.0/33', '10.0.0.1,'])(
    'refuses %j anywhere, with one line (no stack trace at start-up)',
    (value) => {
      expect(problemsOf({ TRUST_PROXY: value })).toEqual([
        'TRUST_PROXY: give a number of proxies (e.g. 1), or a comma-separated list of addresses, subnets (e.g. 10.0.0.0/8) and loopback, linklocal or uniquelocal',
      ]);
    },
  );

  it('still takes true in development, where no one else reaches the portal', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  });
});

describe('the login rate limit behind one proxy (TRUST_PROXY=1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(
      { LOGIN_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '1' },
      {
        now: () => new Date('2026-03-02T09:00:00Z'), // one rate-limit window throughout
      },
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts the address the proxy appended, not what the client wrote before it', async () => {
    // The proxy appends the address it saw (203.0.113.9); the client made up the rest of the header.
    for (let i = 1; i <= 3; i++)
      await request(t.app).get('/aanmelden').set('X-Forwarded-For', `192.0.2.${i}, 203.0.113.9`).expect(302);
    await request(t.app).get('/aanmelden').set('X-Forwarded-For', '192.0.2.99, 203.0.113.9').expect(429);
    // Another client behind the same proxy has a window of its own.
    await request(t.app).get('/aanmelden').set('X-Forwarded-For', '198.51.100.7').expect(302);
  });
});
