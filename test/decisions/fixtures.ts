import request from 'supertest';
import { createApiClient } from '../../src/api/clients.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { testInsz } from '../organisations/fixtures.js';
import type { Agent } from '../helpers/login.js';
import {
  completeDraft,
  fixedClock,
  insertMember,
  insertOrganisation,
  loginForOrganisation,
  people,
  submitDraft,
  type TestOrganisation,
} from '../refund/fixtures.js';

/** The contact person the employer types in the form: the dossier's mails go there, not to the person filing. */
export const CONTACT_EMAIL = 'personeelsdienst@demeeuw.example';
export const EMPLOYEE_EMAIL = 'eva.werknemer@example.be';

export interface LifeWorld {
  t: TestApp;
  org: TestOrganisation;
  otherOrg: TestOrganisation;
  jan: Agent;
  olaf: Agent;
  /** Files one more dossier of De Meeuw through the form; returns its dossiernummer. */
  file(overrides?: Parameters<typeof completeDraft>[2]): Promise<string>;
  /** Files a dossier of the other organisation. */
  fileOther(): Promise<string>;
  token(name: string, scopes: ('read' | 'decide')[]): Promise<string>;
}

let serial = 0;

/** An app on its own database, two organisations with a member each (logged in), and a way to file dossiers. */
export async function lifeWorld(env: Record<string, string> = {}): Promise<LifeWorld> {
  const t = await buildTestApp(env, { now: fixedClock });
  const org = await insertOrganisation(t.database.db, {
    kbo: '0403170701',
    name: 'Bouwbedrijf De Meeuw NV',
    unitNumber: '2147812701',
  });
  const otherOrg = await insertOrganisation(t.database.db, {
    kbo: '0200065765',
    name: 'Andere Werkgever BV',
    unitNumber: '2000000042',
    postcode: '9000',
  });
  await insertMember(t.database.db, org.id, people.jan);
  await insertMember(t.database.db, otherOrg.id, people.other);
  const jan = request.agent(t.app);
  await loginForOrganisation(jan, people.jan, org.id);
  const olaf = request.agent(t.app);
  await loginForOrganisation(olaf, people.other, otherOrg.id);
  const nummer = (url: string) => url.split('/').pop() as string;
  return {
    t,
    org,
    otherOrg,
    jan,
    olaf,
    file: async (overrides = {}) => {
      // Each dossier its own employee and training: none is a duplicate or over the personal maximum.
      serial += 1;
      const opleiding = { odbNumber: String(10000 + serial), ...overrides.opleiding };
      const werknemer = { insz: testInsz(100 + serial), ...overrides.werknemer };
      const werkgever = { contactEmail: CONTACT_EMAIL, ...overrides.werkgever };
      return nummer(
        await submitDraft(jan, await completeDraft(jan, org.unitId, { ...overrides, opleiding, werkgever, werknemer })),
      );
    },
    fileOther: async () =>
      nummer(
        await submitDraft(
          olaf,
          await completeDraft(olaf, otherOrg.unitId, { werknemer: { firstName: 'Ander', lastName: 'Bedrijf' } }),
        ),
      ),
    token: async (name, scopes) => (await createApiClient(t.database.db, name, scopes)).token,
  };
}
