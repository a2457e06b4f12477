import type { Knex } from 'knex';

/** Data access for organisations, their establishment units, people and memberships. `db` may be a transaction. */

export interface OrganisationRow {
  id: number;
  kbo: string;
  name: string;
  street: string | null;
  postcode: string | null;
  city: string | null;
  created_at: Date;
}

export interface PersonRow {
  id: number;
  insz: string;
  first_name: string;
  last_name: string;
  email: string | null;
}

export interface OrganisationOfPerson {
  id: number;
  kbo: string;
  name: string;
  isLocalAdmin: boolean;
}

export async function findOrganisationByKbo(db: Knex, kbo: string): Promise<OrganisationRow | undefined> {
  return db<OrganisationRow>('organisation').where({ kbo }).first();
}

export async function findOrganisationById(db: Knex, id: number): Promise<OrganisationRow | undefined> {
  return db<OrganisationRow>('organisation').where({ id }).first();
}

export async function insertOrganisation(
  db: Knex,
  org: { kbo: string; name: string; street?: string | null; postcode?: string | null; city?: string | null },
): Promise<OrganisationRow> {
  const [row] = await db<OrganisationRow>('organisation')
    .insert({ kbo: org.kbo, name: org.name, street: org.street ?? null, postcode: org.postcode ?? null, city: org.city ?? null })
    .returning('*');
  return row;
}

export async function upsertEstablishmentUnit(
  db: Knex,
  unit: { organisationId: number; number: string; name: string; street?: string | null; postcode?: string | null; city?: string | null },
): Promise<void> {
  await db('establishment_unit')
    .insert({ organisation_id: unit.organisationId, number: unit.number, name: unit.name, street: unit.street ?? null, postcode: unit.postcode ?? null, city: unit.city ?? null })
    .onConflict('number')
    .merge(['name', 'street', 'postcode', 'city']);
}

/** Every organisation with its number of users and local administrators (for the operators' CLI). */
export async function listOrganisationsWithCounts(db: Knex): Promise<(OrganisationRow & { members: number; admins: number })[]> {
  return db('organisation as o')
    .leftJoin('membership as m', 'm.organisation_id', 'o.id')
    .groupBy('o.id')
    .orderBy('o.name')
    .select('o.*', db.raw('count(m.person_id)::int AS members'), db.raw('count(m.person_id) FILTER (WHERE m.is_local_admin)::int AS admins'));
}

/** The organisations a person is a user of, by name. */
export async function listOrganisationsOfPerson(db: Knex, personId: number): Promise<OrganisationOfPerson[]> {
  const rows = await db('membership as m')
    .join('organisation as o', 'o.id', 'm.organisation_id')
    .where('m.person_id', personId)
    .orderBy('o.name')
    .select<{ id: number; kbo: string; name: string; is_local_admin: boolean }[]>('o.id', 'o.kbo', 'o.name', 'm.is_local_admin');
  return rows.map((r) => ({ id: r.id, kbo: r.kbo, name: r.name, isLocalAdmin: r.is_local_admin }));
}

export async function findMembership(db: Knex, personId: number, organisationId: number): Promise<{ is_local_admin: boolean } | undefined> {
  return db('membership').where({ person_id: personId, organisation_id: organisationId }).first('is_local_admin');
}

/** Adds the person as a user; `makeLocalAdmin` also promotes an existing member. Returns false when nothing changed. */
export async function addMembership(
  db: Knex,
  m: { personId: number; organisationId: number; isLocalAdmin: boolean; addedBy: number | null },
): Promise<boolean> {
  const query = db('membership')
    .insert({ person_id: m.personId, organisation_id: m.organisationId, is_local_admin: m.isLocalAdmin, added_by: m.addedBy })
    .onConflict(['person_id', 'organisation_id']);
  const rows = m.isLocalAdmin
    ? await query.merge({ is_local_admin: true }).where('membership.is_local_admin', false).returning('person_id')
    : await query.ignore().returning('person_id');
  return rows.length > 0;
}

/** The local administrators of an organisation, who receive the right-request e-mails. */
export async function listLocalAdmins(db: Knex, organisationId: number): Promise<PersonRow[]> {
  return db('membership as m')
    .join('person as p', 'p.id', 'm.person_id')
    .where({ 'm.organisation_id': organisationId, 'm.is_local_admin': true })
    .orderBy(['p.last_name', 'p.first_name'])
    .select<PersonRow[]>('p.id', 'p.insz', 'p.first_name', 'p.last_name', 'p.email');
}

export async function findPersonByInsz(db: Knex, insz: string): Promise<PersonRow | undefined> {
  return db<PersonRow>('person').where({ insz }).first('id', 'insz', 'first_name', 'last_name', 'email');
}

export async function findPersonById(db: Knex, id: number): Promise<PersonRow | undefined> {
  return db<PersonRow>('person').where({ id }).first('id', 'insz', 'first_name', 'last_name', 'email');
}

/**
 * A person known by INSZ before their first login (added by a local administrator or an operator).
 * An existing person keeps the name their digital key gave them; only a missing e-mail address is filled in.
 */
export async function findOrCreatePerson(db: Knex, p: { insz: string; firstName: string; lastName: string; email: string | null }): Promise<PersonRow> {
  const { rows } = await db.raw<{ rows: PersonRow[] }>(
    `INSERT INTO person (insz, first_name, last_name, email) VALUES (?, ?, ?, ?)
     ON CONFLICT (insz) DO UPDATE SET email = COALESCE(person.email, EXCLUDED.email), updated_at = now()
     RETURNING id, insz, first_name, last_name, email`,
    [p.insz, p.firstName, p.lastName, p.email],
  );
  return rows[0];
}
