import type { Knex } from 'knex';

/**
 * Privacy (src/privacy/): who opened which person's data (access records), the purge's once-a-day claim,
 * the draft warning it mailed, and sent mails whose bodies it erased.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('access_record', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.bigInteger('person_id').notNullable();
    t.bigInteger('organisation_id').notNullable();
    // 'dossier', 'dossier-pdf', 'attachment' or 'person': what was opened, by reference, never an INSZ.
    t.text('what').notNullable();
    t.text('dossiernummer').nullable();
    t.bigInteger('draft_id').nullable();
    t.bigInteger('attachment_id').nullable();
    t.bigInteger('subject_person_id').nullable();
    t.string('request_id', 64).nullable();
  });
  await knex.raw(`ALTER TABLE access_record ADD CONSTRAINT access_record_what_check
    CHECK (what IN ('dossier', 'dossier-pdf', 'attachment', 'person'))`);
  // The logbook lists an organisation's records newest first; the purge deletes by age.
  await knex.raw('CREATE INDEX access_record_org_idx ON access_record (organisation_id, at DESC, id DESC)');
  await knex.raw('CREATE INDEX access_record_at_idx ON access_record (at)');

  // One row per day the scheduled purge ran: the instance that inserts it does that day's work.
  await knex.schema.createTable('retention_run', (t) => {
    t.date('run_date').primary();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.jsonb('counts').nullable();
  });

  await knex.schema.alterTable('refund_draft', (t) => {
    // When the owner was mailed that this untouched draft will be deleted (a later change makes it stale).
    t.timestamp('retention_warned_at', { useTz: true }).nullable();
  });
  await knex.raw('CREATE INDEX refund_draft_untouched_idx ON refund_draft (updated_at) WHERE submitted_at IS NULL');

  await knex.schema.alterTable('mail_outbox', (t) => {
    // Set when the purge replaced a sent mail's bodies (and template data) by a short notice; the row stays.
    t.timestamp('bodies_erased_at', { useTz: true }).nullable();
  });
  await knex.raw('CREATE INDEX mail_outbox_sent_idx ON mail_outbox (sent_at) WHERE sent_at IS NOT NULL');
  await knex.raw('CREATE INDEX audit_log_at_idx ON audit_log (at)');
  await knex.raw(`CREATE INDEX bulk_upload_preview_idx ON bulk_upload (created_at) WHERE status = 'voorbeeld'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX bulk_upload_preview_idx');
  await knex.raw('DROP INDEX audit_log_at_idx');
  await knex.raw('DROP INDEX mail_outbox_sent_idx');
  await knex.schema.alterTable('mail_outbox', (t) => t.dropColumn('bodies_erased_at'));
  await knex.raw('DROP INDEX refund_draft_untouched_idx');
  await knex.schema.alterTable('refund_draft', (t) => t.dropColumn('retention_warned_at'));
  await knex.schema.dropTable('retention_run');
  await knex.schema.dropTable('access_record');
}
