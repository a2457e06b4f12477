import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeLocalPath } from '../../src/auth/return-path.js';
import { buildSignedResponse } from '../../src/auth/dev-idp/saml-response.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { loginAs } from '../helpers/login.js';
import { idpSigner, postToAcs, startLogin, validSpec } from './saml-fixtures.js';

describe('safeLocalPath', () => {
  it.each([
    ['/mijn-dossiers', '/mijn-dossiers'],
    ['/terugbetaling?stap=2#iban', '/terugbetaling?stap=2#iban'],
    ['//evil.example/x', undefined],
    ['/\\evil.example', undefined],
    ['/\\/evil.example', undefined],
    ['https://evil.example/', undefined],
    ['javascript:alert(1)', undefined],
    ['evil.example', undefined],
    ['/\tevil', undefined],
    ['/%0d%0aSet-Cookie:x', '/%0d%0aSet-Cookie:x'],
    ['', undefined],
    [undefined, undefined],
    [['/a', '/b'], undefined],
  ])('%j → %j', (input, expected) => {
    expect(safeLocalPath(input)).toBe(expected);
  });
});

describe('where the portal sends the browser after login', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '10000' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('to the organisation choice by default', async () => {
    expect(await loginAs(request.agent(t.app), { insz: '68110304512' })).toBe('/organisatie-kiezen');
  });

  it('back to the local page that asked for login (terug)', async () => {
    expect(await loginAs(request.agent(t.app), { insz: '68110304512' }, { returnTo: '/mijn-dossiers?jaar=2025' })).toBe(
      '/mijn-dossiers?jaar=2025',
    );
  });

  it.each(['https://evil.example/phish', '//evil.example', '/\\evil.example'])(
    'never to %s given as terug',
    async (target) => {
      const { relayState } = await startLogin(t.app, target);
      expect(relayState).toBeNull();
      expect(await loginAs(request.agent(t.app), { insz: '68110304512' }, { returnTo: target })).toBe(
        '/organisatie-kiezen',
      );
    },
  );

  it.each(['https://evil.example/phish', '//evil.example', '/\\evil.example'])(
    'never to %s slipped in as RelayState',
    async (target) => {
      const { requestId, browser } = await startLogin(t.app);
      const res = await postToAcs(
        browser,
        buildSignedResponse(validSpec(t.config, requestId), idpSigner(t.config)),
        target,
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/organisatie-kiezen');
    },
  );

  it('sends someone already logged in straight on', async () => {
    const agent = request.agent(t.app);
    await loginAs(agent, { insz: '68110304512' });
    const res = await agent.get('/aanmelden?terug=%2Fmijn-dossiers').expect(303);
    expect(res.headers.location).toBe('/mijn-dossiers');
  });
});
