import { loadDatabaseConfig } from '../config.js';
import { exitOnStartupFailure } from '../startup.js';
import { openDatabase } from './open.js';
import { migrateLatest } from './migrate.js';

// `npm run migrate` (and the Kubernetes migration Job): needs nothing but DATABASE_URL.
try {
  const database = await openDatabase(loadDatabaseConfig(), console.error);
  await migrateLatest(database.db);
  console.log('Migrations applied.');
  await database.close();
} catch (err) {
  exitOnStartupFailure(err);
}
