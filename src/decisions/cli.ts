import { parseArgs } from 'node:util';
import { createApiClient, ApiClientError, revokeApiClient } from '../api/clients.js';
import { loadConfig } from '../config.js';
import type { Db } from '../db/knex.js';
import { isIsoDate } from '../domain/dates.js';
import { formatDecimalNl, formatEuro } from '../domain/money.js';
import { OperatorInputError } from '../organisations/service.js';
import { DOSSIER_STATUS_LABELS } from '../refund/receipt.js';
import { createDossierLife, type Change } from './service.js';

/** The usage lines of the commands below, for the CLI's help. */
export const LIFE_USAGE = `  api-client:create --name <name> [--scopes read,decide]
      Create a back-office API client; prints its token once (only its hash is kept). Default scope: read.
  api-client:revoke --name <name>
      Revoke a client: its token stops working at once.
  dossier:decide <dossiernummer> (--in-behandeling | --goedgekeurd --uren <hours> [--bedrag-cent <cents>]
      | --geweigerd --reden <text> | --aanvulling --vraag <text> --tegen <YYYY-MM-DD>)
      Record a back-office decision, as the API does (history, audit log, mails).`;

export const LIFE_COMMANDS = ['api-client:create', 'api-client:revoke', 'dossier:decide'];

type Command = (db: Db) => Promise<void>;

/** A decision from the command line's flags; `usage` makes the CLI's wrong-usage error (exit 2). */
function decisionOf(v: Record<string, string | boolean | undefined>, usage: (m: string) => Error): Change {
  const chosen = ['in-behandeling', 'goedgekeurd', 'geweigerd', 'aanvulling'].filter((k) => v[k] === true);
  if (chosen.length !== 1)
    throw usage('Give exactly one of --in-behandeling, --goedgekeurd, --geweigerd, --aanvulling.');
  const text = (name: string) => {
    const value = typeof v[name] === 'string' ? (v[name] as string).trim() : '';
    if (!value) throw usage(`Missing --${name}.`);
    return value;
  };
  switch (chosen[0]) {
    case 'goedgekeurd': {
      const hours = Number(text('uren').replace(',', '.'));
      if (!(hours > 0 && hours <= 250))
        throw new OperatorInputError('--uren must be a number of hours above 0 and at most 250.');
      const cents = v['bedrag-cent'] === undefined ? null : Number(v['bedrag-cent']);
      if (cents !== null && !(Number.isSafeInteger(cents) && cents >= 0))
        throw new OperatorInputError('--bedrag-cent must be a whole number of cents.');
      return { kind: 'goedgekeurd', hours: Math.round(hours * 100) / 100, amountCents: cents };
    }
    case 'geweigerd':
      return { kind: 'geweigerd', reason: text('reden') };
    case 'aanvulling': {
      const due = text('tegen');
      if (!isIsoDate(due)) throw new OperatorInputError('--tegen must be a date YYYY-MM-DD.');
      return { kind: 'aanvulling_gevraagd', question: text('vraag'), dueDate: due };
    }
    default:
      return { kind: 'in_behandeling' };
  }
}

/** The dossier-life commands of `npm run cli` (src/cli.ts passes them here). */
export function lifeCommand(command: string, args: string[], usage: (message: string) => Error): Command {
  const parse = (options: Record<string, { type: 'string' | 'boolean' }>, positionals = false) => {
    try {
      return parseArgs({ args, options, strict: true, allowPositionals: positionals });
    } catch (err) {
      throw usage((err as Error).message);
    }
  };
  switch (command) {
    case 'api-client:create': {
      const { values } = parse({ name: { type: 'string' }, scopes: { type: 'string' } });
      const name = String(values.name ?? '').trim();
      if (!name) throw usage('Missing --name.');
      const scopes = String(values.scopes ?? 'read')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return async (db) => {
        try {
          const { client, token } = await createApiClient(db, name, scopes);
          console.log(`Created API client "${client.name}" with scopes ${client.scopes.join(', ')}.`);
          console.log('Its token (shown only now; store it in the back office as a secret):');
          console.log(token);
        } catch (err) {
          if (err instanceof ApiClientError) throw new OperatorInputError(err.message);
          throw err;
        }
      };
    }
    case 'api-client:revoke': {
      const { values } = parse({ name: { type: 'string' } });
      const name = String(values.name ?? '').trim();
      if (!name) throw usage('Missing --name.');
      return async (db) => {
        if (!(await revokeApiClient(db, name))) throw new OperatorInputError(`No active API client named "${name}".`);
        console.log(`Revoked API client "${name}".`);
      };
    }
    case 'dossier:decide': {
      const flags = { type: 'boolean' as const };
      const text = { type: 'string' as const };
      const { values, positionals } = parse(
        {
          'in-behandeling': flags,
          goedgekeurd: flags,
          geweigerd: flags,
          aanvulling: flags,
          uren: text,
          'bedrag-cent': text,
          reden: text,
          vraag: text,
          tegen: text,
        },
        true,
      );
      if (positionals.length !== 1) throw usage('Give one dossiernummer, e.g. VOV-2025-000001.');
      const change = decisionOf(values, usage);
      const dossiernummer = positionals[0].trim().toUpperCase();
      return async (db) => {
        const life = createDossierLife({ db, now: () => new Date(), publicUrl: loadConfig().publicUrl });
        const outcome = await life.change({
          dossiernummer,
          actor: { kind: 'cli', name: 'CLI dossier:decide' },
          change,
          requestId: null,
        });
        if (outcome.outcome === 'not_found') throw new OperatorInputError(`No dossier ${dossiernummer}.`);
        if (outcome.outcome !== 'done') {
          const status = 'dossier' in outcome ? DOSSIER_STATUS_LABELS[outcome.dossier.status] : '?';
          throw new OperatorInputError(
            `Dossier ${dossiernummer} has status "${status}"; ${change.kind} is not allowed now (see docs/api.md).`,
          );
        }
        const d = outcome.dossier;
        const approved =
          d.approved_amount_cents === null
            ? ''
            : ` (${formatDecimalNl(Number(d.approved_hours))} hours, ${formatEuro(d.approved_amount_cents)})`;
        console.log(
          `Dossier ${d.dossiernummer} is now "${DOSSIER_STATUS_LABELS[d.status]}"${approved}, version ${d.version}. The mails are queued.`,
        );
      };
    }
    default:
      throw usage(`Unknown command "${command}".`);
  }
}
