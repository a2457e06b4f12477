import type { Knex } from 'knex';
import { demoMemberships, demoOrganisation, demoPeople } from '../db/demo-people.js';
import { findLatestRight, insertRight } from '../rights/repository.js';
import { VOV_RIGHT } from '../rights/service.js';
import {
  findOrCreatePerson,
  findOrganisationByKbo,
  insertOrganisation,
  upsertEstablishmentUnit,
} from './repository.js';

/**
 * The demo people, organisation, memberships and the employer's right (development only). Creates what is
 * missing and changes nothing a demo user did: a right revoked while playing stays revoked after a restart.
 */
export async function seedDemoOrganisation(trx: Knex): Promise<void> {
  const people = new Map<string, number>();
  for (const p of demoPeople) {
    people.set(p.key, (await findOrCreatePerson(trx, p.insz)).id);
  }
  const { establishmentUnits, ...organisation } = demoOrganisation;
  const org = (await findOrganisationByKbo(trx, organisation.kbo)) ?? (await insertOrganisation(trx, organisation));
  for (const unit of establishmentUnits) await upsertEstablishmentUnit(trx, { organisationId: org.id, ...unit });

  const admin = demoMemberships.find((m) => m.isLocalAdmin);
  for (const m of demoMemberships) {
    const personId = people.get(m.key)!;
    // What the demo organisation "entered" for them; their logins give the same from the development IdP.
    const p = demoPeople.find((d) => d.key === m.key)!;
    await trx('membership')
      .insert({
        person_id: personId,
        organisation_id: org.id,
        is_local_admin: m.isLocalAdmin,
        added_by: null,
        first_name: p.firstName,
        last_name: p.lastName,
        email: p.email,
      })
      .onConflict(['person_id', 'organisation_id'])
      .ignore();
    if (m.hasVovRight && !(await findLatestRight(trx, personId, org.id, VOV_RIGHT))) {
      await insertRight(trx, {
        personId,
        organisationId: org.id,
        ...VOV_RIGHT,
        grantedBy: people.get(admin?.key ?? m.key)!,
        validUntil: null,
      });
    }
  }
}
