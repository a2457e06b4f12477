import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { testInsz, testKbo } from './fixtures.js';

/**
 * Migration 008 moves what administrators entered from the shared person row to the membership that entered
 * it (docs/security-organisations.md, "Migration 008"). Data as the old model left it, then the migration.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await migrations['008_membership_contact'].down(db);
  await db('knex_migrations').where({ name: '008_membership_contact' }).delete();
});

afterAll(async () => {
  await database.drop();
});

describe('migration 008', () => {
  it('gives each organisation only what it entered, and keeps on the person only what a login gave', async () => {
    const db = database.db;
    const [a, b] = await db('organisation')
      .insert([
        { kbo: testKbo(81), name: 'Alfa' },
        { kbo: testKbo(82), name: 'Beta' },
      ])
      .returning('id');
    const created = new Date('2026-01-05T09:00:00Z');
    const later = new Date('2026-02-01T09:00:00Z');
    const login = new Date('2026-03-01T09:00:00Z');
    // Never logged in: typed by A's administrator (same transaction as A's membership), later added by B too.
    const [never] = await db('person')
      .insert({
        insz: testInsz(81),
        first_name: 'Xavier',
        last_name: 'Vals',
        email: 'typed.by@alfa.example',
        created_at: created,
      })
      .returning('id');
    // Logged in: created by A's administrator, then logged in to A; also added by B.
    const [known] = await db('person')
      .insert({
        insz: testInsz(82),
        first_name: 'Yara',
        last_name: 'Yildiz',
        email: 'yara@example.be',
        created_at: created,
        last_login_at: login,
      })
      .returning('id');
    // Logged in, created by the login; B added him and he never acted for B.
    const [self] = await db('person')
      .insert({
        insz: testInsz(83),
        first_name: 'Zeno',
        last_name: 'Zelf',
        email: 'zeno@example.be',
        created_at: created,
        last_login_at: created,
      })
      .returning('id');
    await db('membership').insert([
      { person_id: never.id, organisation_id: a.id, created_at: created },
      { person_id: never.id, organisation_id: b.id, created_at: later },
      { person_id: known.id, organisation_id: a.id, created_at: created },
      { person_id: known.id, organisation_id: b.id, created_at: later },
      { person_id: self.id, organisation_id: b.id, created_at: later },
    ]);
    await db('audit_log').insert({
      actor_person_id: known.id,
      organisation_id: a.id,
      action: 'right.requested',
      at: login,
    });

    await migrateLatest(db);

    const member = (personId: number, organisationId: number) =>
      db('membership')
        .where({ person_id: personId, organisation_id: organisationId })
        .first('first_name', 'last_name', 'email', 'logged_in_at');
    expect(await member(never.id, a.id)).toEqual({
      first_name: 'Xavier',
      last_name: 'Vals',
      email: 'typed.by@alfa.example',
      logged_in_at: null,
    });
    expect(await member(never.id, b.id)).toEqual({
      first_name: null,
      last_name: null,
      email: null,
      logged_in_at: null,
    });
    expect(await member(known.id, a.id)).toEqual({
      first_name: null,
      last_name: null,
      email: 'yara@example.be',
      logged_in_at: login,
    });
    expect(await member(known.id, b.id)).toEqual({
      first_name: null,
      last_name: null,
      email: null,
      logged_in_at: null,
    });
    expect(await member(self.id, b.id)).toEqual({ first_name: null, last_name: null, email: null, logged_in_at: null });

    const people = await db('person').orderBy('id').select('first_name', 'last_name', 'email');
    expect(people).toEqual([
      { first_name: null, last_name: null, email: null },
      { first_name: 'Yara', last_name: 'Yildiz', email: null },
      { first_name: 'Zeno', last_name: 'Zelf', email: null },
    ]);
  });
});
