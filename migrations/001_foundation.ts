import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Sessions, as connect-pg-simple expects them.
  await knex.schema.createTable('session', (t) => {
    t.string('sid').primary();
    t.json('sess').notNullable();
    t.timestamp('expire', { precision: 6 }).notNullable().index('session_expire_idx');
  });

  // Fixed-window counters shared by every instance (login and right-request rate limits).
  await knex.schema.createTable('rate_limit', (t) => {
    t.string('key').notNullable();
    t.timestamp('window_start', { useTz: true }).notNullable();
    t.integer('hits').notNullable().defaultTo(0);
    t.primary(['key', 'window_start']);
  });

  // Who did what, for which organisation; never INSZ numbers or form contents in `details`.
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.bigInteger('actor_person_id').nullable().index();
    t.bigInteger('organisation_id').nullable().index();
    t.string('action', 80).notNullable();
    t.jsonb('details').notNullable().defaultTo('{}');
    t.string('request_id', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
  await knex.schema.dropTable('rate_limit');
  await knex.schema.dropTable('session');
}
