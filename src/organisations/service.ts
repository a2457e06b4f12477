import { z } from 'zod';
import { audit } from '../auth/service.js';
import type { Db } from '../db/knex.js';
import { formatKbo, normaliseKbo } from '../domain/kbo.js';
import { normaliseInsz } from '../domain/insz.js';
import {
  addMembership,
  findMemberPerson,
  findMembership,
  findOrCreatePerson,
  findOrganisationByKbo,
  insertOrganisation,
  listOrganisationsOfPerson,
  type OrganisationOfPerson,
  type MemberPerson,
  type OrganisationRow,
} from './repository.js';

/** Bad operator input (the CLI prints the message and exits non-zero). Messages are English: operators read them. */
export class OperatorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperatorInputError';
  }
}

function kboOrThrow(input: string): string {
  const kbo = normaliseKbo(input);
  if (!kbo)
    throw new OperatorInputError(
      `Invalid KBO number "${input}": expected an enterprise number like 0403.170.701 (10 digits, first digit 0 or 1, valid check digits).`,
    );
  return kbo;
}

/** Creates an organisation (operators, demo seed). */
export async function createOrganisation(
  db: Db,
  input: { kbo: string; name: string; street?: string | null; postcode?: string | null; city?: string | null },
): Promise<OrganisationRow> {
  const kbo = kboOrThrow(input.kbo);
  const name = input.name.trim();
  if (!name) throw new OperatorInputError('The organisation name must not be empty.');
  return db.transaction(async (trx) => {
    const existing = await findOrganisationByKbo(trx, kbo);
    if (existing)
      throw new OperatorInputError(
        `An organisation with KBO number ${formatKbo(kbo)} already exists: "${existing.name}".`,
      );
    const org = await insertOrganisation(trx, { ...input, kbo, name });
    await audit(trx, { action: 'organisation.created', organisationId: org.id, details: { by: 'operator' } });
    return org;
  });
}

/** Splits "Jan Van den Broeck" into first name "Jan" and last name "Van den Broeck". */
export function splitFullName(fullName: string): { firstName: string; lastName: string } {
  const parts = fullName.trim().split(/\s+/);
  if (parts.length < 2 || !parts[0])
    throw new OperatorInputError(`Give first and last name, e.g. --name "An Beheerder" (got "${fullName}").`);
  return { firstName: parts[0], lastName: parts.slice(1).join(' ') };
}

/**
 * Makes a person local administrator of an organisation (the bootstrap of a real deployment: operators
 * name the first administrators, who then manage everyone else in gebruikersbeheer). Creates the person
 * by INSZ when they never logged in; the names and address given belong to this membership only.
 * Returns whether anything changed, and the person as this organisation knows them.
 */
export async function addLocalAdministrator(
  db: Db,
  input: { kbo: string; insz: string; firstName: string; lastName: string; email: string | null },
): Promise<{ organisation: OrganisationRow; person: MemberPerson; changed: boolean }> {
  const kbo = kboOrThrow(input.kbo);
  const insz = normaliseInsz(input.insz);
  if (!insz)
    throw new OperatorInputError('Invalid INSZ: expected 11 digits like 85.07.30-033.28 with valid check digits.');
  if (!input.firstName.trim() || !input.lastName.trim())
    throw new OperatorInputError('First and last name must not be empty.');
  if (input.email !== null && !z.email().safeParse(input.email).success)
    throw new OperatorInputError(`Invalid e-mail address "${input.email}".`);
  return db.transaction(async (trx) => {
    const organisation = await findOrganisationByKbo(trx, kbo);
    if (!organisation)
      throw new OperatorInputError(
        `No organisation with KBO number ${formatKbo(kbo)}. Create it first with org:create.`,
      );
    const { id } = await findOrCreatePerson(trx, insz);
    const entered = { firstName: input.firstName.trim(), lastName: input.lastName.trim(), email: input.email };
    const organisationId = organisation.id;
    const membership = { personId: id, organisationId, isLocalAdmin: true, addedBy: null, entered };
    const changed = await addMembership(trx, membership);
    const details = { subjectPersonId: id, by: 'operator' };
    if (changed) await audit(trx, { action: 'membership.admin-added', organisationId, details });
    return { organisation, person: (await findMemberPerson(trx, organisation.id, id))!, changed };
  });
}

/** The organisations a person may act for (the choice page). */
export function organisationsOf(db: Db, personId: number): Promise<OrganisationOfPerson[]> {
  return listOrganisationsOfPerson(db, personId);
}

/** True when the person is a user of the organisation; the choice is refused otherwise. */
export async function mayActFor(db: Db, personId: number, organisationId: number): Promise<boolean> {
  return (await findMembership(db, personId, organisationId)) !== undefined;
}
