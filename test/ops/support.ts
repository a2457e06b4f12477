import { expect } from 'vitest';

/** Polls GET /readyz on 127.0.0.1 until it answers 200 (a refused connection counts as not yet). */
export async function untilReady(port: number): Promise<void> {
  const status = () =>
    fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
  await expect.poll(status, { timeout: 60_000, interval: 100 }).toBe(200);
}
