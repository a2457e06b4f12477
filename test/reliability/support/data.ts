/**
 * Test data for the reliability suite: valid Belgian numbers made on demand, organisations, members and
 * rights written straight into the database (the table contracts of issues 3 and 4), and the answers of a
 * refund journey dated from the real clock (the spawned portals run on real time).
 */
import { addDays, formatDateNl, todayInBrussels, type IsoDate } from '../../../src/domain/dates.js';
import { complementCheck97, twoDigits } from '../../../src/domain/mod97.js';
import { defaultRules } from '../../../src/domain/rules-data.js';
import type { Db } from '../../../src/db/knex.js';
import { validInput } from '../../refund/fixtures.js';
import type { Person } from './browser.js';

/** A valid INSZ of someone born in the 1900s: YYMMDD + a 3-digit serial + the mod-97 check. */
export function inszFor(yy: number, mm: number, dd: number, serial: number): string {
  const base = `${twoDigits(yy)}${twoDigits(mm)}${twoDigits(dd)}${String(serial).padStart(3, '0')}`;
  return `${base}${twoDigits(complementCheck97(base))}`;
}

/** A valid enterprise number (starts with 0) or establishment unit number (starts with 2) from a counter. */
export function kboFor(n: number, firstDigit: '0' | '2' = '0'): string {
  const base = `${firstDigit}${String(n).padStart(7, '0')}`;
  return `${base}${twoDigits(complementCheck97(base))}`;
}

export interface SeededOrganisation {
  id: number;
  kbo: string;
  name: string;
  unitId: number;
}

export interface SeededMember extends Person {
  id: number;
  organisationId: number;
}

export const RIGHT = defaultRules.access;

export async function seedOrganisation(db: Db, n: number, name = `Testbedrijf ${n} NV`): Promise<SeededOrganisation> {
  const [org] = await db('organisation')
    .insert({ kbo: kboFor(100 + n), name, street: 'Vismijnstraat 12', postcode: '8400', city: 'Oostende' })
    .returning(['id', 'kbo', 'name']);
  const [unit] = await db('establishment_unit')
    .insert({
      organisation_id: org.id,
      number: kboFor(500 + n, '2'),
      name: `${name} – werf`,
      street: 'Werfstraat 1',
      postcode: '8400',
      city: 'Oostende',
    })
    .returning('id');
  return { id: Number(org.id), kbo: org.kbo, name: org.name, unitId: Number(unit.id) };
}

/**
 * Members of an organisation, made in bulk: person rows, memberships and (optionally) the VOV right.
 * `serialBase` keeps the INSZ numbers of different calls apart.
 */
export async function seedMembers(
  db: Db,
  organisationId: number,
  count: number,
  options: {
    serialBase: number;
    withRight?: boolean;
    localAdmin?: boolean;
    label?: string;
    names?: (i: number) => { firstName: string; lastName: string };
  },
): Promise<SeededMember[]> {
  const people = Array.from({ length: count }, (_, i) => {
    const serial = options.serialBase + i;
    const names = options.names?.(i) ?? { firstName: options.label ?? 'Gebruiker', lastName: `Nummer ${serial}` };
    return {
      insz: inszFor(70 + (serial % 20), 1 + (serial % 12), 1 + (serial % 28), serial % 1000),
      ...names,
      email: `gebruiker${serial}@werkgever.example`,
    };
  });
  const rows = await db('person')
    .insert(people.map((p) => ({ insz: p.insz, first_name: p.firstName, last_name: p.lastName, email: p.email })))
    .returning(['id', 'insz']);
  const idOf = new Map(rows.map((r: { id: number; insz: string }) => [r.insz, Number(r.id)]));
  await db('membership').insert(
    people.map((p) => ({
      person_id: idOf.get(p.insz),
      organisation_id: organisationId,
      is_local_admin: options.localAdmin ?? false,
    })),
  );
  if (options.withRight ?? true) {
    await db('user_right').insert(
      people.map((p) => ({
        person_id: idOf.get(p.insz),
        organisation_id: organisationId,
        role: RIGHT.role,
        context: RIGHT.context,
      })),
    );
  }
  return people.map((p) => ({ ...p, id: idOf.get(p.insz)!, organisationId }));
}

export interface Employee {
  insz: string;
  firstName: string;
  lastName: string;
  email: string;
}

/** The n-th employee of the suite: a distinct valid INSZ (born in the 1950s, apart from the seeded members) and mailbox. */
export function employee(n: number): Employee {
  return {
    insz: inszFor(50 + (n % 10), 1 + (n % 12), 1 + (n % 28), n % 1000),
    firstName: 'Werknemer',
    lastName: `Nummer ${n}`,
    email: `werknemer${n}@personeel.example`,
  };
}

const fmt = (iso: IsoDate) => formatDateNl(iso);

/** The contact address typed in the Werkgever step: the employer's receipt goes there. */
export const CONTACT_EMAIL = 'contact@werkgever.example';

/**
 * The answers of steps 1 to 4 for a 40-hour ODB training that starts next week (today on the real clock): the
 * refund tests' valid input (test/refund/fixtures.ts) for this employee and these dates.
 */
export function journeyAnswers(unitId: number, who: Employee, options: { odbNumber?: string; now?: Date } = {}) {
  const today = todayInBrussels(options.now ?? new Date());
  return {
    werkgever: { ...validInput.werkgever(String(unitId)), contactEmail: CONTACT_EMAIL },
    werknemer: {
      ...validInput.werknemer,
      insz: who.insz,
      firstName: who.firstName,
      lastName: who.lastName,
      email: who.email,
    },
    opleiding: {
      ...validInput.opleiding,
      odbNumber: options.odbNumber ?? validInput.opleiding.odbNumber,
      startDate: fmt(addDays(today, 7)),
      endDate: fmt(addDays(today, 180)),
    },
    initiatief: { ...validInput.initiatief },
  };
}

/** The smallest file the Bijlagen step takes as a PDF (it judges by the first bytes). */
export const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);
