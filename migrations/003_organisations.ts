import type { Knex } from 'knex';

/**
 * Organisations, memberships, user rights, right requests and the mail outbox.
 * Identifiers are validated in code (src/domain); the CHECK constraints are a last line of defence.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('organisation', (t) => {
    t.bigIncrements('id');
    t.specificType('kbo', 'char(10)').notNullable().unique();
    t.text('name').notNullable();
    t.text('street').nullable();
    t.string('postcode', 10).nullable();
    t.text('city').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // Enterprise number: 10 digits, first 0 or 1, last two = 97 - (first eight mod 97).
  await knex.raw(`ALTER TABLE organisation ADD CONSTRAINT organisation_kbo_check
    CHECK (kbo ~ '^[01][0-9]{9}$' AND 97 - (substr(kbo, 1, 8)::bigint % 97) = substr(kbo, 9, 2)::int)`);

  await knex.schema.createTable('establishment_unit', (t) => {
    t.bigIncrements('id');
    t.bigInteger('organisation_id').notNullable().references('organisation.id').onDelete('CASCADE').index();
    t.specificType('number', 'char(10)').notNullable().unique();
    t.text('name').notNullable();
    t.text('street').nullable();
    t.string('postcode', 10).nullable();
    t.text('city').nullable();
  });
  await knex.raw(`ALTER TABLE establishment_unit ADD CONSTRAINT establishment_unit_number_check
    CHECK (number ~ '^[2-8][0-9]{9}$' AND 97 - (substr(number, 1, 8)::bigint % 97) = substr(number, 9, 2)::int)`);

  await knex.schema.createTable('membership', (t) => {
    t.bigInteger('person_id').notNullable().references('person.id').onDelete('CASCADE');
    t.bigInteger('organisation_id').notNullable().references('organisation.id').onDelete('CASCADE').index();
    t.boolean('is_local_admin').notNullable().defaultTo(false);
    t.bigInteger('added_by').nullable().references('person.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['person_id', 'organisation_id']);
  });

  await knex.schema.createTable('user_right', (t) => {
    t.bigIncrements('id');
    t.bigInteger('person_id').notNullable().references('person.id').onDelete('CASCADE');
    t.bigInteger('organisation_id').notNullable().references('organisation.id').onDelete('CASCADE').index();
    t.text('role').notNullable();
    t.text('context').notNullable();
    t.bigInteger('granted_by').nullable().references('person.id').onDelete('SET NULL');
    t.timestamp('granted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.date('valid_until').nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.bigInteger('revoked_by').nullable().references('person.id').onDelete('SET NULL');
    t.index(['person_id', 'organisation_id']);
  });
  // At most one unrevoked right per person, organisation, role and context: two admins granting at once can't duplicate it.
  await knex.raw(
    `CREATE UNIQUE INDEX user_right_one_active_idx ON user_right (person_id, organisation_id, role, context) WHERE revoked_at IS NULL`,
  );

  await knex.schema.createTable('right_request', (t) => {
    t.bigIncrements('id');
    t.bigInteger('person_id').notNullable().references('person.id').onDelete('CASCADE');
    t.bigInteger('organisation_id').notNullable().references('organisation.id').onDelete('CASCADE').index();
    t.text('role').notNullable();
    t.text('context').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.bigInteger('decided_by').nullable().references('person.id').onDelete('SET NULL');
    t.timestamp('decided_at', { useTz: true }).nullable();
    t.text('refusal_reason').nullable();
    t.index(['person_id', 'organisation_id']);
  });
  await knex.raw(
    `ALTER TABLE right_request ADD CONSTRAINT right_request_status_check CHECK (status IN ('pending', 'granted', 'refused', 'withdrawn'))`,
  );
  // One open request at a time: a double click or a second tab can't file two.
  await knex.raw(
    `CREATE UNIQUE INDEX right_request_one_pending_idx ON right_request (person_id, organisation_id, role, context) WHERE status = 'pending'`,
  );

  await knex.schema.createTable('mail_outbox', (t) => {
    t.bigIncrements('id');
    t.text('to_address').notNullable();
    t.text('subject').notNullable();
    t.text('text_body').notNullable();
    t.text('html_body').notNullable();
    t.string('kind', 60).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true }).nullable();
    t.text('last_error').nullable();
    t.timestamp('locked_until', { useTz: true }).nullable();
  });
  // The worker's poll only looks at unsent rows.
  await knex.raw(`CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE sent_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mail_outbox');
  await knex.schema.dropTable('right_request');
  await knex.schema.dropTable('user_right');
  await knex.schema.dropTable('membership');
  await knex.schema.dropTable('establishment_unit');
  await knex.schema.dropTable('organisation');
}
