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

/**
 * Runs a named statement (see `prepared`; `$1`-style parameters) on one of knex's pooled connections, or on the
 * transaction's own, without knex's query building: for the statements every page sends, where that building was
 * ~5 % of a form page's CPU in `npm run bench`.
 */
export async function preparedRows<R>(db: Db, name: string, text: string, values: unknown[]): Promise<R[]> {
  const connection = (await db.client.acquireConnection()) as pg.ClientBase;
  try {
    return (await connection.query<R & pg.QueryResultRow>({ name, text, values })).rows;
  } finally {
    await db.client.releaseConnection(connection);
  }
}

export function createDb(url: string, poolMax = 10): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'wse-loket' },
    pool: { min: 0, max: poolMax },
    // Fail fast while the database is down so users get a 503 page instead of a hanging request.
    acquireConnectionTimeout: 5_000,
  });
}
