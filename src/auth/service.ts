import type { Db } from '../db/knex.js';
import type { Identity } from './identity.js';

/** Creates the person on first login and refreshes names and e-mail on every login; returns the person id. */
export async function recordLogin(db: Db, identity: Identity, method: string | null, at: Date): Promise<number> {
  const { rows } = await db.raw<{ rows: { id: number }[] }>(
    `INSERT INTO person (insz, first_name, last_name, email, last_login_at, last_login_method, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, now(), now())
     ON CONFLICT (insz) DO UPDATE SET
       first_name = EXCLUDED.first_name,
       last_name = EXCLUDED.last_name,
       email = COALESCE(EXCLUDED.email, person.email),
       last_login_at = EXCLUDED.last_login_at,
       last_login_method = COALESCE(EXCLUDED.last_login_method, person.last_login_method),
       updated_at = now()
     RETURNING id`,
    [identity.insz, identity.firstName, identity.lastName, identity.email, at, method],
  );
  return rows[0].id;
}

export interface AuditEntry {
  action: string;
  personId?: number | null;
  organisationId?: number | null;
  details?: Record<string, unknown>;
  requestId?: string;
}

/** One audit_log row; callers never put an INSZ, SAML XML or form contents in `details`. */
export async function audit(db: Db, entry: AuditEntry): Promise<void> {
  await db('audit_log').insert({
    actor_person_id: entry.personId ?? null,
    organisation_id: entry.organisationId ?? null,
    action: entry.action,
    details: JSON.stringify(entry.details ?? {}),
    request_id: entry.requestId ?? null,
  });
}
