import type { Config } from '../config.js';
import type { Db } from '../db/knex.js';
import { todayInBrussels } from '../domain/dates.js';
import type { RetentionData } from '../domain/retention-data.js';
import type { Logger } from '../http/logger.js';
import { claimRun, finishRun } from './repository.js';
import { runRetention, type RetentionCounts } from './service.js';

export interface RetentionJobOptions {
  db: Db;
  config: Pick<Config, 'publicUrl'>;
  logger: Logger;
  now?: () => Date;
  data?: RetentionData;
  /** How often an instance checks whether today's purge ran; a day has one run across all instances. */
  checkEveryMs?: number;
}

export interface RetentionJob {
  start(): void;
  /** Today's scheduled run, if no instance claimed it yet: its counts, or null when another instance has it. */
  runOnce(): Promise<RetentionCounts | null>;
  stop(): Promise<void>;
}

/** A claimed run that has not finished after this long is taken as dead: another instance may run that day. */
const STALE_CLAIM_MS = 3 * 3_600_000;

/**
 * The daily purge, started in every portal process: each checks every hour (and soon after start) and the
 * one that claims the day's row in retention_run does the work, so a day has one run however many instances.
 */
export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const now = options.now ?? (() => new Date());
  const every = options.checkEveryMs ?? 3_600_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopping = false;

  async function runOnce(): Promise<RetentionCounts | null> {
    const at = now();
    const day = todayInBrussels(at);
    if (!(await claimRun(options.db, day, at, new Date(at.getTime() - STALE_CLAIM_MS)))) return null;
    const run = { db: options.db, config: options.config, now: at, data: options.data, shouldStop: () => stopping };
    const counts = await runRetention(run);
    // A run cut short by a shutdown stays unfinished: its claim goes stale and another instance finishes the day.
    if (stopping) return counts;
    await finishRun(options.db, day, now(), counts);
    options.logger.info({ retention: counts }, 'retention purge done for %s', day);
    return counts;
  }

  const tick = () => {
    running = runOnce().catch((err: unknown) => {
      options.logger.error({ err }, 'retention purge failed; a later check tries again');
    });
  };

  return {
    start() {
      timer = setTimeout(
        function check() {
          tick();
          timer = setTimeout(check, every).unref();
        },
        Math.min(every, 60_000),
      ).unref();
    },
    runOnce,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await running;
    },
  };
}
