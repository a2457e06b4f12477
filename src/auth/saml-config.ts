import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';
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
    const fromMetadata = await loadIdpMetadata(s.idpMetadata);
    return { ...fromMetadata, sloUrl: s.idpSloUrl ?? fromMetadata.sloUrl };
  }
  if (s.idpSsoUrl && s.idpCert) return { ssoUrl: s.idpSsoUrl, sloUrl: s.idpSloUrl, certs: [certificateBody(pemFromSetting(s.idpCert))] };
  if (devIdpEnabled(config)) {
    const urls = devIdpUrls(config);
    return { entityId: urls.entityId, ssoUrl: urls.sso, sloUrl: urls.slo, certs: [certificateBody(developmentKeyPair(config, 'dev-idp').cert)] };
  }
  throw new Error('No SAML identity provider configured (SAML_IDP_METADATA or SAML_IDP_SSO_URL + SAML_IDP_CERT)');
}

const METADATA_REFRESH_MS = 24 * 3_600_000;

/**
 * Resolves the SAML settings once (metadata may have to be fetched) and re-reads IdP metadata daily,
 * so a certificate rollover at the IdP needs no restart. A failed refresh keeps the last good copy.
 */
export function samlSettingsLoader(config: Config): () => Promise<SamlSettings> {
  let current: { settings: SamlSettings; loadedAt: number } | undefined;
  let loading: Promise<SamlSettings> | undefined;
  const load = async (): Promise<SamlSettings> => {
    const keys = serviceProviderKeys(config);
    const settings: SamlSettings = {
      sp: { entityId: config.saml.spEntityId, acsUrl: config.saml.acsUrl, sloUrl: `${config.publicUrl}${paths.samlSlo}`, key: keys.key, cert: keys.cert },
      idp: await idpSettings(config),
    };
    current = { settings, loadedAt: Date.now() };
    return settings;
  };
  return async () => {
    if (current && (!config.saml.idpMetadata || Date.now() - current.loadedAt < METADATA_REFRESH_MS)) return current.settings;
    loading ??= load().finally(() => {
      loading = undefined;
    });
    if (!current) return loading;
    return loading.catch(() => current!.settings);
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
