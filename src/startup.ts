import { ConfigError } from './config.js';

/**
 * After SIGTERM, how long in-flight requests may take before their connections are closed. An orchestrator's grace
 * period must be longer (deploy/kubernetes: preStop pause + this + the mail worker finishing its mail).
 */
export const SHUTDOWN_DRAIN_MS = 10_000;

/** A start-up problem an operator fixes by changing one setting; its message is one line that names it. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'StartupError';
  }
}

/**
 * Ends a process that could not start: a bad setting prints its own lines (no stack trace) and exits 1. Anything
 * else is a bug or an outage nobody foresaw: one line too, the stack only at LOG_LEVEL=debug or trace.
 */
export function exitOnStartupFailure(err: unknown): never {
  if (err instanceof ConfigError || err instanceof StartupError) {
    console.error(err.message);
  } else {
    const debug = process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace';
    console.error(
      debug && err instanceof Error
        ? err.stack
        : `Start-up failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  process.exit(1);
}
