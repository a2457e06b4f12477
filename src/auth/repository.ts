import { preparedRows, type Db } from '../db/knex.js';
import type { IsoDate } from '../domain/dates.js';
import { defaultRules } from '../domain/rules-data.js';
import type { AuthContext } from '../http/types.js';

interface AuthRow {
  id: number;
  insz: string;
  first_name: string;
  last_name: string;
  email: string | null;
  organisation_id: number | null;
  kbo: string | null;
  organisation_name: string | null;
  is_local_admin: boolean | null;
  has_vov_right: boolean;
}

/**
 * Who the person is and what they may do for the organisation of their choice, in one query. The organisation
 * counts only while the person is a member of it (an edited or stale session gives none); the VOV right counts
 * while unrevoked and not past its end date (`today`, in Brussels). Null when the person no longer exists.
 */
export async function findAuthContext(
  db: Db,
  personId: number,
  organisationId: number | null,
  today: IsoDate,
): Promise<AuthContext | null> {
  const rows = await preparedRows<AuthRow>(
    db,
    'auth-context',
    `SELECT p.id, p.insz, p.first_name, p.last_name, p.email, o.id AS organisation_id, o.kbo, o.name AS organisation_name, m.is_local_admin,
            EXISTS (SELECT 1 FROM user_right r
                     WHERE r.person_id = p.id AND r.organisation_id = o.id AND r.role = $1 AND r.context = $2
                       AND r.revoked_at IS NULL AND (r.valid_until IS NULL OR r.valid_until >= $3::date)) AS has_vov_right
       FROM person p
       LEFT JOIN membership m ON m.person_id = p.id AND m.organisation_id = $4
       LEFT JOIN organisation o ON o.id = m.organisation_id
      WHERE p.id = $5`,
    [defaultRules.access.role, defaultRules.access.context, today, organisationId, personId],
  );
  const row = rows[0];
  if (!row) return null;
  const organisation =
    row.organisation_id === null ? null : { id: row.organisation_id, kbo: row.kbo!, name: row.organisation_name! };
  return {
    person: { id: row.id, insz: row.insz, firstName: row.first_name, lastName: row.last_name, email: row.email },
    organisation,
    isLocalAdmin: organisation !== null && row.is_local_admin === true,
    hasVovRight: organisation !== null && row.has_vov_right,
  };
}
