import type { Knex } from 'knex';

/**
 * Bulk submission by CSV upload: an upload and its preview live in the database (not the session), so that
 * any instance can show it and confirm it; the upload row is the idempotency key of its confirmation.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bulk_upload', (t) => {
    t.bigIncrements('id');
    t.bigInteger('organisation_id').notNullable().references('organisation.id').onDelete('CASCADE');
    t.bigInteger('created_by').nullable().references('person.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('filename').notNullable();
    t.text('encoding').notNullable();
    // Notices shown above the preview (e.g. the file was read as Windows-1252).
    t.jsonb('notices').notNullable().defaultTo('[]');
    t.integer('row_count').notNullable();
    t.integer('valid_count').notNullable();
    // 'voorbeeld': previewed, nothing submitted; 'ingediend': confirmed, every valid row is a dossier.
    t.text('status').notNullable().defaultTo('voorbeeld');
    // Set when a confirmation found that something changed since the preview (it was re-validated).
    t.timestamp('revalidated_at', { useTz: true }).nullable();
    t.timestamp('submitted_at', { useTz: true }).nullable();
    t.bigInteger('submitted_by').nullable().references('person.id').onDelete('SET NULL');
    t.index(['organisation_id', 'created_at']);
  });
  await knex.raw(
    `ALTER TABLE bulk_upload ADD CONSTRAINT bulk_upload_status_check CHECK (status IN ('voorbeeld', 'ingediend'))`,
  );
  await knex.raw(
    `ALTER TABLE bulk_upload ADD CONSTRAINT bulk_upload_counts_check CHECK (row_count BETWEEN 1 AND 5000 AND valid_count BETWEEN 0 AND row_count)`,
  );

  await knex.schema.createTable('bulk_upload_row', (t) => {
    t.bigInteger('upload_id').notNullable().references('bulk_upload.id').onDelete('CASCADE');
    t.integer('line').notNullable();
    t.boolean('valid').notNullable();
    // The cells as uploaded, by column key: re-validated on confirmation, exported with the errors.
    t.jsonb('cells').notNullable();
    // A problem with the line as a whole (more values than columns), kept apart from the cells.
    t.text('row_problem').nullable();
    t.jsonb('errors').notNullable().defaultTo('[]');
    t.jsonb('summary').notNullable();
    t.bigInteger('dossier_id').nullable().references('dossier.id');
    t.primary(['upload_id', 'line']);
    t.index(['upload_id', 'valid', 'line']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('bulk_upload_row');
  await knex.schema.dropTable('bulk_upload');
}
