import type { Request, RequestHandler } from 'express';
import { HttpError } from '../http/errors.js';
import { paths } from '../paths.js';
import { safeLocalPath } from './return-path.js';
import type { AuthContext } from '../http/types.js';

/** Not logged in: a GET is sent to the login with a way back; anything else gets the 401 page. */
export const requireLogin: RequestHandler = (req, res, next) => {
  if (req.auth) return next();
  if (req.method === 'GET' || req.method === 'HEAD') {
    const back = safeLocalPath(req.originalUrl);
    return res.redirect(303, back ? `${paths.login}?terug=${encodeURIComponent(back)}` : paths.login);
  }
  next(new HttpError(401));
};

/** Logged in, and acting for an organisation the person is a member of. */
export const requireOrganisation: RequestHandler = (req, res, next) => {
  if (!req.auth) return requireLogin(req, res, next);
  if (!req.auth.organisation) return res.redirect(303, paths.chooseOrganisation);
  next();
};

export const requireLocalAdmin: RequestHandler = (req, res, next) => {
  if (!req.auth) return requireLogin(req, res, next);
  if (!req.auth.organisation) return res.redirect(303, paths.chooseOrganisation);
  if (!req.auth.isLocalAdmin)
    return next(new HttpError(403, 'Alleen een lokale beheerder van deze organisatie kan deze pagina gebruiken.'));
  next();
};

/** The VOV right (DWSE organisatieverantwoordelijke / opleidingsverlof) for the chosen organisation. */
export const requireVovRight: RequestHandler = (req, res, next) => {
  if (!req.auth) return requireLogin(req, res, next);
  if (!req.auth.organisation) return res.redirect(303, paths.chooseOrganisation);
  if (!req.auth.hasVovRight) return next(new HttpError(403, '', 'auth/no-vov-right.njk'));
  next();
};

/** The auth context of a request acting for an organisation. */
export type OrganisationAuth = AuthContext & { organisation: NonNullable<AuthContext['organisation']> };

/** The auth context behind requireOrganisation (or a guard built on it), which made sure of the organisation. */
export function organisationAuth(req: Request): OrganisationAuth {
  return req.auth as OrganisationAuth;
}
