import { SAML, ValidateInResponseTo, type Profile, type SamlConfig } from '@node-saml/node-saml';
import { Strategy, type VerifiedCallback } from '@node-saml/passport-saml';
import type { Request } from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db/knex.js';
import { LoginFailure } from './failures.js';
import { identityFromAssertion } from './identity.js';
import { AUTHN_REQUEST_LIFETIME_MS, PgRequestStore, claimAssertionId } from './request-store.js';
import { checkVerifiedAssertion } from './saml-checks.js';
import type { Logger } from '../http/logger.js';
import { samlSettingsLoader, type SamlSettings } from './saml-config.js';
import { recordLogin } from './service.js';

/** What a successful login hands to passport's req.login. */
export interface LoggedInUser {
  personId: number;
  nameID: string;
  nameIDFormat: string;
  sessionIndex?: string;
  method: string | null;
}

export interface ServiceProvider {
  settings(): Promise<SamlSettings>;
  /** Operator warnings for /readyz (IdP metadata that could not be re-read). */
  warnings(): string[];
  /** The IdP URL that starts a login; the AuthnRequest is recorded as issued to `browserHash`. */
  loginUrl(relayState: string | undefined, browserHash: string): Promise<string>;
  /** Whether the pending AuthnRequest `id` was issued to the browser with this hash (null: a browser without one). */
  requestIssuedTo(id: string, browserHash: string | null): ReturnType<PgRequestStore['issuedTo']>;
  /** The passport strategy for one request (a fresh object each call). */
  strategy(): Promise<Strategy>;
  /** node-saml itself, for metadata and single logout. */
  saml(): Promise<SAML>;
}

function samlOptions(config: Config, settings: SamlSettings, store: PgRequestStore): SamlConfig {
  return {
    callbackUrl: settings.sp.acsUrl,
    issuer: settings.sp.entityId,
    audience: settings.sp.entityId,
    entryPoint: settings.idp.ssoUrl,
    logoutUrl: settings.idp.sloUrl ?? '',
    logoutCallbackUrl: settings.sp.sloUrl,
    idpCert: settings.idp.certs,
    // node-saml checks it on logout messages; assertions are checked in saml-checks.ts.
    ...(settings.idp.entityId ? { idpIssuer: settings.idp.entityId } : {}),
    privateKey: settings.sp.key,
    publicCert: settings.sp.cert,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    authnRequestBinding: 'HTTP-Redirect',
    wantAssertionsSigned: true,
    // Checked ourselves when present (saml-checks.ts): many IdPs sign only the assertion.
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: config.saml.clockSkewSeconds * 1000,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: AUTHN_REQUEST_LIFETIME_MS,
    cacheProvider: store,
    // Let the IdP choose its NameID format and authentication context (the federal IdP offers several keys).
    identifierFormat: null,
    disableRequestedAuthnContext: true,
  };
}

/**
 * The SAML service provider: settings resolved on first use (IdP metadata may need fetching), a
 * passport strategy whose verify step finishes the checks node-saml leaves to us and records the login.
 */
export function createServiceProvider(config: Config, db: Db, logger?: Logger): ServiceProvider {
  const loader = samlSettingsLoader(config, logger);
  const loadSettings = loader.settings;
  const store = new PgRequestStore(db);
  let built: { settings: SamlSettings; strategy: Strategy; saml: SAML } | undefined;

  const verify = (settings: SamlSettings) => (req: Request, profile: Profile | null, done: VerifiedCallback) => {
    (async () => {
      if (!profile) throw new LoginFailure('idp_no_passive');
      const inResponseTo = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : null;
      const assertion = checkVerifiedAssertion(profile.getAssertionXml?.() ?? '', settings, inResponseTo);
      // node-saml removes the request ID only in some paths; a request is answered once, always.
      if (inResponseTo) await store.removeAsync(inResponseTo);
      const identity = identityFromAssertion(assertion, config);
      const keepUntil = new Date(assertion.notOnOrAfter.getTime() + config.saml.clockSkewSeconds * 1000);
      if (!(await claimAssertionId(db, assertion.id, keepUntil))) throw new LoginFailure('replayed_assertion');
      const personId = await recordLogin(db, identity, assertion.authnContextClassRef, new Date());
      const user: LoggedInUser = {
        personId,
        nameID: profile.nameID,
        nameIDFormat: profile.nameIDFormat,
        sessionIndex: profile.sessionIndex,
        method: assertion.authnContextClassRef,
      };
      return user;
    })().then(
      (user) => done(null, user as unknown as Record<string, unknown>),
      (err: unknown) => done(err as Error), // LoginFailure, or trouble with the database
    );
  };

  const build = async () => {
    const settings = await loadSettings();
    if (built?.settings !== settings) {
      const options = { ...samlOptions(config, settings, store), passReqToCallback: true as const };
      const strategy = new Strategy(
        options,
        verify(settings),
        (_req: Request, _profile: Profile | null, done: VerifiedCallback) => done(null, {}),
      );
      built = { settings, strategy, saml: new SAML(samlOptions(config, settings, store)) };
    }
    return built;
  };

  return {
    settings: loadSettings,
    warnings: loader.warnings,
    loginUrl: async (relayState, browserHash) => {
      // A SAML object of its own (cheap: options only), so that its store records this browser with the request.
      const saml = new SAML(samlOptions(config, await loadSettings(), store.boundTo(browserHash)));
      return saml.getAuthorizeUrlAsync(relayState ?? '', undefined, {});
    },
    requestIssuedTo: (id, browserHash) => store.issuedTo(id, browserHash),
    // A new object per request, inheriting from the one strategy: passport sets each request's success, fail and
    // error callbacks on the object it is given, so on a shared instance concurrent logins answered each other's
    // browsers (one person logged in to another's session, or one response sent twice and the process crashed).
    strategy: async () => Object.create((await build()).strategy) as Strategy,
    saml: async () => (await build()).saml,
  };
}
