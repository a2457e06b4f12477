import type { RequestHandler } from 'express';
import { defaultRules } from '../domain/rules-data.js';
import { joinedRow, type SessionJoin } from '../http/session.js';
import '../http/types.js';

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
 * The auth context, read in the same statement as the session (see SessionJoin), on every request: the
 * session only says who logged in; what they may do is always read fresh from the database. The chosen
 * organisation counts only while the person is a member of it (an edited or stale session gives none); the
 * right counts while unrevoked and not past its end date in Brussels.
 */
export const authSessionJoin: SessionJoin = {
  sql: `SELECT p.id, p.insz, p.first_name, p.last_name, p.email, o.id AS organisation_id, o.kbo, o.name AS organisation_name, m.is_local_admin,
               EXISTS (SELECT 1 FROM user_right r
                        WHERE r.person_id = p.id AND r.organisation_id = o.id AND r.role = $3 AND r.context = $4
                          AND r.revoked_at IS NULL
                          AND (r.valid_until IS NULL OR r.valid_until >= (now() AT TIME ZONE 'Europe/Brussels')::date)) AS has_vov_right
          FROM person p
          LEFT JOIN membership m ON m.person_id = p.id AND m.organisation_id = (s.sess->>'organisationId')::bigint
          LEFT JOIN organisation o ON o.id = m.organisation_id
         WHERE p.id = (s.sess->>'personId')::bigint`,
  bindings: [defaultRules.access.role, defaultRules.access.context],
};

/** Sets req.auth from the row read with the session (no query of its own). */
export const loadAuthContext: RequestHandler = (req, _res, next) => {
  const personId = req.session?.personId;
  const row = joinedRow<AuthRow>(req);
  // No row: the person no longer exists, and is treated as not logged in.
  if (personId === undefined || !row || row.id !== personId) return next();
  const organisation =
    row.organisation_id === null ? null : { id: row.organisation_id, kbo: row.kbo!, name: row.organisation_name! };
  req.auth = {
    person: { id: row.id, insz: row.insz, firstName: row.first_name, lastName: row.last_name, email: row.email },
    organisation,
    isLocalAdmin: organisation !== null && row.is_local_admin === true,
    hasVovRight: organisation !== null && row.has_vov_right,
  };
  next();
};
