import { createHash, randomBytes } from 'node:crypto';
import { parseCookie } from 'cookie';
import type { Request, Response } from 'express';
import type { Config } from '../config.js';
import { AUTHN_REQUEST_LIFETIME_MS } from './request-store.js';

/**
 * Binds a login to the browser that started it, against login CSRF (an attacker's own SAML response
 * posted from a victim's browser would log the victim in as the attacker). GET /aanmelden gives the
 * browser a random value in a short-lived HttpOnly cookie; only its hash is stored, with the
 * AuthnRequest's ID, in the database (any instance can finish the login). The ACS accepts a response
 * only from a browser whose cookie hashes to the value stored for the response's InResponseTo.
 *
 * The cookie is SameSite=Lax, so the IdP's cross-site POST does not carry it: the ACS answers such a
 * POST with a page that posts the same fields again from our own origin (see routes.ts), and that
 * second, same-site POST carries it. That works over plain http (development) as well as https.
 */

const VALUE = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url

export function bindingCookieName(config: Config): string {
  // __Host-: only this exact origin can set it (no sibling subdomain), over https only.
  return config.isProduction ? '__Host-loket-login' : 'loket-login';
}

/** The value the browser holds, if it holds a well-formed one. */
export function bindingValue(req: Request, config: Config): string | undefined {
  const value = parseCookie(req.headers.cookie ?? '')[bindingCookieName(config)];
  return value && VALUE.test(value) ? value : undefined;
}

/**
 * The browser's value, given to it now when it has none. A browser that already holds one keeps it, so
 * that two logins started in two tabs can both finish.
 */
export function bindBrowser(req: Request, res: Response, config: Config): string {
  const value = bindingValue(req, config) ?? randomBytes(32).toString('base64url');
  res.cookie(bindingCookieName(config), value, {
    httpOnly: true,
    secure: config.session.cookieSecure,
    sameSite: 'lax',
    path: '/',
    maxAge: AUTHN_REQUEST_LIFETIME_MS,
  });
  return value;
}

export function bindingHash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
