import { audit } from '../auth/service.js';
import type { Db } from '../db/knex.js';
import { addMembership, findOrCreatePerson } from '../organisations/repository.js';
import type { Actor } from '../rights/service.js';
import type { AddUserInput } from './schemas.js';

/**
 * Adds a person (by INSZ) as user of the actor's organisation; they see it in their organisation choice at once.
 * What the administrator typed stays with this membership: whether or how the INSZ is known elsewhere never shows.
 */
export async function addUser(
  db: Db,
  actor: Actor,
  input: AddUserInput,
): Promise<{ outcome: 'ok' | 'already-member'; personId: number }> {
  return db.transaction(async (trx) => {
    const person = await findOrCreatePerson(trx, input.insz);
    const entered = { firstName: input.firstName, lastName: input.lastName, email: input.email };
    const added = await addMembership(trx, {
      personId: person.id,
      organisationId: actor.organisationId,
      isLocalAdmin: false,
      addedBy: actor.personId,
      entered,
    });
    if (!added) return { outcome: 'already-member', personId: person.id };
    await audit(trx, {
      action: 'membership.added',
      personId: actor.personId,
      organisationId: actor.organisationId,
      requestId: actor.requestId,
      details: { subjectPersonId: person.id },
    });
    return { outcome: 'ok', personId: person.id };
  });
}

/** Audit actions in words a local administrator understands; actions of other parts of the portal keep their code. */
const AUDIT_ACTIONS: Record<string, string> = {
  'organisation.created': 'Organisatie aangemaakt',
  'membership.added': 'Gebruiker toegevoegd',
  'membership.admin-added': 'Lokale beheerder toegevoegd',
  'right.requested': 'Gebruikersrecht aangevraagd',
  'right.request-withdrawn': 'Aanvraag voor gebruikersrecht ingetrokken door de aanvrager',
  'right.granted': 'Gebruikersrecht toegekend',
  'right.refused': 'Aanvraag voor gebruikersrecht geweigerd',
  'right.revoked': 'Gebruikersrecht ingetrokken',
};

export function describeAuditAction(action: string): string {
  return AUDIT_ACTIONS[action] ?? action;
}
