import type { Profile } from '@node-saml/node-saml';
import type { Config } from '../config.js';
import { isValidInsz, normaliseInsz } from '../domain/insz.js';
import { LoginFailure } from './failures.js';

/** Who the IdP says logged in, validated. */
export interface Identity {
  insz: string;
  firstName: string;
  lastName: string;
  email: string | null;
}

function firstString(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v.trim() : undefined;
}

function attribute(profile: Profile, name: string): string | undefined {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  return firstString(name in attributes ? attributes[name] : profile[name]);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Reads INSZ, names and e-mail from the verified profile with the configured attribute names. */
export function identityFromProfile(profile: Profile, config: Config): Identity {
  const names = config.saml.attributes;
  const rawInsz = config.saml.inszFromNameId ? firstString(profile.nameID) : attribute(profile, names.insz);
  if (!rawInsz) throw new LoginFailure('missing_attribute');
  const insz = normaliseInsz(rawInsz);
  if (insz === null || !isValidInsz(insz)) throw new LoginFailure('invalid_insz');
  const firstName = attribute(profile, names.givenName)?.slice(0, 200);
  const lastName = attribute(profile, names.surname)?.slice(0, 200);
  if (!firstName || !lastName) throw new LoginFailure('missing_attribute');
  const email = attribute(profile, names.email);
  return { insz, firstName, lastName, email: email && email.length <= 254 && EMAIL.test(email) ? email : null };
}
