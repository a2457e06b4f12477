/**
 * The load generator: autocannon, run in a process of its own (pinned to the other core than the server).
 * Reads a LoadPlan (JSON file named on the command line): one or more targets, each warmed up, then
 * measured in `rounds` alternating rounds (A B A B …) so that a change in the machine's background load
 * hits every target alike and their ratio stays fair. Every response is checked (status, a marker in the
 * body, the redirect target). Prints one JSON line: LoadResult[] in the order of the plan.
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';

export interface ClientSpec {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** The same path on every request… */
  path?: string;
  /** …or one path per request, used up in order (Bevestigen on fresh drafts: each draft once). */
  paths?: string[];
}

export interface LoadSpec {
  name: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  connections: number;
  warmupSeconds: number;
  /** Measured seconds in total (split over the rounds). */
  durationSeconds: number;
  /** Connection i uses clients[i % clients.length] (its own session, token and drafts). */
  clients: ClientSpec[];
  /** Caps per connection when `paths` queues are used (one round only): never more requests than paths. */
  maxPerConnection?: { warmup: number; measure: number };
  expect: { status: number; bodyIncludes?: string[]; locationPattern?: string };
  /** Keep the Location of every good measured response (to count distinct dossiers). */
  collectLocations?: boolean;
  /** Open loop: this many requests per second over all connections (autocannon's overallRate), not as fast as possible. */
  overallRate?: number;
  /** The server's pid: its CPU time (user + system) is read at the start and end of each measured round. */
  serverPid?: number;
}

export interface LoadPlan {
  targets: LoadSpec[];
  rounds: number;
}

export interface LoadResult {
  name: string;
  completed: number;
  ok: number;
  bad: number;
  /** Connection errors and time-outs (autocannon's own counts). */
  errors: number;
  timeouts: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statusCounts: Record<string, number>;
  badSamples: string[];
  locations?: string[];
  /** CPU time of the server process per response, and how busy it was (1 = one core all the time). */
  serverCpuMsPerRequest?: number;
  serverCpuLoad?: number;
  /** CPU time of all PostgreSQL processes on the machine per response: the database's share of the work. */
  databaseCpuMsPerRequest?: number;
  /** CLOCK_MONOTONIC microseconds (V8 profiles use the same clock) of the measured rounds. */
  windowsUs: [number, number][];
  /** What the warm-up did (its responses are checked too, but not measured). */
  warmup?: { completed: number; ok: number; bad: number };
}

interface Phase {
  latencies: number[];
  ok: number;
  bad: number;
  errors: number;
  timeouts: number;
  seconds: number;
  statusCounts: Record<string, number>;
  badSamples: string[];
  locations: string[];
  cpuMs: number | null;
  databaseCpuMs: number | null;
  window: [number, number];
}

// USER_HZ is 100 on Linux on every architecture Node runs on.
const CLOCK_TICKS = 100;

/** User + system CPU milliseconds of a process so far (from /proc/<pid>/stat), or null. */
/**
 * The CPU time of every process named `postgres` (server and backends), with that of ended ones (the
 * server's reaped children: autovacuum workers, closed connections); null where /proc is missing.
 */
function databaseCpuMs(): number | null {
  try {
    let total = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // ended meanwhile
      }
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres') total += cpuMsOfStat(stat, true);
    }
    return total;
  } catch {
    return null;
  }
}

function cpuMsOfStat(stat: string, withEndedChildren = false): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime and cstime are fields 14 to 17 of the whole line: 12 to 15 after "pid (comm) ".
  const ticks =
    Number(fields[11]) + Number(fields[12]) + (withEndedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return (ticks * 1000) / CLOCK_TICKS;
}

function cpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return cpuMsOfStat(stat);
  } catch {
    return null;
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers))
    if (k.toLowerCase() === name) return Array.isArray(v) ? String(v[0]) : String(v);
  return undefined;
}

function emptyPhase(): Phase {
  return {
    latencies: [],
    ok: 0,
    bad: 0,
    errors: 0,
    timeouts: 0,
    seconds: 0,
    statusCounts: {},
    badSamples: [],
    locations: [],
    cpuMs: null,
    databaseCpuMs: null,
    window: [0, 0],
  };
}

/** Checks a response against the spec (status, markers, redirect) and counts it in the phase. */
function checker(spec: LoadSpec, phase: Phase, measure: boolean) {
  const locationPattern = spec.expect.locationPattern ? new RegExp(spec.expect.locationPattern) : null;

  return (status: number, body: string, headers: Record<string, unknown>) => {
    phase.statusCounts[status] = (phase.statusCounts[status] ?? 0) + 1;
    let problem = '';
    if (status !== spec.expect.status) problem = `status ${status}`;
    else {
      const missing = spec.expect.bodyIncludes?.find((m) => !body.includes(m));
      if (missing !== undefined) problem = `marker missing: ${missing}`;
      if (locationPattern) {
        const location = headerValue(headers, 'location') ?? '';
        if (!locationPattern.test(location)) problem = `location ${location}`;
        else if (spec.collectLocations && measure) phase.locations.push(location);
      }
    }
    if (problem) {
      phase.bad++;
      if (phase.badSamples.length < 5)
        phase.badSamples.push(
          `${problem} | ${
            (headerValue(headers, 'location') ?? '') ||
            body
              .replace(/<[^>]+>/g, ' ')
              .replace(/\s+/g, ' ')
              .slice(0, 200)
          }`,
        );
    } else phase.ok++;
  };
}

async function runPhase(
  spec: LoadSpec,
  cursors: number[],
  seconds: number,
  maxPerConnection: number | undefined,
  measure: boolean,
): Promise<Phase> {
  if (spec.overallRate !== undefined) return runOpenPhase(spec, spec.overallRate, seconds, measure);
  const phase = emptyPhase();
  let lastResponseAt = 0;
  let nextIndex = 0;
  const check = checker(spec, phase, measure);

  const cpuBefore = measure ? cpuMs(spec.serverPid) : null;
  const databaseBefore = measure ? databaseCpuMs() : null;
  const started = performance.now();
  const startedUs = Number(process.hrtime.bigint() / 1000n);
  const result = await autocannon({
    url: spec.origin,
    connections: spec.connections,
    duration: seconds,
    timeout: 10,
    ...(maxPerConnection !== undefined ? { maxConnectionRequests: maxPerConnection } : {}),
    ...(spec.overallRate !== undefined ? { overallRate: spec.overallRate } : {}),
    setupClient: (client: autocannon.Client) => {
      const index = nextIndex++ % spec.connections;
      const c = spec.clients[index % spec.clients.length];
      const request: autocannon.Request = {
        method: c.method,
        path: c.path ?? '/',
        headers: c.headers, // autocannon adds Content-Length for a body
        ...(c.body !== undefined ? { body: c.body } : {}),
        onResponse: (status: number, body: string, _context: unknown, headers: Record<string, unknown>) =>
          check(status, body, headers),
      };
      if (c.paths) {
        const queue = c.paths;
        request.setupRequest = (req: autocannon.Request) => {
          const path = queue[cursors[index]++];
          if (path === undefined) throw new Error(`connection ${index} ran out of prepared paths`);
          return { ...req, path };
        };
      }
      client.setRequests([request]);
      client.on('response', (_status: number, _bytes: number, duration: number) => {
        phase.latencies.push(duration);
        lastResponseAt = performance.now();
      });
    },
  } as autocannon.Options);
  const endedUs = Number(process.hrtime.bigint() / 1000n);
  const cpuAfter = measure ? cpuMs(spec.serverPid) : null;
  const databaseAfter = measure ? databaseCpuMs() : null;
  phase.errors = result.errors;
  phase.timeouts = result.timeouts;
  phase.seconds = Math.max(1e-3, ((lastResponseAt || performance.now()) - started) / 1000);
  phase.cpuMs = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  phase.databaseCpuMs = databaseBefore !== null && databaseAfter !== null ? databaseAfter - databaseBefore : null;
  phase.window = [startedUs, endedUs];
  return phase;
}

/**
 * Open loop: requests start on a fixed schedule (`rate` per second, evenly spaced) whatever the responses do,
 * each on a free keep-alive connection (a new one when all are busy); latency counts from the scheduled
 * start, so a late response also delays nothing else and a stall shows in full (no coordinated omission).
 */
async function runOpenPhase(spec: LoadSpec, rate: number, seconds: number, measure: boolean): Promise<Phase> {
  const phase = emptyPhase();
  const check = checker(spec, phase, measure);
  const { hostname, port } = new URL(spec.origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const interval = 1000 / rate;
  let inFlight = 0;
  let allSent = false;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const finished = () => {
    inFlight--;
    if (allSent && inFlight === 0) resolveDone();
  };
  const fire = (scheduled: number, c: ClientSpec) => {
    inFlight++;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      finished();
    };
    const req = http.request(
      { host: hostname, port, method: c.method, path: c.path ?? '/', headers: c.headers, agent, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          phase.latencies.push(performance.now() - scheduled);
          check(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.headers);
          settle();
        });
        res.on('error', () => {
          if (!settled) phase.errors++;
          settle();
        });
      },
    );
    let timedOut = false;
    req.on('timeout', () => {
      timedOut = true;
      phase.timeouts++;
      req.destroy();
    });
    req.on('error', () => {
      if (!timedOut && !settled) phase.errors++; // a time-out is counted once, as a time-out
      settle();
    });
    req.end(c.body);
  };
  const cpuBefore = measure ? cpuMs(spec.serverPid) : null;
  const databaseBefore = measure ? databaseCpuMs() : null;
  const startedUs = Number(process.hrtime.bigint() / 1000n);
  const started = performance.now();
  const total = Math.floor(seconds * rate);
  let k = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      for (; k < total && started + k * interval <= now; k++)
        fire(started + k * interval, spec.clients[k % spec.clients.length]);
      if (k < total) setTimeout(tick, Math.max(0, Math.min(interval, started + k * interval - now)));
      else resolve();
    };
    tick();
  });
  allSent = true;
  if (inFlight > 0) await done;
  agent.destroy();
  phase.seconds = (performance.now() - started) / 1000;
  const cpuAfter = measure ? cpuMs(spec.serverPid) : null;
  const databaseAfter = measure ? databaseCpuMs() : null;
  phase.cpuMs = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  phase.databaseCpuMs = databaseBefore !== null && databaseAfter !== null ? databaseAfter - databaseBefore : null;
  phase.window = [startedUs, Number(process.hrtime.bigint() / 1000n)];
  return phase;
}

function combine(spec: LoadSpec, phases: Phase[], warmup: Phase | undefined): LoadResult {
  const latencies = phases.flatMap((p) => p.latencies);
  const sorted = Float64Array.from(latencies).sort();
  const seconds = phases.reduce((n, p) => n + p.seconds, 0);
  const cpu = phases.every((p) => p.cpuMs !== null) ? phases.reduce((n, p) => n + p.cpuMs!, 0) : null;
  const databaseCpu = phases.every((p) => p.databaseCpuMs !== null)
    ? phases.reduce((n, p) => n + p.databaseCpuMs!, 0)
    : null;
  const windowMs = phases.reduce((n, p) => n + (p.window[1] - p.window[0]) / 1000, 0);
  const statusCounts: Record<string, number> = {};
  for (const p of phases)
    for (const [k, v] of Object.entries(p.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  return {
    name: spec.name,
    completed: latencies.length,
    ok: phases.reduce((n, p) => n + p.ok, 0),
    bad: phases.reduce((n, p) => n + p.bad, 0),
    errors: phases.reduce((n, p) => n + p.errors, 0),
    timeouts: phases.reduce((n, p) => n + p.timeouts, 0),
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    statusCounts,
    badSamples: phases.flatMap((p) => p.badSamples).slice(0, 5),
    windowsUs: phases.map((p) => p.window),
    ...(spec.collectLocations ? { locations: phases.flatMap((p) => p.locations) } : {}),
    ...(cpu !== null && latencies.length
      ? { serverCpuMsPerRequest: cpu / latencies.length, serverCpuLoad: cpu / windowMs }
      : {}),
    ...(databaseCpu !== null && latencies.length ? { databaseCpuMsPerRequest: databaseCpu / latencies.length } : {}),
    ...(warmup ? { warmup: { completed: warmup.latencies.length, ok: warmup.ok, bad: warmup.bad } } : {}),
  };
}

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadPlan;
for (const spec of plan.targets) {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(spec.origin))
    throw new Error(`the load generator only targets 127.0.0.1, not ${spec.origin}`);
  // Queues of paths are per connection: each connection needs a client spec of its own, and one round.
  if (spec.clients.some((c) => c.paths) && (spec.clients.length !== spec.connections || plan.rounds !== 1))
    throw new Error('path queues need one client spec per connection and one round');
}
const cursors = plan.targets.map((spec) => spec.clients.map(() => 0));
const warmups: (Phase | undefined)[] = [];
for (const [i, spec] of plan.targets.entries()) {
  warmups.push(
    spec.warmupSeconds > 0
      ? await runPhase(spec, cursors[i], spec.warmupSeconds, spec.maxPerConnection?.warmup, false)
      : undefined,
  );
}
const phases: Phase[][] = plan.targets.map(() => []);
for (let round = 0; round < plan.rounds; round++) {
  for (const [i, spec] of plan.targets.entries()) {
    phases[i].push(
      await runPhase(spec, cursors[i], spec.durationSeconds / plan.rounds, spec.maxPerConnection?.measure, true),
    );
  }
}
const results = plan.targets.map((spec, i) => combine(spec, phases[i], warmups[i]));
process.stdout.write(`${JSON.stringify(results)}\n`);
