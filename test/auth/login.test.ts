import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { PAGE_WITH_HEADER, loginAs } from '../helpers/login.js';
import { page } from '../helpers/page.js';

describe('login through the development IdP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs a new person in and shows their name', async () => {
    const agent = request.agent(t.app);
    const location = await loginAs(agent, {
      insz: '85.07.30-033.28',
      firstName: 'Lotte',
      lastName: 'Peeters',
      email: 'lotte@example.org',
    });
    expect(location).toBe('/organisatie-kiezen');
    const shown = page((await agent.get(PAGE_WITH_HEADER).expect(200)).text);
    expect(shown.header).toContain('Lotte Peeters');
    expect(shown.form('Afmelden').action).toBe('/afmelden');
    // The home page no longer shows the anonymous landing page: it sends her on to choose.
    const home = await agent.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/organisatie-kiezen');
    const person = await t.database.db('person').where({ insz: '85073003328' }).first();
    expect(person).toMatchObject({
      first_name: 'Lotte',
      last_name: 'Peeters',
      email: 'lotte@example.org',
      last_login_method: 'urn:wse-loket:dev-idp:ac:itsme',
    });
  });
});
