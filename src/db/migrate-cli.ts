import { loadConfig } from '../config.js';
import { openDatabase } from './open.js';
import { migrateLatest } from './migrate.js';

const config = loadConfig();
const database = await openDatabase(config, console.error);
await migrateLatest(database.db);
console.log('Migrations applied.');
await database.close();
