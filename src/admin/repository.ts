import type { Knex } from 'knex';
import { memberNameColumns, memberPersonColumns } from '../organisations/repository.js';

/** Data access for gebruikersbeheer's own lists. Every query is limited to one organisation. */

/** A user as this organisation knows them (see MemberPerson). */
export interface MemberRow {
  person_id: number;
  insz: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  is_local_admin: boolean;
  created_at: Date;
}

export interface AuditRow {
  id: number;
  at: Date;
  action: string;
  details: Record<string, unknown>;
  actor_first_name: string | null;
  actor_last_name: string | null;
  subject_first_name: string | null;
  subject_last_name: string | null;
  subject_insz: string | null;
}

function members(db: Knex, organisationId: number) {
  return db('membership as m')
    .join('person as p', 'p.id', 'm.person_id')
    .where('m.organisation_id', organisationId)
    .select<MemberRow[]>('p.id as person_id', 'p.insz', ...memberPersonColumns(db), 'm.is_local_admin', 'm.created_at');
}

export async function listMembers(db: Knex, organisationId: number): Promise<MemberRow[]> {
  return members(db, organisationId).orderBy(['last_name', 'first_name', 'p.id']);
}

export async function findMember(db: Knex, organisationId: number, personId: number): Promise<MemberRow | undefined> {
  const rows = await members(db, organisationId).where('p.id', personId);
  return rows[0];
}

/**
 * The organisation's audit log, newest first, with the names of who acted and whom it was about, both as
 * this organisation knows them.
 */
export async function listAuditLog(db: Knex, organisationId: number, limit: number): Promise<AuditRow[]> {
  return (
    db('audit_log as a')
      .leftJoin('person as actor', 'actor.id', 'a.actor_person_id')
      // Both as this organisation knows them (their memberships here).
      .leftJoin('membership as am', (j) =>
        j.on('am.person_id', 'actor.id').andOn('am.organisation_id', 'a.organisation_id'),
      )
      .leftJoin('person as subject', (j) =>
        j.on(
          'subject.id',
          db.raw(
            `CASE WHEN a.details->>'subjectPersonId' ~ '^[0-9]{1,18}$' THEN (a.details->>'subjectPersonId')::bigint END`,
          ),
        ),
      )
      .leftJoin('membership as sm', (j) =>
        j.on('sm.person_id', 'subject.id').andOn('sm.organisation_id', 'a.organisation_id'),
      )
      .where('a.organisation_id', organisationId)
      .orderBy([
        { column: 'a.at', order: 'desc' },
        { column: 'a.id', order: 'desc' },
      ])
      .limit(limit)
      .select<AuditRow[]>(
        'a.id',
        'a.at',
        'a.action',
        'a.details',
        ...memberNameColumns(db, 'actor', 'am', 'actor_'),
        ...memberNameColumns(db, 'subject', 'sm', 'subject_'),
        'subject.insz as subject_insz',
      )
  );
}
