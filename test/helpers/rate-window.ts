import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Rate limits count in fixed windows (src/http/rate-limit.ts): a test that fills a window waits, when fewer
 * than `seconds` are left of the current one, for the next, so its hits cannot fall into two windows.
 */
export async function roomInWindow(windowSeconds: number, seconds: number): Promise<void> {
  const left = windowSeconds - ((Date.now() / 1000) % windowSeconds);
  if (left < seconds) await sleep(left * 1000 + 200);
}
