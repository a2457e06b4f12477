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

/**
 * A person as one organisation knows them: the names and address its administrator (or an operator) entered
 * for the membership, or what the person's own digital key gave once they logged in to this organisation.
 * Nothing another organisation entered, and nothing from a login elsewhere, ever shows here.
 */
export interface MemberPerson {
  id: number;
  insz: string;
  first_name: string | null;
  last_name: string | null;
  /** The address this organisation sees. */
  email: string | null;
  /** Where this organisation's mails to the person go: its own entered address, else the key's. */
  mail_to: string | null;
}

export interface OrganisationOfPerson {
  id: number;
  kbo: string;
  name: string;
  isLocalAdmin: boolean;
}

/** What an administrator or operator enters for a membership (never stored on the shared person row). */
export interface EnteredContact {
  firstName: string;
  lastName: string;
  email: string | null;
}

/** A person's names as organisation `m.organisation_id` knows them (person alias `p`, membership alias `m`). */
export function memberNameColumns(db: Knex, p = 'p', m = 'm', prefix = '') {
  const own = (column: string) =>
    `CASE WHEN ${m}.logged_in_at IS NOT NULL THEN COALESCE(${p}.${column}, ${m}.${column}) ELSE ${m}.${column} END`;
  return [db.raw(`${own('first_name')} AS ${prefix}first_name`), db.raw(`${own('last_name')} AS ${prefix}last_name`)];
}

/** The columns of MemberPerson (without id and insz) for person `p` and membership `m`. */
export function memberPersonColumns(db: Knex) {
  return [
    ...memberNameColumns(db),
    db.raw(`COALESCE(m.email, CASE WHEN m.logged_in_at IS NOT NULL THEN p.email END) AS email`),
    db.raw(`COALESCE(m.email, p.email) AS mail_to`),
  ];
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
    .insert({
      kbo: org.kbo,
      name: org.name,
      street: org.street ?? null,
      postcode: org.postcode ?? null,
      city: org.city ?? null,
    })
    .returning('*');
  return row;
}

export async function upsertEstablishmentUnit(
  db: Knex,
  unit: {
    organisationId: number;
    number: string;
    name: string;
    street?: string | null;
    postcode?: string | null;
    city?: string | null;
  },
): Promise<void> {
  await db('establishment_unit')
    .insert({
      organisation_id: unit.organisationId,
      number: unit.number,
      name: unit.name,
      street: unit.street ?? null,
      postcode: unit.postcode ?? null,
      city: unit.city ?? null,
    })
    .onConflict('number')
    .merge(['name', 'street', 'postcode', 'city']);
}

/** The organisation's establishment units, for the form's choice and the CSV upload's check. */
export interface EstablishmentUnitRow {
  id: number;
  number: string;
  name: string;
  street: string | null;
  postcode: string | null;
  city: string | null;
}

export async function listEstablishmentUnits(db: Knex, organisationId: number): Promise<EstablishmentUnitRow[]> {
  return db('establishment_unit')
    .where({ organisation_id: organisationId })
    .orderBy('name')
    .select('id', 'number', 'name', 'street', 'postcode', 'city');
}

/** Every organisation with its number of users and local administrators (for the operators' CLI). */
export async function listOrganisationsWithCounts(
  db: Knex,
): Promise<(OrganisationRow & { members: number; admins: number })[]> {
  return db('organisation as o')
    .leftJoin('membership as m', 'm.organisation_id', 'o.id')
    .groupBy('o.id')
    .orderBy('o.name')
    .select(
      'o.*',
      db.raw('count(m.person_id)::int AS members'),
      db.raw('count(m.person_id) FILTER (WHERE m.is_local_admin)::int AS admins'),
    );
}

/** The organisations a person is a user of, by name. */
export async function listOrganisationsOfPerson(db: Knex, personId: number): Promise<OrganisationOfPerson[]> {
  const rows = await db('membership as m')
    .join('organisation as o', 'o.id', 'm.organisation_id')
    .where('m.person_id', personId)
    .orderBy('o.name')
    .select<{ id: number; kbo: string; name: string; is_local_admin: boolean }[]>(
      'o.id',
      'o.kbo',
      'o.name',
      'm.is_local_admin',
    );
  return rows.map((r) => ({ id: r.id, kbo: r.kbo, name: r.name, isLocalAdmin: r.is_local_admin }));
}

export async function findMembership(
  db: Knex,
  personId: number,
  organisationId: number,
): Promise<{ is_local_admin: boolean } | undefined> {
  return db('membership').where({ person_id: personId, organisation_id: organisationId }).first('is_local_admin');
}

/**
 * Adds the person as a user with what the administrator entered; `makeLocalAdmin` also promotes an existing
 * member (who keeps the data entered before, if any). Returns false when nothing changed.
 */
export async function addMembership(
  db: Knex,
  m: {
    personId: number;
    organisationId: number;
    isLocalAdmin: boolean;
    addedBy: number | null;
    entered?: EnteredContact;
  },
): Promise<boolean> {
  const query = db('membership')
    .insert({
      person_id: m.personId,
      organisation_id: m.organisationId,
      is_local_admin: m.isLocalAdmin,
      added_by: m.addedBy,
      first_name: m.entered?.firstName ?? null,
      last_name: m.entered?.lastName ?? null,
      email: m.entered?.email ?? null,
    })
    .onConflict(['person_id', 'organisation_id']);
  const keep = (column: string) => db.raw(`COALESCE(membership.${column}, EXCLUDED.${column})`);
  const promote = {
    is_local_admin: true,
    first_name: keep('first_name'),
    last_name: keep('last_name'),
    email: keep('email'),
  };
  const rows = m.isLocalAdmin
    ? await query.merge(promote).where('membership.is_local_admin', false).returning('person_id')
    : await query.ignore().returning('person_id');
  return rows.length > 0;
}

/** The person chose this organisation after their own login: from now on it may see what their key gave. */
export async function markLoggedIn(db: Knex, personId: number, organisationId: number): Promise<void> {
  await db('membership')
    .where({ person_id: personId, organisation_id: organisationId })
    .whereNull('logged_in_at')
    .update({ logged_in_at: db.fn.now() });
}

function membersAsKnown(db: Knex, organisationId: number) {
  return db('membership as m')
    .join('person as p', 'p.id', 'm.person_id')
    .where('m.organisation_id', organisationId)
    .select<MemberPerson[]>('p.id', 'p.insz', ...memberPersonColumns(db));
}

/** One user of the organisation as it knows them; undefined for anyone who is not its user. */
export async function findMemberPerson(
  db: Knex,
  organisationId: number,
  personId: number,
): Promise<MemberPerson | undefined> {
  const rows = await membersAsKnown(db, organisationId).where('p.id', personId);
  return rows[0];
}

/** The local administrators of an organisation, who receive the right-request e-mails. */
export async function listLocalAdmins(db: Knex, organisationId: number): Promise<MemberPerson[]> {
  return membersAsKnown(db, organisationId)
    .where('m.is_local_admin', true)
    .orderBy(['last_name', 'first_name', 'p.id']);
}

/**
 * The person row for an INSZ, created bare when they never logged in: names and address come only from their
 * own login (src/auth/service.ts); what an administrator enters goes to the membership.
 */
export async function findOrCreatePerson(db: Knex, insz: string): Promise<{ id: number; insz: string }> {
  const { rows } = await db.raw<{ rows: { id: number; insz: string }[] }>(
    `INSERT INTO person (insz) VALUES (?) ON CONFLICT (insz) DO UPDATE SET insz = EXCLUDED.insz RETURNING id, insz`,
    [insz],
  );
  return rows[0];
}
