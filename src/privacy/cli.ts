import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import type { Db } from '../db/knex.js';
import { isIsoDate } from '../domain/dates.js';
import { COUNT_LABELS, runRetention, type RetentionCounts } from './service.js';

/** `retention:run [--dry-run] [--now YYYY-MM-DD]`: the daily purge by hand, without its once-a-day claim. */
export const RETENTION_USAGE = `  retention:run [--dry-run] [--now YYYY-MM-DD]
      Delete or erase what is past its retention period (docs/privacy.md) and print the counts per kind.
      --dry-run only counts; --now runs as on that day (noon, Brussels time).`;

/** Parses the options (a message for a usage error, else the command to run). */
export function retentionRunCommand(args: string[]): string | ((db: Db) => Promise<void>) {
  let values: { 'dry-run'?: boolean; now?: string };
  try {
    const options = { 'dry-run': { type: 'boolean' }, now: { type: 'string' } } as const;
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (err) {
    return (err as Error).message;
  }
  if (values.now !== undefined && !isIsoDate(values.now)) {
    return `--now must be a date like 2026-12-31, got "${values.now}".`;
  }
  // Noon UTC is the same calendar day in Brussels, summer or winter.
  const now = values.now ? new Date(`${values.now}T12:00:00Z`) : new Date();
  const dryRun = values['dry-run'] === true;
  return async (db) => {
    // The warning mails link to the portal: this command needs the full configuration (PUBLIC_URL).
    const config = loadConfig();
    const counts = await runRetention({ db, config, now, dryRun });
    console.log(formatCounts(counts, dryRun, now));
  };
}

export function formatCounts(counts: RetentionCounts, dryRun: boolean, now: Date): string {
  const kinds = Object.keys(COUNT_LABELS) as (keyof RetentionCounts)[];
  const width = Math.max(...kinds.map((k) => String(counts[k]).length));
  const what = dryRun ? 'dry run (nothing changed; what a run would do)' : 'run';
  const head = `Retention ${what} as of ${now.toISOString().slice(0, 10)}:`;
  return [head, ...kinds.map((k) => `  ${String(counts[k]).padStart(width)}  ${COUNT_LABELS[k]}`)].join('\n');
}
