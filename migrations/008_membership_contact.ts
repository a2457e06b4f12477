import type { Knex } from 'knex';

/**
 * What an organisation enters about a person belongs to the membership (organisation × person), not to the
 * person: before this, the names and e-mail address one organisation's administrator typed for an INSZ were
 * stored on the shared person row, shown to every other organisation and used for their mails.
 *
 * - membership.first_name / last_name / email: what this organisation's administrator (or an operator) entered.
 * - membership.logged_in_at: when the person first chose this organisation after their own login; from then on
 *   this organisation may also see what the person's digital key gave (person.first_name / last_name / email).
 * - person.first_name / last_name / email: only what the digital key gave; empty for someone who never logged in.
 *
 * Moving the data (see docs/security-organisations.md, "Migration 008"):
 * - logged_in_at: the first audit entry the person made while acting for the organisation.
 * - A person who never logged in: every value on the row was entered by an administrator or operator, in the
 *   same transaction as the membership that created the row (so with the same created_at). It moves to that
 *   membership (failing an exact match, the oldest one) and is cleared from the person.
 * - A person who logged in: the names are the key's (every login overwrote them). The address is ambiguous (a
 *   login without an address kept an administrator's), so it is cleared from the person; it becomes the address
 *   of the membership that created the row only if the person logged in to that organisation. The next login
 *   stores the key's address again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('membership', (t) => {
    t.text('first_name').nullable();
    t.text('last_name').nullable();
    t.text('email').nullable();
    t.timestamp('logged_in_at', { useTz: true }).nullable();
  });
  await knex.schema.alterTable('person', (t) => {
    t.text('first_name').nullable().alter();
    t.text('last_name').nullable().alter();
  });

  await knex.raw(`
    UPDATE membership m SET logged_in_at = a.first_at
      FROM (SELECT actor_person_id, organisation_id, min(at) AS first_at FROM audit_log
             WHERE actor_person_id IS NOT NULL AND organisation_id IS NOT NULL
             GROUP BY actor_person_id, organisation_id) a
     WHERE a.actor_person_id = m.person_id AND a.organisation_id = m.organisation_id`);

  await knex.raw(`
    UPDATE membership m SET logged_in_at = COALESCE(m.logged_in_at, now())
      FROM session s
     WHERE s.sess->>'personId' ~ '^[0-9]{1,18}$' AND s.sess->>'organisationId' ~ '^[0-9]{1,18}$'
       AND (s.sess->>'personId')::bigint = m.person_id AND (s.sess->>'organisationId')::bigint = m.organisation_id`);

  // The membership that created each person row: the same transaction time, else the oldest.
  const creating = `SELECT DISTINCT ON (p.id) p.id AS person_id, m.organisation_id
      FROM person p JOIN membership m ON m.person_id = p.id
     ORDER BY p.id, (m.created_at = p.created_at) DESC, m.created_at, m.organisation_id`;
  await knex.raw(`
    UPDATE membership m SET first_name = p.first_name, last_name = p.last_name, email = p.email
      FROM person p JOIN (${creating}) c ON c.person_id = p.id
     WHERE m.person_id = p.id AND m.organisation_id = c.organisation_id AND p.last_login_at IS NULL`);
  await knex.raw(`
    UPDATE membership m SET email = p.email
      FROM person p JOIN (${creating}) c ON c.person_id = p.id
     WHERE m.person_id = p.id AND m.organisation_id = c.organisation_id AND p.last_login_at IS NOT NULL
       AND m.logged_in_at IS NOT NULL`);

  await knex.raw(`UPDATE person SET first_name = NULL, last_name = NULL, email = NULL WHERE last_login_at IS NULL`);
  await knex.raw(`UPDATE person SET email = NULL WHERE last_login_at IS NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  // Back to one row per person: each person gets the data of their oldest membership where the key gave none.
  await knex.raw(`
    UPDATE person p SET first_name = COALESCE(p.first_name, m.first_name, ''),
                        last_name = COALESCE(p.last_name, m.last_name, ''),
                        email = COALESCE(p.email, m.email)
      FROM (SELECT DISTINCT ON (person_id) person_id, first_name, last_name, email FROM membership
             ORDER BY person_id, created_at, organisation_id) m
     WHERE m.person_id = p.id`);
  await knex.raw(`UPDATE person SET first_name = COALESCE(first_name, ''), last_name = COALESCE(last_name, '')`);
  await knex.schema.alterTable('person', (t) => {
    t.text('first_name').notNullable().alter();
    t.text('last_name').notNullable().alter();
  });
  await knex.schema.alterTable('membership', (t) => {
    t.dropColumn('first_name');
    t.dropColumn('last_name');
    t.dropColumn('email');
    t.dropColumn('logged_in_at');
  });
}
