import { normaliseBic, normaliseIban } from '../../domain/iban.js';
import { normaliseEstablishmentUnit } from '../../domain/kbo.js';
import { REGION_NAMES, regionOfPostcode } from '../region.js';
import type { EstablishmentUnitRow } from '../../organisations/repository.js';
import type { DraftContext } from '../steps.js';
import { FieldReader, type StepResult } from './fields.js';

/** Step 1 Werkgever: the establishment unit where the employee works, the contact person and the account. */

export const WERKGEVER_FIELDS = [
  'unitChoice',
  'unitNumber',
  'unitName',
  'unitStreet',
  'unitPostcode',
  'unitCity',
  'contactName',
  'contactPhone',
  'contactEmail',
  'iban',
  'bic',
] as const;

/** The radio value for "a unit that is not in the list": its number and address are typed in. */
export const OTHER_UNIT = 'andere';

/** One of the organisation's establishment units, as offered on step 1. */
export type UnitOption = EstablishmentUnitRow;

export interface WerkgeverData {
  unit: {
    id: number | null;
    number: string;
    name: string | null;
    street: string | null;
    postcode: string | null;
    city: string | null;
  };
  contact: { name: string; phone: string; email: string };
  iban: string;
  bic: string | null;
}

/** Digits, spaces and the usual separators, with 9 to 15 digits (Belgian numbers have 9 or 10, international ones more). */
export function normalisePhone(input: string): string | null {
  const v = input.trim();
  if (!/^\+?[\d\s./()-]+$/.test(v)) return null;
  const digits = v.replace(/\D/g, '').length;
  return digits >= 9 && digits <= 15 ? v.replace(/\s+/g, ' ') : null;
}

function notFlemishMessage(postcode: string): string {
  const region = regionOfPostcode(postcode);
  const where = region ? `ligt in ${REGION_NAMES[region]}` : 'is geen Belgische postcode';
  return `Postcode ${postcode} ${where}. De werknemer moet werken in een vestigingseenheid in het Vlaamse Gewest (postcodes 1500 tot 3999 en 8000 tot 9999).`;
}

type Field = (typeof WERKGEVER_FIELDS)[number];

/** The unit chosen from the organisation's list, or typed in; undefined when it has a problem. */
function readUnit(f: FieldReader<Field>, units: readonly UnitOption[]): WerkgeverData['unit'] | undefined {
  const choice = units.length === 0 ? OTHER_UNIT : f.value('unitChoice');
  const listed = units.find((u) => String(u.id) === choice);
  if (listed) {
    if (listed.postcode && regionOfPostcode(listed.postcode) !== 'vlaanderen')
      return f.issue('unitChoice', `Deze vestigingseenheid: ${notFlemishMessage(listed.postcode)} Kies een andere.`);
    const { id, number, name, street, postcode, city } = listed;
    return { id, number, name, street, postcode, city };
  }
  if (choice !== OTHER_UNIT) return f.issue('unitChoice', 'Kies de vestigingseenheid waar de werknemer werkt.');
  const number = f.identifier('unitNumber', normaliseEstablishmentUnit, {
    required: 'Vul het nummer van de vestigingseenheid in.',
    invalid:
      'Dit vestigingseenheidsnummer klopt niet. Het heeft 10 cijfers en begint met 2, bijvoorbeeld 2.147.812.701. Controleer de cijfers.',
  });
  const name = f.optionalText('unitName');
  const street = f.text('unitStreet', 'Vul de straat en het huisnummer van de vestigingseenheid in.');
  let postcode = f.text('unitPostcode', 'Vul de postcode van de vestigingseenheid in.');
  if (postcode !== undefined && regionOfPostcode(postcode) !== 'vlaanderen')
    postcode = f.issue('unitPostcode', notFlemishMessage(postcode));
  const city = f.text('unitCity', 'Vul de gemeente van de vestigingseenheid in.');
  if (
    number === undefined ||
    name === undefined ||
    street === undefined ||
    postcode === undefined ||
    city === undefined
  )
    return undefined;
  return { id: null, number, name, street, postcode, city };
}

export function judgeWerkgever(
  input: Record<Field, string>,
  ctx: Pick<DraftContext, 'units'>,
): StepResult<WerkgeverData> {
  const f = new FieldReader(input);
  const unit = readUnit(f, ctx.units);
  const contactName = f.text('contactName', 'Vul de naam van de contactpersoon in.');
  const contactPhone = f.identifier('contactPhone', normalisePhone, {
    required: 'Vul het telefoonnummer van de contactpersoon in.',
    invalid: 'Vul een telefoonnummer in met alleen cijfers, spaties of +, bijvoorbeeld 09 123 45 67.',
  });
  const contactEmail = f.email('contactEmail', 'het e-mailadres van de contactpersoon');
  const typedIban = f.value('iban').replace(/\s/g, '').toUpperCase();
  const iban = f.identifier('iban', normaliseIban, {
    required: 'Vul het rekeningnummer (IBAN) in waarop de terugbetaling moet komen.',
    invalid:
      /^[A-Z]{2}/.test(typedIban) && !typedIban.startsWith('BE')
        ? 'De terugbetaling kan alleen op een Belgische rekening. Vul een rekeningnummer in dat begint met BE.'
        : 'Dit rekeningnummer klopt niet. Vul BE en 14 cijfers in, bijvoorbeeld BE68 5390 0754 7034, en controleer de cijfers.',
  });
  const bic = f.optionalIdentifier(
    'bic',
    normaliseBic,
    'Deze BIC klopt niet. Vul 8 of 11 letters en cijfers in, bijvoorbeeld GEBABEBB, of laat het veld leeg.',
  );
  const checked = f.result({ unit, contactName, contactPhone, contactEmail, iban, bic });
  if (!checked.ok) return checked;
  const { contactName: name, contactPhone: phone, contactEmail: email, ...rest } = checked.data;
  return { ok: true, data: { ...rest, contact: { name, phone, email } } };
}
