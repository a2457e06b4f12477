import type { Knex } from 'knex';

/**
 * One rate-limit window per key, opened by the key's first hit (src/http/rate-limit.ts) instead of fixed
 * windows on the wall clock: hits a second apart never fall into two windows. The rows are minutes old at most;
 * dropping them resets nobody's limit for longer than a window.
 */
export async function up(knex: Knex): Promise<void> {
  await knex('rate_limit').delete();
  await knex.schema.alterTable('rate_limit', (t) => {
    t.dropPrimary();
    t.primary(['key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rate_limit', (t) => {
    t.dropPrimary();
    t.primary(['key', 'window_start']);
  });
}
