import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { ConfigError, type Config } from '../config.js';
import { loadIdpMetadata } from './idp-metadata.js';
import { pemFromSetting } from './keys.js';

type Setting = 'SAML_SP_KEY' | 'SAML_SP_CERT' | 'SAML_IDP_CERT' | 'SAML_IDP_METADATA_CERT';

/** Reads a PEM setting (text or file); a problem becomes one line naming the setting. */
function readPem(setting: Setting, value: string, problems: string[]): string | undefined {
  try {
    return pemFromSetting(value);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    problems.push(`${setting}: cannot read the file ${value} (${reason})`);
    return undefined;
  }
}

function certificate(setting: Setting, value: string | undefined, problems: string[]): X509Certificate | undefined {
  const text = value === undefined ? undefined : readPem(setting, value, problems);
  if (text === undefined) return undefined;
  try {
    return new X509Certificate(text);
  } catch {
    problems.push(`${setting}: not a PEM certificate`);
    return undefined;
  }
}

/**
 * Reads and checks all SAML material the settings name, so that a broken file stops the portal at start
 * instead of failing every login: the PEMs parse, the SP key belongs to the SP certificate, the IdP
 * metadata can be fetched (or read) and parsed (and its signature holds, with SAML_IDP_METADATA_CERT).
 * Throws ConfigError with one line per problem, each naming the setting. The development key pairs and
 * the development IdP are made by the portal itself and need no check.
 */
export async function checkSamlMaterial(config: Config): Promise<void> {
  const s = config.saml;
  const problems: string[] = [];
  let spKey: KeyObject | undefined;
  const keyText = s.spKey === undefined ? undefined : readPem('SAML_SP_KEY', s.spKey, problems);
  if (keyText !== undefined) {
    try {
      spKey = createPrivateKey(keyText);
    } catch {
      problems.push('SAML_SP_KEY: not a PEM private key (or one protected by a passphrase)');
    }
  }
  const spCert = certificate('SAML_SP_CERT', s.spCert, problems);
  if (spKey && spCert && !spCert.checkPrivateKey(spKey)) {
    problems.push('SAML_SP_KEY: does not belong to the certificate in SAML_SP_CERT');
  }
  certificate('SAML_IDP_CERT', s.idpCert, problems);
  const metadataCert = certificate('SAML_IDP_METADATA_CERT', s.idpMetadataCert, problems);
  if (s.idpMetadata && (metadataCert || !s.idpMetadataCert)) {
    try {
      await loadIdpMetadata(s.idpMetadata, metadataCert?.toString());
    } catch (err) {
      problems.push(`SAML_IDP_METADATA: ${(err as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
}
