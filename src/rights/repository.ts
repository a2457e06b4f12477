import type { Knex } from 'knex';
import { memberPersonColumns } from '../organisations/repository.js';

/** Data access for user rights and right requests. Every lookup by id also filters on the organisation. */

export interface RightKey {
  role: string;
  context: string;
}

export interface UserRightRow {
  id: number;
  person_id: number;
  organisation_id: number;
  role: string;
  context: string;
  granted_by: number | null;
  granted_at: Date;
  valid_until: string | null;
  revoked_at: Date | null;
  revoked_by: number | null;
}

export type RightRequestStatus = 'pending' | 'granted' | 'refused' | 'withdrawn';

export interface RightRequestRow {
  id: number;
  person_id: number;
  organisation_id: number;
  role: string;
  context: string;
  status: RightRequestStatus;
  requested_at: Date;
  decided_by: number | null;
  decided_at: Date | null;
  refusal_reason: string | null;
}

/** A request with the requester as the organisation knows them, for lists and the detail page. */
export interface RightRequestWithPerson extends RightRequestRow {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  mail_to: string | null;
  insz: string;
}

/** The unrevoked right (it may have passed its end date). */
export async function findUnrevokedRight(
  db: Knex,
  personId: number,
  organisationId: number,
  key: RightKey,
): Promise<UserRightRow | undefined> {
  return db<UserRightRow>('user_right')
    .where({ person_id: personId, organisation_id: organisationId, role: key.role, context: key.context })
    .whereNull('revoked_at')
    .first();
}

export async function findRightInOrganisation(
  db: Knex,
  rightId: number,
  organisationId: number,
): Promise<UserRightRow | undefined> {
  return db<UserRightRow>('user_right').where({ id: rightId, organisation_id: organisationId }).first();
}

/** Inserts the right; undefined when an unrevoked one already exists (another administrator was quicker). */
export async function insertRight(
  db: Knex,
  r: RightKey & { personId: number; organisationId: number; grantedBy: number; validUntil: string | null },
): Promise<UserRightRow | undefined> {
  const { rows } = await db.raw<{ rows: UserRightRow[] }>(
    `INSERT INTO user_right (person_id, organisation_id, role, context, granted_by, valid_until) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (person_id, organisation_id, role, context) WHERE revoked_at IS NULL DO NOTHING
     RETURNING *`,
    [r.personId, r.organisationId, r.role, r.context, r.grantedBy, r.validUntil],
  );
  return rows[0];
}

/** Revokes at once; returns false when the right was already revoked (a second click, another admin). */
export async function revokeRight(
  db: Knex,
  rightId: number,
  organisationId: number,
  revokedBy: number,
  at: Date,
): Promise<boolean> {
  const n = await db('user_right')
    .where({ id: rightId, organisation_id: organisationId })
    .whereNull('revoked_at')
    .update({ revoked_at: at, revoked_by: revokedBy });
  return n > 0;
}

/** An earlier right that passed its end date is closed before a new grant, so "one unrevoked right" stays true. */
export async function closeExpiredRight(db: Knex, rightId: number, closedBy: number, at: Date): Promise<void> {
  await db('user_right')
    .where({ id: rightId })
    .whereNull('revoked_at')
    .update({ revoked_at: at, revoked_by: closedBy });
}

/** The unrevoked rights of the organisation's users (the gebruikersbeheer overview). */
export async function listUnrevokedRightsOfOrganisation(db: Knex, organisationId: number): Promise<UserRightRow[]> {
  return db<UserRightRow>('user_right')
    .where({ organisation_id: organisationId })
    .whereNull('revoked_at')
    .orderBy('granted_at', 'desc')
    .orderBy('id', 'desc');
}

/** Every right of one user here, newest first, revoked ones included (the user's page shows the history). */
export async function listRightsOfMember(db: Knex, organisationId: number, personId: number): Promise<UserRightRow[]> {
  return db<UserRightRow>('user_right')
    .where({ organisation_id: organisationId, person_id: personId })
    .orderBy('granted_at', 'desc')
    .orderBy('id', 'desc');
}

/** Files a pending request; undefined when one is already pending (a double click, a second tab). */
export async function insertRightRequest(
  db: Knex,
  r: RightKey & { personId: number; organisationId: number },
): Promise<RightRequestRow | undefined> {
  const { rows } = await db.raw<{ rows: RightRequestRow[] }>(
    `INSERT INTO right_request (person_id, organisation_id, role, context, status) VALUES (?, ?, ?, ?, 'pending')
     ON CONFLICT (person_id, organisation_id, role, context) WHERE status = 'pending' DO NOTHING
     RETURNING *`,
    [r.personId, r.organisationId, r.role, r.context],
  );
  return rows[0];
}

export async function findPendingRightRequest(
  db: Knex,
  personId: number,
  organisationId: number,
  key: RightKey,
): Promise<RightRequestRow | undefined> {
  return db<RightRequestRow>('right_request')
    .where({
      person_id: personId,
      organisation_id: organisationId,
      role: key.role,
      context: key.context,
      status: 'pending',
    })
    .first();
}

/** The person's most recent request for this right in this organisation. */
export async function findLatestRightRequest(
  db: Knex,
  personId: number,
  organisationId: number,
  key: RightKey,
): Promise<RightRequestRow | undefined> {
  return db<RightRequestRow>('right_request')
    .where({ person_id: personId, organisation_id: organisationId, role: key.role, context: key.context })
    .orderBy('requested_at', 'desc')
    .orderBy('id', 'desc')
    .first();
}

function requestsWithPerson(db: Knex) {
  return db('right_request as r')
    .join('person as p', 'p.id', 'r.person_id')
    .leftJoin('membership as m', (j) =>
      j.on('m.person_id', 'r.person_id').andOn('m.organisation_id', 'r.organisation_id'),
    )
    .select<RightRequestWithPerson[]>('r.*', ...memberPersonColumns(db), 'p.insz');
}

export async function findRightRequestInOrganisation(
  db: Knex,
  requestId: number,
  organisationId: number,
): Promise<RightRequestWithPerson | undefined> {
  const rows = await requestsWithPerson(db).where({ 'r.id': requestId, 'r.organisation_id': organisationId });
  return rows[0];
}

/** Locks the pending request for a decision, so two administrators can't decide it twice. */
export async function lockPendingRightRequest(
  trx: Knex.Transaction,
  requestId: number,
  organisationId: number,
): Promise<RightRequestRow | undefined> {
  return trx<RightRequestRow>('right_request')
    .where({ id: requestId, organisation_id: organisationId, status: 'pending' })
    .forUpdate()
    .first();
}

export async function listPendingRightRequests(db: Knex, organisationId: number): Promise<RightRequestWithPerson[]> {
  return requestsWithPerson(db)
    .where({ 'r.organisation_id': organisationId, 'r.status': 'pending' })
    .orderBy('r.requested_at');
}

export async function decideRightRequest(
  db: Knex,
  requestId: number,
  decision: {
    status: 'granted' | 'refused' | 'withdrawn';
    decidedBy: number;
    at: Date;
    refusalReason?: string | null;
  },
): Promise<void> {
  await db('right_request')
    .where({ id: requestId, status: 'pending' })
    .update({
      status: decision.status,
      decided_by: decision.decidedBy,
      decided_at: decision.at,
      refusal_reason: decision.refusalReason ?? null,
    });
}

export async function countPendingRightRequests(db: Knex, organisationId: number): Promise<number> {
  const row = await db('right_request')
    .where({ organisation_id: organisationId, status: 'pending' })
    .count<{ n: number }>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

/** The person's most recent right here, revoked or expired ones included (to explain why it is missing). */
export async function findLatestRight(
  db: Knex,
  personId: number,
  organisationId: number,
  key: RightKey,
): Promise<UserRightRow | undefined> {
  return db<UserRightRow>('user_right')
    .where({ person_id: personId, organisation_id: organisationId, role: key.role, context: key.context })
    .orderBy('granted_at', 'desc')
    .orderBy('id', 'desc')
    .first();
}
