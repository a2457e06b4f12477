import type { Knex } from 'knex';

/**
 * The refund request: drafts (raw input per step, owned by the organisation), their attachments (bytea),
 * and the submitted dossiers (immutable snapshot + the columns lists and rules query).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('refund_draft', (t) => {
    t.bigIncrements('id');
    t.bigInteger('organisation_id').notNullable().references('organisation.id').onDelete('CASCADE').index();
    t.bigInteger('created_by').nullable().references('person.id').onDelete('SET NULL');
    t.bigInteger('updated_by').nullable().references('person.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // { [stepId]: { field: value } } exactly as posted (valid or not), so a step can be shown back as typed.
    t.jsonb('steps').notNullable().defaultTo('{}');
    t.timestamp('submitted_at', { useTz: true }).nullable();
  });

  await knex.schema.createTable('attachment', (t) => {
    t.bigIncrements('id');
    t.bigInteger('draft_id').notNullable().references('refund_draft.id').onDelete('CASCADE').index();
    t.bigInteger('organisation_id').notNullable().references('organisation.id').onDelete('CASCADE').index();
    t.text('kind').notNullable();
    t.text('filename').notNullable();
    t.text('content_type').notNullable();
    t.integer('size_bytes').notNullable();
    t.specificType('sha256', 'char(64)').notNullable();
    t.binary('content').notNullable();
    t.bigInteger('uploaded_by').nullable().references('person.id').onDelete('SET NULL');
    t.timestamp('uploaded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `ALTER TABLE attachment ADD CONSTRAINT attachment_kind_check CHECK (kind IN ('inschrijvingsattest', 'loopbaanattest'))`,
  );
  await knex.raw(
    `ALTER TABLE attachment ADD CONSTRAINT attachment_type_check CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg'))`,
  );
  await knex.raw(
    `ALTER TABLE attachment ADD CONSTRAINT attachment_size_check CHECK (size_bytes > 0 AND size_bytes <= 10485760)`,
  );

  // Dossier numbers are handed out by the database: unique across instances and never reused.
  await knex.raw('CREATE SEQUENCE dossier_number_seq START 1');

  await knex.schema.createTable('dossier', (t) => {
    t.bigIncrements('id');
    t.text('dossiernummer').notNullable().unique();
    t.bigInteger('organisation_id').notNullable().references('organisation.id').index();
    t.bigInteger('draft_id').notNullable().unique().references('refund_draft.id');
    t.text('status').notNullable().defaultTo('ingediend');
    t.specificType('employee_insz', 'char(11)').notNullable();
    t.text('employee_first_name').notNullable();
    t.text('employee_last_name').notNullable();
    t.text('employee_email').nullable();
    t.text('training_type').notNullable();
    t.text('training_name').notNullable();
    t.text('odb_number').nullable();
    // What makes "the same training" (see src/refund/training-key.ts); part of the no-duplicate constraint.
    t.text('training_key').notNullable();
    t.date('training_start_date').notNullable();
    t.smallint('school_year_start').notNullable();
    t.text('initiative').notNullable();
    t.decimal('training_hours', 7, 2).notNullable();
    t.decimal('vov_hours', 7, 2).notNullable();
    t.integer('forfait_cents').notNullable();
    t.integer('amount_cents').notNullable();
    t.jsonb('snapshot').notNullable();
    t.timestamp('submitted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.bigInteger('submitted_by').notNullable().references('person.id');
    t.index(['organisation_id', 'school_year_start']);
    t.index(['organisation_id', 'employee_insz', 'school_year_start']);
  });
  await knex.raw(`ALTER TABLE dossier ADD CONSTRAINT dossier_status_check
    CHECK (status IN ('ingediend', 'goedgekeurd', 'geweigerd', 'stopgezet', 'geannuleerd'))`);
  await knex.raw(
    `ALTER TABLE dossier ADD CONSTRAINT dossier_initiative_check CHECK (initiative IN ('werknemer', 'werkgever'))`,
  );
  await knex.raw(
    `ALTER TABLE dossier ADD CONSTRAINT dossier_nummer_check CHECK (dossiernummer ~ '^VOV-[0-9]{4}-[0-9]{6,}$')`,
  );
  // One request per employee × training × school year per organisation, even under concurrent submissions.
  // A refused or cancelled dossier no longer blocks a new request (keep in step with BLOCKING_STATUSES).
  await knex.raw(`CREATE UNIQUE INDEX dossier_one_per_training_idx ON dossier (organisation_id, employee_insz, training_key, school_year_start)
    WHERE status NOT IN ('geweigerd', 'geannuleerd')`);
  // What was submitted never changes; only the status (and nothing else) may move on afterwards.
  await knex.raw(`CREATE FUNCTION dossier_keep_submission() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (to_jsonb(NEW) - 'status') IS DISTINCT FROM (to_jsonb(OLD) - 'status') THEN
        RAISE EXCEPTION 'a submitted dossier can not be changed (only its status)';
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw(
    `CREATE TRIGGER dossier_keep_submission BEFORE UPDATE ON dossier FOR EACH ROW EXECUTE FUNCTION dossier_keep_submission()`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('dossier');
  await knex.raw('DROP FUNCTION IF EXISTS dossier_keep_submission()');
  await knex.raw('DROP SEQUENCE IF EXISTS dossier_number_seq');
  await knex.schema.dropTable('attachment');
  await knex.schema.dropTable('refund_draft');
}
