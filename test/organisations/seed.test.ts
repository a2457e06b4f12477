import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMemberships, demoOrganisation, demoPeople } from '../../src/db/demo-people.js';
import { seedDemoData } from '../../src/db/seed.js';
import { isValidEstablishmentUnit, isValidKbo } from '../../src/domain/kbo.js';
import { buildTestApp, csrfTokenFrom, type TestApp } from '../helpers/app.js';
import { loginAs, type Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';

let t: TestApp;
const demo = (key: string) => demoPeople.find((p) => p.key === key)!;

async function asDemo(key: string): Promise<Agent> {
  const agent = request.agent(t.app);
  await loginAs(agent, demo(key));
  const choose = await agent.get('/organisatie-kiezen');
  const org = await t.database.db('organisation').where({ kbo: demoOrganisation.kbo }).first();
  if (page(choose.text).$(`[name=keuze][value="${org.id}"]`).length)
    await agent
      .post('/organisatie-kiezen')
      .type('form')
      .send({ _csrf: csrfTokenFrom(choose.text), keuze: String(org.id) });
  return agent;
}

beforeAll(async () => {
  t = await buildTestApp();
  await seedDemoData(t.database.db, t.config);
});

afterAll(async () => {
  await t.close();
});

describe('the demo data', () => {
  it('has valid identifiers', () => {
    expect(isValidKbo(demoOrganisation.kbo)).toBe(true);
    for (const u of demoOrganisation.establishmentUnits) expect(isValidEstablishmentUnit(u.number)).toBe(true);
  });

  it('is idempotent', async () => {
    const count = async (table: string) =>
      Number(((await t.database.db(table).count({ n: '*' }).first()) as { n: number }).n);
    const before = await Promise.all(
      ['person', 'organisation', 'establishment_unit', 'membership', 'user_right'].map(count),
    );
    await seedDemoData(t.database.db, t.config);
    expect(
      await Promise.all(['person', 'organisation', 'establishment_unit', 'membership', 'user_right'].map(count)),
    ).toEqual(before);
    expect(before).toEqual([4, 1, 1, demoMemberships.length, 1]);
  });

  it('is refused in production', async () => {
    await expect(seedDemoData(t.database.db, { ...t.config, isProduction: true })).rejects.toThrow(
      'never seeded in production',
    );
  });

  it('plays the three roles of the source document, and the person without organisation', async () => {
    const jan = await asDemo('jan');
    expect(page((await jan.get('/aanvraag')).text).link('Aanvragen')).toBe('/terugbetaling/nieuw/werkgever');
    const eva = await asDemo('eva');
    expect(page((await eva.get('/aanvraag')).text).buttons).toContain('Gebruikersrecht aanvragen');
    const an = await asDemo('an');
    expect((await an.get('/gebruikersbeheer')).status).toBe(200);
    const piet = await asDemo('piet');
    expect(page((await piet.get('/organisatie-kiezen')).text).main).toContain('U kunt alleen in eigen naam werken');
  });

  it("keeps a demo user's changes: a revoked right stays revoked after the next start", async () => {
    await t.database.db('user_right').update({ revoked_at: t.database.db.fn.now() });
    await seedDemoData(t.database.db, t.config);
    expect(await t.database.db('user_right').whereNull('revoked_at').first()).toBeUndefined();
  });
});
