import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// DATE columns are calendar dates: keep them as 'YYYY-MM-DD' strings instead of local-time Date objects.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
// COUNT(*) and BIGINT ids fit in a JS number for this portal's sizes.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export type Db = Knex;

/**
 * A named statement, prepared once per connection: PostgreSQL then plans it once instead of at every call (planning
 * the filing and auth statements cost it several times their execution). The text behind a name must never change.
 */
export const prepared = (name: string) => ({ name });

export function createDb(url: string, poolMax = 10): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'wse-loket' },
    pool: { min: 0, max: poolMax },
    // Fail fast while the database is down so users get a 503 page instead of a hanging request.
    acquireConnectionTimeout: 5_000,
  });
}
