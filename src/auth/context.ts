import type { RequestHandler } from 'express';
import type { Db } from '../db/knex.js';
import { todayInBrussels } from '../domain/dates.js';
import { findAuthContext } from './repository.js';
import '../http/types.js';

/**
 * Sets req.auth on every request of a logged-in person: the session only says who logged in; what they may do
 * is read fresh from the database. A person who no longer exists is treated as not logged in.
 */
export function loadAuthContext(db: Db, now: () => Date): RequestHandler {
  return async (req, _res, next) => {
    const personId = req.session?.personId;
    if (personId === undefined) return next();
    const auth = await findAuthContext(db, personId, req.session.organisationId ?? null, todayInBrussels(now()));
    if (auth) req.auth = auth;
    next();
  };
}
