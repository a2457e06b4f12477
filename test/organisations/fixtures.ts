import type { Db } from '../../src/db/knex.js';
import { addMembership, findOrCreatePerson } from '../../src/organisations/repository.js';
import { addLocalAdministrator, createOrganisation } from '../../src/organisations/service.js';

/** A valid INSZ (born before 2000) for test person `serial` (1..997). */
export function testInsz(serial: number, birth = '850730'): string {
  const base = `${birth}${String(serial).padStart(3, '0')}`;
  return `${base}${String(97 - (Number(base) % 97)).padStart(2, '0')}`;
}

/** A valid KBO enterprise number for test organisation `n`. */
export function testKbo(n: number): string {
  const base = `04${String(n).padStart(6, '0')}`;
  return `${base}${String(97 - (Number(base) % 97)).padStart(2, '0')}`;
}

export interface TestPerson {
  insz: string;
  firstName: string;
  lastName: string;
  email: string;
}

export function person(serial: number, firstName: string, lastName: string): TestPerson {
  return {
    insz: testInsz(serial),
    firstName,
    lastName,
    email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@example.be`,
  };
}

/** An organisation with its local administrators and plain users, made the way operators and admins make them. */
export async function organisationWith(
  db: Db,
  n: number,
  name: string,
  people: { admins?: TestPerson[]; users?: TestPerson[] },
) {
  const org = await createOrganisation(db, { kbo: testKbo(n), name });
  const ids: Record<string, number> = {};
  for (const a of people.admins ?? []) {
    const { person } = await addLocalAdministrator(db, { kbo: org.kbo, ...a });
    ids[a.insz] = person.id;
  }
  for (const u of people.users ?? []) {
    const p = await findOrCreatePerson(db, u.insz);
    await addMembership(db, { personId: p.id, organisationId: org.id, isLocalAdmin: false, addedBy: null, entered: u });
    ids[u.insz] = p.id;
  }
  return { org, personId: (p: TestPerson) => ids[p.insz] };
}
