import type { RequestHandler } from 'express';
import type { Db } from '../db/knex.js';
import { defaultRules } from '../domain/rules-data.js';
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
 * Sets req.auth from the session with ONE query, on every request: the session only says who
 * logged in; what they may do is always read fresh from the database.
 * The organisation part (membership, local admin, VOV right) joins into this same query.
 */
export function loadAuthContext(db: Db): RequestHandler {
  return async (req, _res, next) => {
    try {
      const personId = req.session?.personId;
      if (personId === undefined) return next();
      // The chosen organisation counts only while the person is a member of it (an edited or stale
      // session gives none); the right counts while unrevoked and not past its end date in Brussels.
      const organisationId = req.session.organisationId ?? null;
      const row = await db('person as p')
        .leftJoin('membership as m', (j) => j.on('m.person_id', 'p.id').andOn('m.organisation_id', db.raw('?::bigint', [organisationId])))
        .leftJoin('organisation as o', 'o.id', 'm.organisation_id')
        .where('p.id', personId)
        .first<AuthRow | undefined>(
          'p.id',
          'p.insz',
          'p.first_name',
          'p.last_name',
          'p.email',
          'o.id as organisation_id',
          'o.kbo',
          'o.name as organisation_name',
          'm.is_local_admin',
          db.raw(
            `EXISTS (SELECT 1 FROM user_right r
                      WHERE r.person_id = p.id AND r.organisation_id = o.id AND r.role = ? AND r.context = ?
                        AND r.revoked_at IS NULL
                        AND (r.valid_until IS NULL OR r.valid_until >= (now() AT TIME ZONE 'Europe/Brussels')::date)) AS has_vov_right`,
            [defaultRules.access.role, defaultRules.access.context],
          ),
        );
      if (!row) return next(); // the person no longer exists: treated as not logged in
      const organisation = row.organisation_id === null ? null : { id: row.organisation_id, kbo: row.kbo!, name: row.organisation_name! };
      req.auth = {
        person: { id: row.id, insz: row.insz, firstName: row.first_name, lastName: row.last_name, email: row.email },
        organisation,
        isLocalAdmin: organisation !== null && row.is_local_admin === true,
        hasVovRight: organisation !== null && row.has_vov_right,
      };
      next();
    } catch (err) {
      next(err);
    }
  };
}
