/**
 * Operator commands: how a real deployment gets its organisations and first local administrators.
 *   npm run cli -- org:create --kbo 0403.170.701 --name "Bouwbedrijf De Meeuw NV"
 *   npm run cli -- admin:add --kbo 0403.170.701 --insz 75.04.12-123.53 --name "An Beheerder" --email an@example.be
 *   npm run cli -- org:list
 *   npm run cli -- retention:run [--dry-run] [--now YYYY-MM-DD]
 * Exit status: 0 done, 1 refused input (the message says why), 2 wrong usage.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ConfigError, loadDatabaseConfig } from './config.js';
import { createDb, type Db } from './db/knex.js';
import { migrateLatest } from './db/migrate.js';
import { openDatabase, type OpenDatabase } from './db/open.js';
import { formatKbo } from './domain/kbo.js';
import { maskInsz } from './domain/insz.js';
import { listOrganisationsWithCounts } from './organisations/repository.js';
import { StartupError } from './startup.js';
import { RETENTION_USAGE, retentionRunCommand } from './privacy/cli.js';
import {
  addLocalAdministrator,
  createOrganisation,
  OperatorInputError,
  splitFullName,
} from './organisations/service.js';
import { LIFE_COMMANDS, LIFE_USAGE, lifeCommand } from './decisions/cli.js';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  org:create --kbo <number> --name <name> [--street <street>] [--postcode <postcode>] [--city <city>]
      Create an organisation (enterprise number like 0403.170.701).
  admin:add --kbo <number> --insz <number> --name "<first> <last>" --email <address>
      Make a person local administrator of the organisation; creates the person when they never logged in.
      The address receives the right requests of the organisation's users.
      (--first-name and --last-name instead of --name for names that don't split at the first space.)
  org:list
      List every organisation with its number of users and local administrators.
${RETENTION_USAGE}
${LIFE_USAGE}

The database is DATABASE_URL, or in development the embedded database of \`npm start\`.`;

class UsageError extends Error {}

type Options = Record<string, string | undefined>;

function options(args: string[], names: string[]): Options {
  try {
    const { values } = parseArgs({
      args,
      options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    });
    return values as Options;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function required(opts: Options, name: string): string {
  const value = opts[name]?.trim();
  if (!value) throw new UsageError(`Missing --${name}.`);
  return value;
}

/** In development `npm start` may already run the embedded server on this data directory: use it rather than start a second one. */
async function connect(config: ReturnType<typeof loadDatabaseConfig>): Promise<OpenDatabase> {
  if (!config.database.url && !config.isProduction) {
    const url = `postgres://postgres:postgres@127.0.0.1:${config.database.embeddedPort}/wse_loket`;
    const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    const running = await probe.connect().then(
      () => true,
      () => false,
    );
    await probe.end().catch(() => {});
    if (running) {
      const db = createDb(url, 2);
      return { db, url, embedded: true, close: () => db.destroy() };
    }
  }
  return openDatabase(config, () => {});
}

/** A command with its options checked, ready to run against the database. */
type Command = (db: Db) => Promise<void>;

function parseCommand(argv: string[]): Command | 'help' {
  const [command, ...rest] = argv;
  if (command === 'help' || command === '--help') return 'help';
  switch (command) {
    case 'org:create': {
      const opts = options(rest, ['kbo', 'name', 'street', 'postcode', 'city']);
      const input = {
        kbo: required(opts, 'kbo'),
        name: required(opts, 'name'),
        street: opts.street ?? null,
        postcode: opts.postcode ?? null,
        city: opts.city ?? null,
      };
      return async (db) => {
        const org = await createOrganisation(db, input);
        console.log(`Created organisation "${org.name}" (KBO ${formatKbo(org.kbo)}).`);
      };
    }
    case 'admin:add': {
      const opts = options(rest, ['kbo', 'insz', 'name', 'first-name', 'last-name', 'email']);
      const names =
        opts['first-name'] || opts['last-name']
          ? { firstName: required(opts, 'first-name'), lastName: required(opts, 'last-name') }
          : splitFullName(required(opts, 'name'));
      const input = {
        kbo: required(opts, 'kbo'),
        insz: required(opts, 'insz'),
        ...names,
        email: required(opts, 'email'),
      };
      return async (db) => {
        const result = await addLocalAdministrator(db, input);
        const who = `${result.person.first_name} ${result.person.last_name} (INSZ ${maskInsz(result.person.insz)})`;
        const org = `"${result.organisation.name}" (KBO ${formatKbo(result.organisation.kbo)})`;
        console.log(
          result.changed
            ? `${who} is now local administrator of ${org}.`
            : `${who} was already local administrator of ${org}; nothing changed.`,
        );
      };
    }
    case 'org:list': {
      options(rest, []);
      return async (db) => {
        const orgs = await listOrganisationsWithCounts(db);
        if (!orgs.length) return void console.log('No organisations yet. Create one with org:create.');
        const rows = [
          ['KBO', 'Name', 'Users', 'Admins'],
          ...orgs.map((o) => [formatKbo(o.kbo), o.name, String(o.members), String(o.admins)]),
        ];
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        for (const r of rows)
          console.log(
            r
              .map((cell, i) => cell.padEnd(widths[i]))
              .join('  ')
              .trimEnd(),
          );
      };
    }
    case 'retention:run': {
      const run = retentionRunCommand(rest);
      if (typeof run === 'string') throw new UsageError(run);
      return run;
    }
    default:
      if (LIFE_COMMANDS.includes(command)) return lifeCommand(command, rest, (message) => new UsageError(message));
      throw new UsageError(command ? `Unknown command "${command}".` : 'No command given.');
  }
}

async function run(argv: string[]): Promise<void> {
  const command = parseCommand(argv);
  if (command === 'help') return void console.log(USAGE);
  // The database settings only: an operator runs this with DATABASE_URL alone, also in the production image.
  const database = await connect(loadDatabaseConfig());
  try {
    await migrateLatest(database.db);
    await command(database.db);
  } finally {
    await database.close();
  }
}

let exitCode = 0;
try {
  await run(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n\n${USAGE}`);
    exitCode = 2;
  } else if (err instanceof OperatorInputError || err instanceof ConfigError || err instanceof StartupError) {
    console.error(`Error: ${err.message}`);
    exitCode = 1;
  } else {
    console.error(`Failed: ${err instanceof Error ? err.message : String(err)}`);
    exitCode = 1;
  }
}
// Explicit: the embedded server's exit hooks must not turn a refusal into success.
process.exit(exitCode);
