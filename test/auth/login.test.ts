import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { PAGE_WITH_HEADER, loginAs } from '../helpers/login.js';

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
    const page = await agent.get(PAGE_WITH_HEADER).expect(200);
    expect(page.text).toContain('<span class="site-header__person">Lotte Peeters</span>');
    expect(page.text).toContain('>Afmelden</button>');
    // The home page no longer shows the anonymous landing page.
    const home = await agent.get('/');
    expect(home.text).not.toContain('<h1>Welkom bij het WSE-loket</h1>');
    const person = await t.database.db('person').where({ insz: '85073003328' }).first();
    expect(person).toMatchObject({
      first_name: 'Lotte',
      last_name: 'Peeters',
      email: 'lotte@example.org',
      last_login_method: 'urn:wse-loket:dev-idp:ac:itsme',
    });
  });
});
