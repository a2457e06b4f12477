import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';
import type { Logger } from '../http/logger.js';
import { paths } from '../paths.js';
import { loadIdpMetadata, parseIdpMetadata, type IdpSettings } from './idp-metadata.js';
import { certificateBody, developmentKeyPair, pemFromSetting, serviceProviderKeys } from './keys.js';

export interface SamlSettings {
  sp: { entityId: string; acsUrl: string; sloUrl: string; key: string; cert: string };
  idp: IdpSettings;
}

/** The development IdP's own addresses; the SP is configured with them exactly as with an external IdP. */
export function devIdpUrls(config: Config) {
  const base = `${config.publicUrl}${paths.devIdp}`;
  return { entityId: `${base}/metadata`, metadata: `${base}/metadata`, sso: `${base}/sso`, slo: `${base}/slo` };
}

export function devIdpEnabled(config: Config): boolean {
  return config.saml.useDevIdp && !config.isProduction;
}

async function idpSettings(config: Config): Promise<IdpSettings> {
  const s = config.saml;
  if (s.idpMetadata) {
    const fromMetadata = await loadIdpMetadata(s.idpMetadata, s.idpMetadataCert && pemFromSetting(s.idpMetadataCert));
    return { ...fromMetadata, sloUrl: s.idpSloUrl ?? fromMetadata.sloUrl };
  }
  if (s.idpSsoUrl && s.idpCert && s.idpEntityId) {
    const certs = [certificateBody(pemFromSetting(s.idpCert))];
    return { entityId: s.idpEntityId, ssoUrl: s.idpSsoUrl, sloUrl: s.idpSloUrl, certs };
  }
  if (devIdpEnabled(config)) {
    const urls = devIdpUrls(config);
    return {
      entityId: urls.entityId,
      ssoUrl: urls.sso,
      sloUrl: urls.slo,
      certs: [certificateBody(developmentKeyPair(config, 'dev-idp').cert)],
    };
  }
  throw new Error('No SAML IdP configured (SAML_IDP_METADATA, or SAML_IDP_SSO_URL + _CERT + _ENTITY_ID)');
}

const METADATA_REFRESH_MS = 24 * 3_600_000;
/** After a failed refresh: try again this much later (not on every login while the IdP is down). */
const METADATA_RETRY_MS = 5 * 60_000;

export interface SamlSettingsLoader {
  settings(): Promise<SamlSettings>;
  /** What an operator should know (for /readyz); starts a due metadata refresh in the background. */
  warnings(): string[];
}

/**
 * Resolves the SAML settings once (metadata may have to be fetched) and re-reads IdP metadata daily,
 * so a certificate rollover at the IdP needs no restart. A failed refresh keeps the last good copy,
 * logs a warning naming the source and is reported by `warnings()` until a refresh succeeds.
 */
export function samlSettingsLoader(config: Config, logger?: Logger): SamlSettingsLoader {
  const source = config.saml.idpMetadata;
  let current: { settings: SamlSettings; loadedAt: Date } | undefined;
  let nextLoadAt = 0;
  let problem: string | undefined;
  let loading: Promise<SamlSettings> | undefined;
  const load = async (): Promise<SamlSettings> => {
    try {
      const keys = serviceProviderKeys(config);
      const sloUrl = `${config.publicUrl}${paths.samlSlo}`;
      const settings: SamlSettings = {
        sp: { entityId: config.saml.spEntityId, acsUrl: config.saml.acsUrl, sloUrl, key: keys.key, cert: keys.cert },
        idp: await idpSettings(config),
      };
      current = { settings, loadedAt: new Date() };
      nextLoadAt = Date.now() + METADATA_REFRESH_MS;
      problem = undefined;
      return settings;
    } catch (err) {
      nextLoadAt = Date.now() + METADATA_RETRY_MS;
      const kept = current ? `; still using the copy read at ${current.loadedAt.toISOString()}` : '';
      problem = `IdP metadata ${source ?? ''} could not be read: ${(err as Error).message}${kept}`;
      logger?.warn({ metadata: source, err: { message: (err as Error).message } }, problem);
      throw err;
    }
  };
  const settings = async (): Promise<SamlSettings> => {
    if (current && (!source || Date.now() < nextLoadAt)) return current.settings;
    loading ??= load().finally(() => {
      loading = undefined;
    });
    if (!current) return loading;
    return loading.catch(() => current!.settings);
  };
  return {
    settings,
    warnings: () => {
      if (source && Date.now() >= nextLoadAt) settings().catch(() => undefined);
      return problem ? [problem] : [];
    },
  };
}

/**
 * The IdP origin for the CSP `form-action` (logout posts to us and is redirected to the IdP).
 * Known synchronously from the settings; for a metadata URL, the IdP is assumed to serve its
 * metadata from its own origin.
 */
export function idpOriginForCsp(config: Config): string | undefined {
  const s = config.saml;
  const candidates = [s.idpSloUrl, s.idpSsoUrl];
  if (s.idpMetadata && /^https?:\/\//i.test(s.idpMetadata)) candidates.push(s.idpMetadata);
  else if (s.idpMetadata) {
    try {
      const m = parseIdpMetadata(readFileSync(s.idpMetadata, 'utf8'));
      candidates.unshift(m.sloUrl, m.ssoUrl);
    } catch {
      // reported when the login is first used
    }
  }
  const url = candidates.find((u) => u);
  return url ? new URL(url).origin : undefined;
}
