import type { Knex } from 'knex';

/**
 * A queued mail may carry its template and data instead of rendered bodies: the worker renders it when it
 * sends it (and stores the bodies it sent). A receipt mail is then a small row written with the dossier, not
 * two rendered documents in the Bevestigen statement.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mail_outbox', (t) => {
    t.text('text_body').nullable().alter();
    t.text('html_body').nullable().alter();
    t.text('template').nullable();
    t.jsonb('data').nullable();
  });
  await knex.raw(`ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_bodies_or_template
    CHECK ((text_body IS NOT NULL AND html_body IS NOT NULL) OR (template IS NOT NULL AND data IS NOT NULL))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_bodies_or_template');
  // Rows still waiting for their bodies cannot be kept under the old contract.
  await knex('mail_outbox').whereNull('text_body').delete();
  await knex.schema.alterTable('mail_outbox', (t) => {
    t.dropColumn('template');
    t.dropColumn('data');
    t.text('text_body').notNullable().alter();
    t.text('html_body').notNullable().alter();
  });
}
