import { Router, type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import { HttpError, isDatabaseUnavailable } from '../http/errors.js';
import { rateLimit } from '../http/rate-limit.js';
import { noStore } from '../http/security.js';
import { paths } from '../paths.js';
import { countLogin } from '../metrics/registry.js';
import { bindBrowser, bindingHash, bindingValue } from './browser-binding.js';
import { LoginFailure, failureMessage, failureStatus, toLoginFailure } from './failures.js';
import { safeLocalPath } from './return-path.js';
import { checkEnvelope } from './saml-checks.js';
import type { LoggedInUser } from './saml-sp.js';
import { audit } from './service.js';
import './session-data.js';
import type { Services } from '../services.js';

type AuthRouteDeps = Pick<Services, 'config' | 'db' | 'logger' | 'now' | 'sp'>;

/** Our own passport instance (not the global one), so that two apps in one process never share state. */
function createPassport(): passport.PassportStatic {
  const p = new passport.Passport() as passport.PassportStatic;
  p.serializeUser((user, done) => done(null, (user as unknown as LoggedInUser).personId));
  return p;
}

function loginLimiter(deps: AuthRouteDeps, name: string) {
  return rateLimit(deps.db, { name, limit: deps.config.loginRateLimitPerMinute, windowSeconds: 60, now: deps.now });
}

async function refuse(deps: AuthRouteDeps, req: Request, res: Response, failure: LoginFailure): Promise<void> {
  const requestId = String(req.id ?? '');
  deps.logger.warn({ requestId, reason: failure.reason, idpStatus: failure.idpStatus }, 'login refused');
  countLogin(failure.reason);
  await audit(deps.db, {
    action: 'login.failed',
    details: { reason: failure.reason, ...(failure.idpStatus ? { idpStatus: failure.idpStatus } : {}) },
    requestId,
  });
  const { title, text } = failureMessage(failure);
  res.status(failureStatus(failure)).setHeader('Cache-Control', 'no-store');
  res.render('auth/login-failed.njk', { title, text, requestId, reason: failure.reason });
}

/**
 * POST /auth/saml/acs, mounted before the CSRF check: the IdP's cross-site POST carries neither a
 * token nor our SameSite=Lax cookies. It is protected by the signature, the InResponseTo check and the
 * browser binding (browser-binding.ts): a POST without the binding cookie is answered with a page that
 * posts the same fields again from our own origin, where the cookie is sent.
 */
export function acsRoutes(deps: AuthRouteDeps): Router {
  const router = Router();
  const authenticator = createPassport();
  router.post(
    paths.samlAcs,
    loginLimiter(deps, 'login-acs'),
    noStore,
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const { inResponseTo } = checkEnvelope(body.SAMLResponse, await deps.sp.settings());
        const browser = bindingValue(req, deps.config);
        if (!browser && body.reposted === undefined) {
          // The fields are posted back unchanged; the page needs no JavaScript (a button), auto-submits with it.
          const relayState = typeof body.RelayState === 'string' ? body.RelayState : undefined;
          const samlResponse = body.SAMLResponse;
          return res.render('auth/continue-login.njk', { action: paths.samlAcs, samlResponse, relayState });
        }
        const issuedTo = await deps.sp.requestIssuedTo(inResponseTo, browser ? bindingHash(browser) : null);
        if (issuedTo === 'unknown') throw new LoginFailure('unknown_in_response_to');
        if (issuedTo === 'other_browser') throw new LoginFailure('other_browser');
        const strategy = await deps.sp.strategy();
        authenticator.authenticate(strategy, { session: false }, (err: unknown, user: LoggedInUser | false) => {
          if (err && isDatabaseUnavailable(err)) return next(err); // a 503, not the user's fault
          if (err || !user) return void refuse(deps, req, res, toLoginFailure(err ?? new Error('no user'))).catch(next);
          const returnTo = safeLocalPath(body.RelayState) ?? paths.chooseOrganisation;
          // passport 0.7 regenerates the session here: nothing from before the login survives.
          req.logIn(user, (loginErr) => {
            if (loginErr) return next(loginErr);
            const now = deps.now().getTime();
            req.session.personId = user.personId;
            req.session.organisationId = undefined;
            req.session.createdAt = now;
            req.session.lastSeenAt = now;
            req.session.saml = {
              nameID: user.nameID,
              nameIDFormat: user.nameIDFormat,
              sessionIndex: user.sessionIndex,
            };
            countLogin();
            audit(deps.db, {
              action: 'login.succeeded',
              personId: user.personId,
              details: { method: user.method },
              requestId: String(req.id ?? ''),
            })
              .then(() => req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(303, returnTo))))
              .catch(next);
          });
        })(req, res, next);
      } catch (err) {
        if (!(err instanceof LoginFailure)) return next(err); // settings or database trouble
        refuse(deps, req, res, err).catch(next);
      }
    },
  );
  return router;
}

/** Login start, logout, the logged-out page, SP metadata and the single-logout endpoint. */
export function authRoutes(deps: AuthRouteDeps): Router {
  const router = Router();

  router.get(paths.login, loginLimiter(deps, 'login-start'), noStore, async (req, res, next) => {
    try {
      const returnTo = safeLocalPath(req.query.terug);
      if (req.auth) return res.redirect(303, returnTo ?? paths.chooseOrganisation);
      // The way back travels as RelayState (validated again at the ACS): no session before login.
      res.redirect(await deps.sp.loginUrl(returnTo, bindingHash(bindBrowser(req, res, deps.config))));
    } catch (err) {
      next(err);
    }
  });

  router.post(paths.logout, async (req, res, next) => {
    try {
      const personId = req.session.personId;
      const samlSession = req.session.saml;
      await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
      const { cookieSecure } = deps.config.session;
      res.clearCookie(deps.config.isProduction ? '__Host-loket' : 'loket', {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: cookieSecure,
      });
      if (personId !== undefined) await audit(deps.db, { action: 'logout', personId, requestId: String(req.id ?? '') });
      const settings = await deps.sp.settings();
      if (samlSession && settings.idp.sloUrl) {
        const saml = await deps.sp.saml();
        const url = await saml.getLogoutUrlAsync(
          { ...samlSession, issuer: settings.sp.entityId } as never,
          paths.loggedOut,
          {},
        );
        return res.redirect(303, url);
      }
      res.redirect(303, paths.loggedOut);
    } catch (err) {
      next(err);
    }
  });

  router.get(paths.loggedOut, noStore, (_req, res) => {
    res.render('auth/logged-out.njk');
  });

  router.get(paths.samlMetadata, async (_req, res, next) => {
    try {
      const settings = await deps.sp.settings();
      const saml = await deps.sp.saml();
      // node-saml announces single logout with the POST binding; ours answers the Redirect binding.
      const xml = saml
        .generateServiceProviderMetadata(null, settings.sp.cert)
        .replace(
          `<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"`,
          `<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"`,
        );
      res.type('application/samlmetadata+xml').send(xml);
    } catch (err) {
      next(err);
    }
  });

  // Single logout: the IdP's answer to our LogoutRequest, or its own LogoutRequest (logout started elsewhere).
  router.get(paths.samlSlo, noStore, async (req, res, next) => {
    try {
      const saml = await deps.sp.saml();
      const query = req.query as Record<string, string>;
      const originalQuery = req.originalUrl.split('?')[1] ?? '';
      const signed = typeof query.Signature === 'string' && typeof query.SigAlg === 'string';
      if (typeof query.SAMLRequest === 'string') {
        // node-saml accepts unsigned redirect messages; we don't (else any link could log a user out).
        if (!signed) throw new HttpError(400);
        const profile = await saml.validateRedirectAsync(query, originalQuery).then(
          (result) => result.profile,
          () => null,
        );
        if (!profile) throw new HttpError(400);
        const current = req.session.saml;
        if (current && profile.nameID === current.nameID) {
          const personId = req.session.personId;
          await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
          await audit(deps.db, { action: 'logout', personId, details: { by: 'idp' }, requestId: String(req.id ?? '') });
        }
        // Whatever the match, this browser holds no session for that person any more.
        return res.redirect(303, await saml.getLogoutResponseUrlAsync(profile, query.RelayState, {}, true));
      }
      if (typeof query.SAMLResponse === 'string') {
        try {
          if (!signed) throw new Error('unsigned LogoutResponse');
          await saml.validateRedirectAsync(query, originalQuery);
        } catch (err) {
          // Our own session is gone already; only the IdP's confirmation was not acceptable.
          deps.logger.warn({ requestId: req.id, err: { message: (err as Error).message } }, 'logout response refused');
        }
      }
      res.redirect(303, safeLocalPath(query.RelayState) ?? paths.loggedOut);
    } catch (err) {
      next(err);
    }
  });

  return router;
}
