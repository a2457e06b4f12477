import request from 'supertest';
import type { AppDeps } from '../../src/app.js';
import {
  fixedClock,
  insertMember,
  insertOrganisation,
  loginForOrganisation,
  people,
  type TestOrganisation,
} from '../refund/fixtures.js';
import { buildTestApp, type TestApp } from './app.js';
import type { Agent } from './login.js';

/** The organisation most tests file for: Bouwbedrijf De Meeuw NV with one establishment unit in Oostende. */
export const DE_MEEUW = { kbo: '0403170701', name: 'Bouwbedrijf De Meeuw NV', unitNumber: '2147812701' };

export interface MemberFixture {
  t: TestApp;
  org: TestOrganisation;
  /** Jan Werkgever's browser: logged in through the development IdP, De Meeuw chosen. */
  agent: Agent;
  janId: number;
}

/**
 * The set-up most test files share: the app on a fresh database with the clock pinned to TODAY, De Meeuw, and
 * Jan Werkgever a member with the VOV right, logged in with the organisation chosen. `env`/`deps` as buildTestApp.
 * Close with `t.close()`.
 */
export async function memberLoggedIn(
  options: { env?: Record<string, string>; deps?: Partial<AppDeps> } = {},
): Promise<MemberFixture> {
  const t = await buildTestApp(options.env ?? {}, { now: fixedClock, ...options.deps });
  const org = await insertOrganisation(t.database.db, DE_MEEUW);
  const janId = await insertMember(t.database.db, org.id, people.jan);
  const agent = request.agent(t.app);
  await loginForOrganisation(agent, people.jan, org.id);
  return { t, org, agent, janId };
}
