import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The process's own metrics: one registry per process, whatever number of apps a test builds in it. */
export const processRegistry = new Registry();

let defaultsCollected = false;
/** CPU, memory, heap, event loop lag, file descriptors: prom-client's process metrics, started on first use. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: processRegistry });
}

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time to answer an HTTP request, by method, route pattern and status.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processRegistry],
});

const logins = new Counter({
  name: 'wse_logins_total',
  help: 'SAML logins: outcome "succeeded" or "refused", with the refusal reason.',
  labelNames: ['outcome', 'reason'] as const,
  registers: [processRegistry],
});

/** Counts a login at the ACS: without a reason it succeeded, with one it was refused for that reason. */
export function countLogin(refusedBecause?: string): void {
  logins.inc(refusedBecause ? { outcome: 'refused', reason: refusedBecause } : { outcome: 'succeeded', reason: '' });
}
