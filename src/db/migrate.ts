import type { Knex } from 'knex';
import { migrations } from '../../migrations/index.js';

/** Migrations are imported statically so they run the same under tsx, vitest and compiled JS. */
const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};

export async function migrateLatest(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource: source });
}

/** True when every known migration has been applied. */
export async function migrationsApplied(db: Knex): Promise<boolean> {
  const pending = await db.migrate.list({ migrationSource: source });
  return pending[1].length === 0;
}
