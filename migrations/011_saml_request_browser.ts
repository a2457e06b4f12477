import type { Knex } from 'knex';

/**
 * The browser each AuthnRequest was issued to (a SHA-256 hash of its login cookie, src/auth/browser-binding.ts):
 * the ACS accepts a response only in that browser. Requests without one (issued before this migration, and
 * LogoutRequests) can answer no login.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('saml_request', (t) => {
    t.text('browser_hash').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('saml_request', (t) => {
    t.dropColumn('browser_hash');
  });
}
