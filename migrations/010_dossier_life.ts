import type { Knex } from 'knex';

/** The columns of a dossier that may change after filing (the rest is what was filed and stays as it was). */
const LIFE_COLUMNS = [
  'status',
  'version',
  'status_changed_at',
  'approved_hours',
  'approved_amount_cents',
  'stop_date',
  'feed_xid',
];

/**
 * The dossier's life after Bevestigen: decisions of the back office (through the API), withdrawal, a reported
 * stop and answers by the employer. The dossier row keeps its current state (with a version that guards
 * against crossing changes); dossier_event is its history; api_client and api_idempotency serve the API.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE dossier DROP CONSTRAINT dossier_status_check`);
  await knex.raw(`ALTER TABLE dossier ADD CONSTRAINT dossier_status_check CHECK (status IN
    ('ingediend', 'in_behandeling', 'aanvulling_gevraagd', 'goedgekeurd', 'geweigerd', 'stopgezet', 'geannuleerd'))`);
  await knex.schema.alterTable('dossier', (t) => {
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('status_changed_at', { useTz: true }).nullable();
    t.decimal('approved_hours', 7, 2).nullable();
    t.integer('approved_amount_cents').nullable();
    t.date('stop_date').nullable();
  });
  // The back office's feed reads dossiers in the order of the transaction that filed or last changed them, and
  // only transactions older than every one still running: a dossier committed late is never skipped by a cursor.
  await knex.raw('ALTER TABLE dossier ADD COLUMN feed_xid xid8 NOT NULL DEFAULT pg_current_xact_id()');
  await knex.raw('CREATE INDEX dossier_feed_idx ON dossier (feed_xid, id)');
  await knex.raw(`CREATE OR REPLACE FUNCTION dossier_keep_submission() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (to_jsonb(NEW) - ARRAY[${LIFE_COLUMNS.map((c) => `'${c}'`).join(', ')}]) IS DISTINCT FROM
         (to_jsonb(OLD) - ARRAY[${LIFE_COLUMNS.map((c) => `'${c}'`).join(', ')}]) THEN
        RAISE EXCEPTION 'a submitted dossier can not be changed (only its state after filing)';
      END IF;
      RETURN NEW;
    END $$`);

  await knex.schema.createTable('api_client', (t) => {
    t.bigIncrements('id');
    t.text('name').notNullable().unique();
    // sha256 of the token, hex: the token itself is shown once and never stored.
    t.specificType('token_hash', 'char(64)').notNullable().unique();
    t.specificType('scopes', 'text[]').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true }).nullable();
  });

  await knex.schema.createTable('dossier_event', (t) => {
    t.bigIncrements('id');
    t.bigInteger('dossier_id').notNullable().references('dossier.id').index();
    t.bigInteger('organisation_id').notNullable().references('organisation.id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('kind').notNullable();
    t.text('status_before').notNullable();
    t.text('status_after').notNullable();
    // Who: a person of the organisation, an API client of the back office, or an operator's CLI command.
    t.text('actor_kind').notNullable();
    t.bigInteger('actor_person_id').nullable().references('person.id').onDelete('SET NULL');
    t.bigInteger('api_client_id').nullable().references('api_client.id').onDelete('SET NULL');
    t.text('actor_name').notNullable();
    t.jsonb('details').notNullable().defaultTo('{}');
  });
  await knex.raw(
    `ALTER TABLE dossier_event ADD CONSTRAINT dossier_event_actor_check CHECK (actor_kind IN ('werkgever', 'backoffice', 'cli'))`,
  );

  // An answer's attachments live with the filing's, by the dossier's draft, marked with the answer's event.
  await knex.schema.alterTable('attachment', (t) => {
    t.bigInteger('event_id').nullable().references('dossier_event.id');
  });
  await knex.raw('ALTER TABLE attachment DROP CONSTRAINT attachment_kind_check');
  await knex.raw(
    `ALTER TABLE attachment ADD CONSTRAINT attachment_kind_check CHECK (kind IN ('inschrijvingsattest', 'loopbaanattest', 'aanvulling'))`,
  );

  // A decision's answer per client and Idempotency-Key: a retried call gets it again and changes nothing.
  await knex.schema.createTable('api_idempotency', (t) => {
    t.bigInteger('api_client_id').notNullable().references('api_client.id').onDelete('CASCADE');
    t.text('key').notNullable();
    t.specificType('request_hash', 'char(64)').notNullable();
    t.integer('status').notNullable();
    t.jsonb('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['api_client_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_idempotency');
  await knex.raw(`DELETE FROM attachment WHERE kind = 'aanvulling'`);
  await knex.raw('ALTER TABLE attachment DROP CONSTRAINT attachment_kind_check');
  await knex.raw(
    `ALTER TABLE attachment ADD CONSTRAINT attachment_kind_check CHECK (kind IN ('inschrijvingsattest', 'loopbaanattest'))`,
  );
  await knex.schema.alterTable('attachment', (t) => t.dropColumn('event_id'));
  await knex.schema.dropTable('dossier_event');
  await knex.schema.dropTable('api_client');
  await knex.raw(`CREATE OR REPLACE FUNCTION dossier_keep_submission() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (to_jsonb(NEW) - 'status') IS DISTINCT FROM (to_jsonb(OLD) - 'status') THEN
        RAISE EXCEPTION 'a submitted dossier can not be changed (only its status)';
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw('DROP INDEX dossier_feed_idx');
  await knex.schema.alterTable('dossier', (t) => {
    for (const c of [
      'version',
      'status_changed_at',
      'approved_hours',
      'approved_amount_cents',
      'stop_date',
      'feed_xid',
    ])
      t.dropColumn(c);
  });
  await knex.raw(`UPDATE dossier SET status = 'ingediend' WHERE status IN ('in_behandeling', 'aanvulling_gevraagd')`);
  await knex.raw('ALTER TABLE dossier DROP CONSTRAINT dossier_status_check');
  await knex.raw(`ALTER TABLE dossier ADD CONSTRAINT dossier_status_check
    CHECK (status IN ('ingediend', 'goedgekeurd', 'geweigerd', 'stopgezet', 'geannuleerd'))`);
}
