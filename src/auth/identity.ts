import type { Config } from '../config.js';
import { isValidInsz, normaliseInsz } from '../domain/insz.js';
import { LoginFailure } from './failures.js';
import type { VerifiedAssertion } from './saml-checks.js';

/** Who the IdP says logged in, validated. */
export interface Identity {
  insz: string;
  firstName: string;
  lastName: string;
  email: string | null;
}

/**
 * At most one value: a second INSZ, name or e-mail address would leave us to guess who logged in,
 * so the login is refused rather than the first (or last) value taken.
 */
function single(values: string[] | undefined): string | undefined {
  if (values && values.length > 1) throw new LoginFailure('multiple_values');
  return values?.[0] || undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Reads INSZ, names and e-mail from the verified assertion with the configured attribute names. */
export function identityFromAssertion(assertion: VerifiedAssertion, config: Config): Identity {
  const names = config.saml.attributes;
  const values = (name: string) => assertion.attributes.get(name);
  const rawInsz = single(config.saml.inszFromNameId ? assertion.nameIds : values(names.insz));
  const firstName = single(values(names.givenName))?.slice(0, 200);
  const lastName = single(values(names.surname))?.slice(0, 200);
  const email = single(values(names.email));
  if (!rawInsz) throw new LoginFailure('missing_attribute');
  const insz = normaliseInsz(rawInsz);
  if (insz === null || !isValidInsz(insz)) throw new LoginFailure('invalid_insz');
  if (!firstName || !lastName) throw new LoginFailure('missing_attribute');
  return { insz, firstName, lastName, email: email && email.length <= 254 && EMAIL.test(email) ? email : null };
}
