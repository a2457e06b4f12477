import pg from 'pg';
import type { Db } from '../src/db/knex.js';
import { complementCheck97, twoDigits } from '../src/domain/mod97.js';
import { isValidInsz } from '../src/domain/insz.js';
import { isValidEstablishmentUnit, isValidKbo } from '../src/domain/kbo.js';
import { defaultRules } from '../src/domain/rules-data.js';
import type { BenchPerson } from './login.js';

/** Bench databases are named wse_bench_<epoch ms>; anything else is never touched. */
export const BENCH_DB_PREFIX = 'wse_bench_';

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: withDatabase(serverUrl, 'postgres'),
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(serverUrl: string, name: string): Promise<void> {
  if (!name.startsWith(BENCH_DB_PREFIX) || !/^[a-z0-9_]+$/.test(name))
    throw new Error(`not a bench database name: ${name}`);
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  if (!name.startsWith(BENCH_DB_PREFIX) || !/^[a-z0-9_]+$/.test(name))
    throw new Error(`not a bench database name: ${name}`);
  await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Bench databases left by a run that was killed (kill -9, power cut) more than an hour ago. */
export async function dropStaleBenchDatabases(serverUrl: string, log: (line: string) => void): Promise<void> {
  const names = await admin(serverUrl, async (c) =>
    (
      await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'wse\\_bench\\_%'`)
    ).rows.map((r) => r.datname),
  );
  for (const name of names) {
    const started = Number(name.slice(BENCH_DB_PREFIX.length));
    if (Number.isFinite(started) && Date.now() - started > 3_600_000) {
      await dropDatabase(serverUrl, name);
      log(`dropped stale bench database ${name}`);
    }
  }
}

/** A PostgreSQL array literal of digit strings (knex would expand a JS array binding into a list). */
function pgArray(values: (string | number)[]): string {
  const items = values.map(String);
  if (!items.every((v) => /^\d+$/.test(v))) throw new Error('pgArray takes digit strings only');
  return `{${items.join(',')}}`;
}

/** Valid INSZ numbers (born in the 1900s): YYMMDD + serial + 97-check, `count` of them from birth year `yy`. */
export function inszNumbers(count: number, firstYear: number): string[] {
  const out: string[] = [];
  for (let yy = firstYear; yy <= 99 && out.length < count; yy++) {
    for (let mm = 1; mm <= 12 && out.length < count; mm++) {
      for (let dd = 1; dd <= 28 && out.length < count; dd++) {
        for (let serial = 1; serial <= 997 && out.length < count; serial += 2) {
          const base = `${twoDigits(yy)}${twoDigits(mm)}${twoDigits(dd)}${String(serial).padStart(3, '0')}`;
          const insz = `${base}${twoDigits(complementCheck97(base))}`;
          if (isValidInsz(insz)) out.push(insz);
        }
      }
    }
  }
  if (out.length < count) throw new Error(`could not make ${count} INSZ numbers`);
  return out;
}

/** A valid 10-digit KBO-style number (enterprise or establishment unit) starting with `first8`. */
function withKboCheck(first8: string): string {
  return `${first8}${twoDigits(complementCheck97(first8))}`;
}

export interface BenchData {
  /** The organisation of figures (a)–(d): one establishment unit in Flanders. */
  formOrganisation: { id: number; name: string; unitId: number };
  /** The organisation of figure (e): exactly DOSSIER_COUNT dossiers and no drafts. */
  dossierOrganisation: { id: number; name: string };
  people: BenchPerson[];
}

/**
 * Two organisations, `peopleCount` people who are members of both with the VOV right: what the
 * organisations engineer's screens would have produced, written directly.
 */
export async function seedOrganisationsAndPeople(db: Db, peopleCount: number): Promise<BenchData> {
  const kboA = withKboCheck('04031707'); // 0403.170.701
  const kboB = withKboCheck('08765432');
  const unitNumber = withKboCheck('21478127');
  if (!isValidKbo(kboA) || !isValidKbo(kboB) || !isValidEstablishmentUnit(unitNumber))
    throw new Error('bench KBO numbers are not valid');
  const [a] = await db('organisation')
    .insert({ kbo: kboA, name: 'Bench Formulier BV', street: 'Vismijnstraat 12', postcode: '8400', city: 'Oostende' })
    .returning(['id', 'name']);
  const [b] = await db('organisation')
    .insert({ kbo: kboB, name: 'Bench Dossiers NV', street: 'Kouter 1', postcode: '9000', city: 'Gent' })
    .returning(['id', 'name']);
  const [unit] = await db('establishment_unit')
    .insert({
      organisation_id: a.id,
      number: unitNumber,
      name: 'Bench Formulier BV – werf',
      street: 'Werfstraat 1',
      postcode: '8400',
      city: 'Oostende',
    })
    .returning('id');

  const inszs = inszNumbers(peopleCount, 70);
  const people: BenchPerson[] = [];
  for (let i = 0; i < peopleCount; i++) {
    const n = String(i + 1).padStart(2, '0');
    const p = { insz: inszs[i], first_name: 'Bench', last_name: `Gebruiker ${n}`, email: `bench${n}@example.be` };
    const [row] = await db('person').insert(p).returning('id');
    people.push({ id: row.id, insz: p.insz, firstName: p.first_name, lastName: p.last_name, email: p.email });
  }
  const { role, context } = defaultRules.access;
  for (const org of [a, b]) {
    await db('membership').insert(
      people.map((p) => ({ person_id: p.id, organisation_id: org.id, is_local_admin: false })),
    );
    await db('user_right').insert(people.map((p) => ({ person_id: p.id, organisation_id: org.id, role, context })));
  }
  return {
    formOrganisation: { id: a.id, name: a.name, unitId: unit.id },
    dossierOrganisation: { id: b.id, name: b.name },
    people,
  };
}

/**
 * `count` submitted dossiers (each with its submitted draft) in one organisation, spread over three school
 * years, one hour apart starting `hoursAgo` + 1 hours ago, in one INSERT … SELECT generate_series (100 000 in a
 * few seconds); returns the organisation's newest dossiernummer (the first row of the list page).
 */
export async function seedDossiers(
  db: Db,
  organisationId: number,
  personId: number,
  count: number,
  thisSchoolYear: number,
  hoursAgo = 0,
): Promise<{ newest: string }> {
  const [insz] = inszNumbers(1, 50); // the training key differs per dossier, so one employee is enough
  const snapshot = JSON.stringify({ version: 1, note: 'seeded by the benchmark', padding: 'x'.repeat(1200) });
  await db.raw(
    `WITH d AS (
       INSERT INTO refund_draft (organisation_id, created_by, updated_by, steps, created_at, updated_at, submitted_at)
       SELECT ?, ?, ?, '{}'::jsonb, t, t, t FROM (SELECT now() - ((? + i) || ' hours')::interval AS t FROM generate_series(1, ?) i) s
       RETURNING id, submitted_at)
     INSERT INTO dossier (dossiernummer, organisation_id, draft_id, status, employee_insz, employee_first_name, employee_last_name, employee_email,
                          training_type, training_name, odb_number, training_key, training_start_date, school_year_start, initiative,
                          training_hours, vov_hours, forfait_cents, amount_cents, snapshot, submitted_at, submitted_by)
     SELECT 'VOV-' || y.year || '-' || lpad(nextval('dossier_number_seq')::text, 6, '0'), ?, x.id,
            CASE WHEN x.n % 7 = 0 THEN 'goedgekeurd' ELSE 'ingediend' END, ?, 'Werknemer', 'Nummer ' || x.n, 'werknemer' || x.n || '@example.be',
            'odb', 'Opleiding ' || x.n, (10000 + x.n)::text, 'odb:' || (10000 + x.n), make_date(y.year, 10, 1), y.year, 'werkgever',
            40, 40, 1491, 59640, ?::jsonb, x.submitted_at, ?
       FROM (SELECT d.*, ? + row_number() OVER (ORDER BY d.submitted_at DESC) AS n FROM d) x
       CROSS JOIN LATERAL (SELECT ?::int - (x.n % 3)::int AS year) y
      ORDER BY x.n`,
    [
      organisationId,
      personId,
      personId,
      hoursAgo,
      count,
      organisationId,
      insz,
      snapshot,
      personId,
      hoursAgo,
      thisSchoolYear,
    ],
  );
  const newest = await db('dossier')
    .where({ organisation_id: organisationId })
    .orderBy([
      { column: 'submitted_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first('dossiernummer');
  if (!newest) throw new Error('no dossiers seeded');
  return { newest: newest.dossiernummer as string };
}

/**
 * `count` copies of a complete draft (filled in through the form), each for another employee (INSZ), so
 * every copy passes the one-request-per-employee-training-school-year rule on Bevestigen.
 */
export async function cloneDraft(
  db: Db,
  organisationId: number,
  templateDraftId: number,
  inszs: string[],
): Promise<number[]> {
  const { rows } = await db.raw<{ rows: { id: number }[] }>(
    `INSERT INTO refund_draft (organisation_id, created_by, updated_by, steps)
     SELECT t.organisation_id, t.created_by, t.updated_by, jsonb_set(t.steps, '{werknemer,insz}', to_jsonb(x.insz))
       FROM refund_draft t, unnest(?::text[]) WITH ORDINALITY AS x(insz, n)
      WHERE t.id = ? AND t.organisation_id = ?
      ORDER BY x.n
     RETURNING id`,
    [pgArray(inszs), templateDraftId, organisationId],
  );
  if (rows.length !== inszs.length) throw new Error(`cloned ${rows.length} drafts instead of ${inszs.length}`);
  return rows.map((r) => r.id);
}
