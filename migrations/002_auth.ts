import type { Knex } from 'knex';

/**
 * People who logged in with a digital key, and the two SAML stores shared by every instance:
 * the AuthnRequests we issued (InResponseTo check) and the assertions we accepted (replay check).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('person', (t) => {
    t.bigIncrements('id');
    t.specificType('insz', 'char(11)').notNullable().unique();
    t.text('first_name').notNullable();
    t.text('last_name').notNullable();
    t.text('email').nullable();
    t.timestamp('last_login_at', { useTz: true }).nullable();
    t.text('last_login_method').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // Last line of defence: the code validates the mod-97 check digits (src/domain/insz.ts).
  await knex.raw(`ALTER TABLE person ADD CONSTRAINT person_insz_digits CHECK (insz ~ '^[0-9]{11}$')`);

  await knex.schema.createTable('saml_request', (t) => {
    t.text('id').primary(); // the AuthnRequest ID
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
  });

  await knex.schema.createTable('saml_assertion', (t) => {
    t.text('id').primary(); // the Assertion ID
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('saml_assertion');
  await knex.schema.dropTable('saml_request');
  await knex.schema.dropTable('person');
}
