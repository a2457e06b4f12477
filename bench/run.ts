/**
 * `npm run bench`: the performance benchmark of issue 7 (see "Performance" in the README).
 *
 * Builds the portal, starts it in production mode on 127.0.0.1 against a fresh PostgreSQL database
 * (pinned to core 0), logs in 2×32 sessions through the real SAML login, and measures with autocannon
 * (pinned to core 1) each figure for a fixed time after a warm-up. In the same run: two reference servers
 * serving the same page as (b), measured in rounds alternating with (b), and a bare insert ceiling for (d).
 * Order: (a); (b) with the references; (c); (e); (f); (d) last (its receipt mails keep the portal busy).
 * Prints one table and writes it to bench/results/latest.md (+ latest.json). Stops by itself and cleans up
 * its processes and database, also on failure or Ctrl-C.
 *
 * Settings: BENCH_DURATION (seconds per figure, default 10), BENCH_WARMUP (default 5), BENCH_CONNECTIONS
 * (default 32), BENCH_PROFILE=1 (portal under --cpu-prof, profile into bench/results/), BENCH_SKIP_BUILD=1,
 * BENCH_PG (server URL, default postgres://postgres@127.0.0.1:5432), BENCH_NODE_ARGS (extra node options for the portal),
 * BENCH_ONLY (figures to measure, e.g. `b,d`; (b) brings its two references and b-open, (e) brings e100k, (f) brings h;
 * default all), BENCH_NODE (the node binary for the portal and the reference servers, e.g. Node 24; default this one).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { generateKeyPairWithCertificate } from '../src/auth/self-signed.js';
import { createDb, type Db } from '../src/db/knex.js';
import { migrateLatest } from '../src/db/migrate.js';
import { addMonths, formatDateNl, todayInBrussels } from '../src/domain/dates.js';
import { schoolYearOf } from '../src/domain/school-year.js';
import { paths } from '../src/paths.js';
import { PROJECT_ROOT } from '../src/root.js';
import { Browser, csrfTokenFrom, expectStatus } from './http.js';
import type { LoadPlan, LoadResult, LoadSpec } from './loadgen.js';
import { loginForOrganisation, PROXY_HEADERS, type LoggedIn } from './login.js';
import { measureMail, type MailCeiling } from './mail.js';
import {
  LOAD_CORE,
  PINNING,
  SERVER_CORE,
  firstJsonLine,
  freePort,
  peakRssMb,
  pinSelf,
  resetPeakRss,
  rssMb,
  spawnPinned,
  stopAll,
  killAllNow,
  waitForOk,
  type Proc,
} from './procs.js';
import { loadProfile, sliceProfile, type ProfileSlice } from './profile.js';
import { perTransactionCeiling, type PerTransactionCeiling } from './ceiling.js';
import { auditQueries, type AuditResult } from './query-audit.js';
import {
  cloneDraft,
  createDatabase,
  dropDatabase,
  dropStaleBenchDatabases,
  inszNumbers,
  seedDossiers,
  seedOrganisationsAndPeople,
  withDatabase,
  type BenchData,
} from './seed.js';

// ---------------------------------------------------------------------------------------------
// Settings

function numberSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number from ${min} to ${max}`);
  return n;
}

const DURATION = numberSetting('BENCH_DURATION', 10, 1, 120);
const WARMUP = numberSetting('BENCH_WARMUP', Math.min(5, Math.ceil(DURATION / 2)), 0, 60);
const CONNECTIONS = numberSetting('BENCH_CONNECTIONS', 32, 1, 256);
/** (b) and its two references are measured in this many alternating rounds (A B C A B C …). */
const ROUNDS = numberSetting('BENCH_ROUNDS', 2, 1, 10);
const SESSIONS = CONNECTIONS; // one session (own cookie and CSRF token) per connection
const DOSSIERS = 1000;
const PROFILE = process.env.BENCH_PROFILE === '1';
const ONLY = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((k) => k.trim())
  .filter(Boolean);
const selected = (key: string) =>
  ONLY.length === 0 ||
  ONLY.includes(key) ||
  (['bare', 'obvious'].includes(key) && ONLY.includes('b')) ||
  (key === 'f2' && ONLY.includes('f')) ||
  (key === 'h' && ONLY.includes('f')) ||
  (key === 'b-open' && ONLY.includes('b')) ||
  (key === 'e100k' && ONLY.includes('e'));
/** The node binary of the portal and the reference servers (BENCH_NODE: e.g. Node 24, as in production). */
const NODE = process.env.BENCH_NODE || process.execPath;
const nodeVersion =
  spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout?.trim() ||
  (() => {
    throw new Error(`BENCH_NODE ${NODE} does not run`);
  })();
/** Dossiers of the organisation in (e100k): (e)'s and 99 000 older ones. */
const MANY_DOSSIERS = 100_000;
const PG_SERVER = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
/** Everything stops, cleaned up, after this long whatever happens. */
const WATCHDOG_MS = 15 * 60_000;

const RESULTS_DIR = join(PROJECT_ROOT, 'bench', 'results');
const TSX = ['--import', 'tsx'];
const t0 = performance.now();
const loadAtStart = loadavg()[0];
let busyAtStart: number | null = null;

/** How busy all CPUs were (0..1) over `ms`, from /proc/stat: other work on the machine makes every figure noisy. */
async function machineBusy(ms: number): Promise<number | null> {
  const read = () => {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = line[3] + (line[4] ?? 0);
    return { idle, total: line.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = read();
    await new Promise((r) => setTimeout(r, ms));
    const b = read();
    return b.total > a.total ? 1 - (b.idle - a.idle) / (b.total - a.total) : null;
  } catch {
    return null;
  }
}
const log = (line: string) =>
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);

// ---------------------------------------------------------------------------------------------
// Results

interface Figure {
  key: string;
  label: string;
  result?: LoadResult;
  peakRssMb?: number | null;
  /** Why there is no measurement. */
  skipped?: string;
  notes: string[];
}

interface Ceiling {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

const figures: Figure[] = [
  { key: 'a', label: '(a) home page', notes: [] },
  { key: 'b', label: '(b) form step GET (werknemer)', notes: [] },
  { key: 'c', label: '(c) form step POST (werknemer, valid)', notes: [] },
  { key: 'd', label: '(d) Bevestigen (complete submission)', notes: [] },
  {
    key: 'e',
    label: `(e) dossier list (${String(DOSSIERS).replace(/\B(?=(\d{3})+(?!\d))/g, ' ')} dossiers)`,
    notes: [],
  },
  { key: 'f', label: '(f) 5 000-row CSV upload → preview (1 connection, sequential)', notes: [] },
  { key: 'f2', label: '(f) preview page of that upload (100 rows per page)', notes: [] },
  { key: 'g', label: '(g) mail outbox → SMTP, 10 000 receipts (mails/s; ms per SMTP transaction)', notes: [] },
  { key: 'b-open', label: '(b) at a fixed rate of half its maximum (open loop)', notes: [] },
  { key: 'e100k', label: '(e) dossier list (100 000 dossiers)', notes: [] },
  { key: 'h', label: '(h) Bevestigen of that 5 000-row upload (1 request)', notes: [] },
  { key: 'bare', label: 'ref: bare node:http, page (b) from memory', notes: [] },
  { key: 'obvious', label: 'ref: obvious Express implementation of (b)', notes: [] },
];
const figure = (key: string) => figures.find((f) => f.key === key)!;
let ceiling: Ceiling | { skipped: string } = { skipped: 'not run' };
let mailCeiling: MailCeiling | { skipped: string } = { skipped: 'not run' };
let perTransaction: PerTransactionCeiling | { skipped: string } = { skipped: 'not run' };
let readyMs: number | null = null;
const notes: string[] = [];
let profileSummary = '';
let audit: AuditResult[] = [];

// ---------------------------------------------------------------------------------------------
// Clean-up: processes, database, temp files; idempotent, also from signals and the watchdog.

let tempDir = '';
let benchDbName = '';
let benchDb: Db | undefined;
let smtp: SMTPServer | undefined;
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAll(10_000).catch(() => {});
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await benchDb?.destroy().catch(() => {});
    if (benchDbName) {
      await dropDatabase(PG_SERVER, benchDbName).then(
        () => log(`dropped database ${benchDbName}`),
        (err: Error) => log(`could not drop database ${benchDbName}: ${err.message}`),
      );
    }
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  })();
  return cleaning;
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping and cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  log(`watchdog: the bench ran longer than ${WATCHDOG_MS / 60_000} minutes; stopping`);
  void cleanup().finally(() => process.exit(2));
}, WATCHDOG_MS);
watchdog.unref();

// ---------------------------------------------------------------------------------------------
// Steps

function build(): void {
  if (process.env.BENCH_SKIP_BUILD === '1') {
    log('BENCH_SKIP_BUILD=1: using the existing dist/');
  } else {
    log('npm run build');
    const started = performance.now();
    const res = spawnSync('npm', ['run', 'build', '--silent'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (res.status !== 0) {
      const output = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim().split('\n').slice(0, 10).join('\n');
      // tsc still emits JavaScript when it finds type errors (work in progress elsewhere in the tree).
      if (!existsSync(join(PROJECT_ROOT, 'dist/src/server.js'))) throw new Error(`npm run build failed:\n${output}`);
      notes.push('`npm run build` reported type errors; the emitted JavaScript was benchmarked anyway.');
      log(`build reported errors (continuing with the emitted JavaScript):\n${output}`);
    }
    log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  if (!existsSync(join(PROJECT_ROOT, 'dist/src/server.js')))
    throw new Error('dist/src/server.js is missing: run npm run build');
}

async function startSmtpCapture(): Promise<{ port: number; count: () => number }> {
  let messages = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 500,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        messages++;
        callback();
      });
    },
  });
  server.on('error', () => {});
  smtp = server;
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { port, count: () => messages };
}

/** Runs the load generator in its own process on the load core; returns a result per target (same order). */
async function runLoad(
  targets: { spec: LoadSpec; serverPid: number }[],
  rounds: number,
): Promise<{ result: LoadResult; peakRssMb: number | null }[]> {
  const plan: LoadPlan = { targets: targets.map((t) => ({ ...t.spec, serverPid: t.serverPid })), rounds };
  const name = targets.map((t) => t.spec.name).join('+');
  const planFile = join(tempDir, `load-${name}.json`);
  writeFileSync(planFile, JSON.stringify(plan));
  const resetOk = targets.map((t) => resetPeakRss(t.serverPid));
  const proc = spawnPinned(
    `load generator (${name})`,
    LOAD_CORE,
    process.execPath,
    [...TSX, join(PROJECT_ROOT, 'bench/loadgen.ts'), planFile],
    { cwd: PROJECT_ROOT },
  );
  let stderr = '';
  proc.child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
  const limitMs =
    (targets.reduce((n, t) => n + t.spec.warmupSeconds + t.spec.durationSeconds + 5 * rounds, 0) + 60) * 1000;
  try {
    const results = await firstJsonLine<LoadResult[]>(proc, limitMs);
    await proc.exited;
    return targets.map((t, i) => {
      if (!resetOk[i]) notes.push(`peak RSS of ${t.spec.name} is the process's peak so far (could not reset VmHWM).`);
      return { result: results[i], peakRssMb: peakRssMb(t.serverPid) };
    });
  } catch (err) {
    await proc.stop(2_000);
    throw new Error(`${(err as Error).message}${stderr ? `\n${stderr.trim()}` : ''}`);
  }
}

/** Measures figures together: warm-up each, then `rounds` alternating rounds (their ratio survives background load). */
async function measureTogether(
  all: { key: string; spec: LoadSpec; serverPid: number }[],
  rounds: number,
): Promise<void> {
  for (const { key } of all.filter((i) => !selected(i.key))) figure(key).skipped = 'not selected (BENCH_ONLY)';
  const items = all.filter((i) => selected(i.key));
  if (items.length === 0) return;
  for (const { key, spec } of items)
    log(
      `measuring ${figure(key).label}: ${spec.warmupSeconds} s warm-up + ${spec.durationSeconds} s at ${spec.connections} connections`,
    );
  if (items.length > 1)
    log(
      `  (alternating in ${rounds} rounds of ${(items[0].spec.durationSeconds / rounds).toFixed(1)} s: ${items.map((i) => i.key).join(', ')})`,
    );
  try {
    const measured = await runLoad(
      items.map(({ spec, serverPid }) => ({ spec, serverPid })),
      rounds,
    );
    measured.forEach(({ result, peakRssMb: peak }, i) => {
      const f = figure(items[i].key);
      f.result = result;
      f.peakRssMb = peak;
      log(
        `  ${items[i].key}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ${result.bad + result.errors + result.timeouts} errors` +
          (result.badSamples.length ? ` (e.g. ${result.badSamples[0]})` : ''),
      );
    });
  } catch (err) {
    const reason = `failed: ${(err as Error).message.split('\n')[0]}`;
    for (const { key } of items) figure(key).skipped = reason;
    log(`  ${reason}`);
  }
}

async function measure(key: string, spec: LoadSpec, serverPid: number): Promise<LoadResult | undefined> {
  await measureTogether([{ key, spec, serverPid }], 1);
  return figure(key).result;
}

/** The node options production runs with: `ENV NODE_OPTIONS="…"` in the Dockerfile. */
function dockerfileNodeOptions(): string[] {
  const match = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
  return (match?.[1] ?? '').split(/\s+/).filter(Boolean);
}

/** Valid input per step (as the browser posts it), for a 40-hour ODB training starting today. */
function validInput(unitId: number, today: string) {
  return {
    werkgever: {
      unitChoice: String(unitId),
      unitNumber: '',
      unitName: '',
      unitStreet: '',
      unitPostcode: '',
      unitCity: '',
      contactName: 'Bench Gebruiker',
      contactPhone: '09 123 45 67',
      contactEmail: 'bench.werkgever@example.be',
      iban: 'BE68 5390 0754 7034',
      bic: 'GEBABEBB',
    },
    werknemer: {
      insz: '85.07.30-033.28',
      firstName: 'Eva',
      lastName: 'Werknemer',
      email: 'eva.werknemer@example.be',
      twp: '100',
      weeklyHours: '38',
      schedule: 'vast',
      newEmployee: 'nee',
      employmentStartDate: '',
    },
    opleiding: {
      trainingType: 'odb',
      odbNumber: '12345',
      trainingName: 'Veiligheidscoordinator niveau A',
      providerName: 'Syntra West',
      providerNumber: '0403.170.701',
      startDate: formatDateNl(today),
      endDate: formatDateNl(addMonths(today, 6)),
      examDate: '',
      originalStartDate: '',
      sizeKind: 'contacturen',
      sizeAmount: '40',
      examCount: '',
      evcHours: '',
      careerGuidanceAttestDate: '',
    },
    initiatief: { initiative: 'werkgever', employeeAgreement: 'ja' },
    bijlagen: { actie: 'volgende' },
  };
}

/** Fills steps 1–5 of a new request through the form as the session's browser; returns the draft id. */
async function completeDraftThroughForm(session: LoggedIn, input: ReturnType<typeof validInput>): Promise<number> {
  const b = session.browser;
  const first = expectStatus(
    await b.post(`${paths.refund}/nieuw/werkgever`, { ...input.werkgever, _csrf: session.csrf, actie: 'volgende' }),
    303,
    'step werkgever',
  );
  const m = /^\/terugbetaling\/(\d+)\/werknemer$/.exec(first.location ?? '');
  if (!m) throw new Error(`step werkgever redirected to ${first.location}`);
  const draftId = Number(m[1]);
  for (const slug of ['werknemer', 'opleiding', 'initiatief', 'bijlagen'] as const) {
    const res = expectStatus(
      await b.post(`${paths.refund}/${draftId}/${slug}`, { ...input[slug], _csrf: session.csrf, actie: 'volgende' }),
      303,
      `step ${slug}`,
    );
    if (!res.location?.startsWith(`${paths.refund}/${draftId}/`))
      throw new Error(`step ${slug} redirected to ${res.location}`);
  }
  return draftId;
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  for (let i = 0; i < items.length; i += size) {
    const batch = items.slice(i, i + size);
    const results = await Promise.all(batch.map((item, j) => fn(item, i + j)));
    results.forEach((r, j) => (out[i + j] = r));
  }
  return out;
}

/** Hides what differs per session or per request (CSRF token, CSP nonce) so two pages can be compared. */
function normalisePage(html: string): string {
  return html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""').replace(/ nonce="[^"]*"/g, ' nonce=""');
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `at byte ${i}: portal …${JSON.stringify(a.slice(Math.max(0, i - 40), i + 60))}… vs obvious …${JSON.stringify(b.slice(Math.max(0, i - 40), i + 60))}…`;
}

/** pgbench-style ceiling for (d): `rows` single-row INSERTs of real dossier rows in one transaction, one bare pg client. */
async function insertCeiling(dbUrl: string, rows: number, sampleDossierId: number): Promise<Ceiling> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    await client.query('CREATE TABLE bench_insert_ceiling (LIKE dossier INCLUDING ALL)');
    const { rows: sample } = await client.query('SELECT * FROM dossier WHERE id = $1', [sampleDossierId]);
    const s = sample[0];
    const sql = `INSERT INTO bench_insert_ceiling (dossiernummer, organisation_id, draft_id, status, employee_insz, employee_first_name, employee_last_name, employee_email,
      training_type, training_name, odb_number, training_key, training_start_date, school_year_start, initiative, training_hours, vov_hours, forfait_cents,
      amount_cents, snapshot, submitted_at, submitted_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,now(),$21)`;
    const snapshot = JSON.stringify(s.snapshot);
    const started = performance.now();
    await client.query('BEGIN');
    for (let i = 0; i < rows; i++) {
      await client.query(sql, [
        `VOV-9999-${String(i).padStart(6, '0')}`,
        s.organisation_id,
        1_000_000 + i,
        s.status,
        s.employee_insz,
        s.employee_first_name,
        s.employee_last_name,
        s.employee_email,
        s.training_type,
        s.training_name,
        s.odb_number,
        `${s.training_key}:${i}`,
        s.training_start_date,
        s.school_year_start,
        s.initiative,
        s.training_hours,
        s.vov_hours,
        s.forfait_cents,
        s.amount_cents,
        snapshot,
        s.submitted_by,
      ]);
    }
    await client.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;
    return { rows, seconds, rowsPerSecond: rows / seconds };
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_insert_ceiling').catch(() => {});
    await client.end();
  }
}

/** A 5 000-row CSV as Excel (nl-BE) writes it, every row a valid request for another employee. */
async function bulkCsv(rows: number, unitNumber: string, today: string): Promise<Buffer> {
  const { COLUMNS } = await import('../src/bulk/columns.js');
  const input = validInput(0, today);
  const inszs = inszNumbers(rows, 60);
  const base: Record<string, string> = {
    ...input.werkgever,
    unitNumber,
    ...input.werknemer,
    ...input.opleiding,
    ...input.initiatief,
  };
  const cell = (v: string) => (/[";\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [COLUMNS.map((c) => cell(c.header)).join(';')];
  for (let i = 0; i < rows; i++) {
    const row: Record<string, string> = {
      ...base,
      insz: inszs[i],
      lastName: `Werknemer ${i + 1}`,
      email: `werknemer${i + 1}@example.be`,
    };
    lines.push(COLUMNS.map((c) => cell(row[c.key] ?? '')).join(';'));
  }
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

function multipartBody(
  fields: Record<string, string>,
  file: { field: string; filename: string; type: string; data: Buffer },
): { body: Buffer; type: string } {
  const boundary = `----wsebench${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
  );
  parts.push(file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

function percentileOf(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
    : NaN;
}

/**
 * (f): the 5 000-row upload, one at a time for the figure's duration (each parses, validates every row with
 * the form's rules and stores the preview), then the preview page of the last upload at full concurrency.
 */
async function measureBulk(
  origin: string,
  session: LoggedIn,
  unitNumber: string,
  today: string,
  serverPid: number,
): Promise<string | undefined> {
  const f = figure('f');
  const csv = await bulkCsv(5000, unitNumber, today);
  const { body, type } = multipartBody(
    { _csrf: session.csrf },
    { field: 'bestand', filename: 'bench-5000.csv', type: 'text/csv', data: csv },
  );
  const bytes = new Uint8Array(new ArrayBuffer(body.length));
  bytes.set(body);
  const upload = async (): Promise<{ ms: number; location: string | null; status: number }> => {
    const started = performance.now();
    const res = await fetch(`${origin}${paths.bulk}`, {
      method: 'POST',
      headers: { ...PROXY_HEADERS, cookie: session.cookie, 'content-type': type },
      body: bytes,
      redirect: 'manual',
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    const location = res.headers.get('location');
    if (res.status !== 303)
      log(
        `  upload answered ${res.status}: ${text
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .slice(0, 200)}`,
      );
    return { ms: performance.now() - started, location, status: res.status };
  };
  log(`measuring ${f.label}: ${(csv.length / 1024 / 1024).toFixed(1)} MB file, 1 warm-up upload + ${DURATION} s`);
  const warm = await upload();
  if (warm.status !== 303 || !/^\/meerdere-aanvragen\/\d+$/.test(warm.location ?? '')) {
    f.skipped = `failed: the upload answered ${warm.status} ${warm.location ?? ''}`;
    figure('f2').skipped = 'n/a (no upload)';
    return undefined;
  }
  const resetOk = resetPeakRss(serverPid);
  const cpuBefore = processCpuMs(serverPid);
  const started = performance.now();
  const windowStart = Number(process.hrtime.bigint() / 1000n);
  const samples: number[] = [];
  let bad = 0;
  let last = warm.location!;
  do {
    const r = await upload();
    samples.push(r.ms);
    if (r.status === 303 && /^\/meerdere-aanvragen\/\d+$/.test(r.location ?? '')) last = r.location!;
    else bad++;
  } while ((performance.now() - started) / 1000 < DURATION || samples.length < 2);
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = processCpuMs(serverPid);
  f.result = {
    name: 'f-bulk-upload',
    completed: samples.length,
    ok: samples.length - bad,
    bad,
    errors: 0,
    timeouts: 0,
    seconds,
    rps: samples.length / seconds,
    p50: percentileOf(samples, 50),
    p90: percentileOf(samples, 90),
    p99: percentileOf(samples, 99),
    max: Math.max(...samples),
    statusCounts: {},
    badSamples: [],
    windowsUs: [[windowStart, Number(process.hrtime.bigint() / 1000n)]],
    ...(cpuBefore !== null && cpuAfter !== null
      ? {
          serverCpuMsPerRequest: (cpuAfter - cpuBefore) / samples.length,
          serverCpuLoad: (cpuAfter - cpuBefore) / (seconds * 1000),
        }
      : {}),
  };
  f.peakRssMb = peakRssMb(serverPid);
  if (!resetOk) notes.push('peak RSS of (f) is the process peak so far (could not reset VmHWM).');
  log(`  ${samples.length} uploads, p50 ${f.result.p50.toFixed(0)} ms each, ${bad} errors`);

  // What the preview says about the file (all 5 000 rows should be valid).
  const preview = await session.browser.get(last);
  const valid = /<strong>([\d.]+)<\/strong> in orde/.exec(preview.text)?.[1];
  const invalid = /<strong>([\d.]+)<\/strong> met fouten/.exec(preview.text)?.[1];
  f.notes.push(
    `Preview of the last upload: ${valid ?? '?'} rows valid, ${invalid ?? '?'} with errors; ${(csv.length / 1024 / 1024).toFixed(1)} MB file.`,
  );
  if (invalid && invalid !== '0') {
    const problem = /<div class="error-summary"[\s\S]*?<\/ul>/
      .exec(preview.text)?.[0]
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    f.notes.push(`**Rows with errors** in the bench file: ${problem ?? 'see the preview'}`);
  }
  await measure(
    'f2',
    {
      origin,
      connections: CONNECTIONS,
      warmupSeconds: WARMUP,
      durationSeconds: DURATION,
      name: 'f-preview',
      clients: [{ method: 'GET', path: last, headers: { ...PROXY_HEADERS, cookie: session.cookie } }],
      expect: { status: 200, bodyIncludes: ['Controleer de aanvragen uit uw bestand', '</html>'] },
    },
    serverPid,
  );
  return last;
}

/** (h): Bevestigen of the last 5 000-row upload: one request, timed until its redirect; then what it queued. */
async function measureBulkConfirm(origin: string, session: LoggedIn, previewPath: string, serverPid: number, db: Db) {
  const h = figure('h');
  log(`measuring ${h.label}`);
  const before = await db.raw<{ rows: { dossier: string; mail: string }[] }>(
    'SELECT (SELECT coalesce(max(id), 0) FROM dossier) AS dossier, (SELECT coalesce(max(id), 0) FROM mail_outbox) AS mail',
  );
  const resetOk = resetPeakRss(serverPid);
  const cpuBefore = processCpuMs(serverPid);
  const windowStart = Number(process.hrtime.bigint() / 1000n);
  const started = performance.now();
  const answer = await fetch(`${origin}${previewPath}/bevestigen`, {
    method: 'POST',
    headers: { ...PROXY_HEADERS, cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: session.csrf, declaration: 'ja' }).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(180_000),
  });
  await answer.arrayBuffer();
  const ms = performance.now() - started;
  const res = { status: answer.status, location: answer.headers.get('location') };
  const cpuAfter = processCpuMs(serverPid);
  const ok = res.status === 303 && /\/ontvangstbevestiging$/.test(res.location ?? '');
  h.result = {
    name: 'h-bulk-confirm',
    completed: 1,
    ok: ok ? 1 : 0,
    bad: ok ? 0 : 1,
    errors: 0,
    timeouts: 0,
    seconds: ms / 1000,
    rps: 1000 / ms,
    p50: ms,
    p90: ms,
    p99: ms,
    max: ms,
    statusCounts: { [res.status]: 1 },
    badSamples: ok ? [] : [`status ${res.status} ${res.location ?? ''}`],
    windowsUs: [[windowStart, Number(process.hrtime.bigint() / 1000n)]],
    ...(cpuBefore !== null && cpuAfter !== null
      ? { serverCpuMsPerRequest: cpuAfter - cpuBefore, serverCpuLoad: (cpuAfter - cpuBefore) / ms }
      : {}),
  };
  h.peakRssMb = peakRssMb(serverPid);
  if (!resetOk) notes.push('peak RSS of (h) is the process peak so far (could not reset VmHWM).');
  const { dossier, mail } = before.rows[0];
  const after = await db.raw<{ rows: { dossiers: number; mails: number }[] }>(
    'SELECT (SELECT count(*)::int FROM dossier WHERE id > ?) AS dossiers, (SELECT count(*)::int FROM mail_outbox WHERE id > ?) AS mails',
    [dossier, mail],
  );
  const { dossiers, mails } = after.rows[0];
  h.notes.push(
    `${(ms / 1000).toFixed(1)} s until the redirect to the receipt (status ${res.status}); ${dossiers} dossiers filed and ${mails} receipt mails queued by it.`,
  );
  if (!ok || dossiers !== 5000) h.notes.push('**Consistency check failed** (expected 5 000 dossiers).');
  log(`  ${(ms / 1000).toFixed(1)} s, ${dossiers} dossiers, ${mails} mails queued`);
}

/** User + system CPU milliseconds of a process so far (USER_HZ = 100), or null. */
function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * The two reference servers for (b), on the server core next to the (idle) portal: a bare node:http server
 * with the captured page in memory, and the obvious implementation with sessions of its own.
 */
async function startReferenceServers(
  stepPage: string,
  drafts: number[],
  csrf: string,
  data: BenchData,
  dbUrl: string,
  publicUrl: string,
) {
  const pageFile = join(tempDir, 'page-b.html');
  writeFileSync(pageFile, stepPage);
  const barePort = await freePort();
  const bare = spawnPinned('bare server', SERVER_CORE, NODE, [...TSX, join(PROJECT_ROOT, 'bench/bare-server.ts')], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, BENCH_PORT: String(barePort), BENCH_PAGE_FILE: pageFile },
  });
  const obviousPort = await freePort();
  const obvious = spawnPinned(
    'obvious server',
    SERVER_CORE,
    NODE,
    [
      // The heap limits the portal runs with in production (the Dockerfile's), so that both pay the same GC.
      ...dockerfileNodeOptions(),
      // Profiled too, so that the two profiles of the same page can be compared function by function.
      ...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', join(RESULTS_DIR, 'profile', 'obvious')] : []),
      ...TSX,
      join(PROJECT_ROOT, 'bench/obvious-server.ts'),
    ],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        BENCH_PORT: String(obviousPort),
        DATABASE_URL: dbUrl,
        BENCH_PUBLIC_URL: publicUrl,
        BENCH_CSRF: csrf,
      },
    },
  );
  obvious.child.stderr?.on('data', (c: Buffer) => {
    const text = c.toString('utf8').trim();
    if (!/deprecated/.test(text)) log(`obvious: ${text}`);
  });
  await Promise.all([firstJsonLine(bare, 30_000), firstJsonLine(obvious, 30_000)]);
  const obviousOrigin = `http://127.0.0.1:${obviousPort}`;
  const obviousCookies = await inBatches(data.people, 8, async (p) => {
    const b = new Browser(obviousOrigin);
    expectStatus(
      await b.get(`/bench-login?person=${p.id}&organisation=${data.formOrganisation.id}`),
      204,
      'obvious login',
    );
    return b.cookieHeader();
  });
  const obviousPage = expectStatus(
    await new Browser(obviousOrigin, { cookie: obviousCookies[0] }).get(`${paths.refund}/${drafts[0]}/werknemer`),
    200,
    'obvious step page',
  ).text;
  const same = normalisePage(obviousPage) === normalisePage(stepPage);
  figure('obvious').notes.push(
    same
      ? `Serves the same bytes as (b) (${Buffer.byteLength(stepPage)} bytes; only the CSRF token and CSP nonce differ per session/request).`
      : `**Differs from (b)** ${firstDifference(normalisePage(stepPage), normalisePage(obviousPage))}`,
  );
  return { bare, bareOrigin: `http://127.0.0.1:${barePort}`, obvious, obviousOrigin, obviousCookies };
}

// ---------------------------------------------------------------------------------------------
// The run

async function main(): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  busyAtStart = await machineBusy(2_000);
  if (busyAtStart !== null && busyAtStart > 0.15)
    log(
      `warning: the machine is ${(busyAtStart * 100).toFixed(0)} % busy with other work before the bench starts; figures will be noisy`,
    );
  const pinnedSelf = pinSelf(LOAD_CORE);
  if (!PINNING)
    notes.push('No CPU pinning (taskset missing or fewer than 2 cores): server and load generator share the CPUs.');
  log(
    `duration ${DURATION} s per figure after ${WARMUP} s warm-up, ${CONNECTIONS} connections${PINNING ? `; server on core ${SERVER_CORE}, load on core ${LOAD_CORE}${pinnedSelf ? ' (with the bench itself)' : ''}` : ''}`,
  );
  build();

  tempDir = mkdtempSync(join(tmpdir(), 'wse-bench-'));
  const spKeys = generateKeyPairWithCertificate('WSE-loket benchmark service provider');
  const spKeyFile = join(tempDir, 'sp-key.pem');
  const spCertFile = join(tempDir, 'sp-cert.pem');
  writeFileSync(spKeyFile, spKeys.key, { mode: 0o600 });
  writeFileSync(spCertFile, spKeys.cert);

  // A fresh database: migrated and seeded here, so the portal's start is an ordinary (re)start.
  await dropStaleBenchDatabases(PG_SERVER, log);
  benchDbName = `wse_bench_${Date.now()}`;
  await createDatabase(PG_SERVER, benchDbName);
  const dbUrl = withDatabase(PG_SERVER, benchDbName);
  benchDb = createDb(dbUrl, 4);
  const db = benchDb;
  await migrateLatest(db);
  const today = todayInBrussels(new Date());
  const data: BenchData = await seedOrganisationsAndPeople(db, SESSIONS);
  const seeded = await seedDossiers(
    db,
    data.dossierOrganisation.id,
    data.people[0].id,
    DOSSIERS,
    schoolYearOf(today).start,
  );
  await db.raw('VACUUM ANALYZE dossier, refund_draft');
  log(
    `database ${benchDbName}: ${SESSIONS} people in 2 organisations, ${DOSSIERS} dossiers in "${data.dossierOrganisation.name}"`,
  );

  // The IdP (the project's dev IdP in a process of its own) and the SMTP capture.
  const portalPort = await freePort();
  const idpPort = await freePort();
  const publicUrl = `https://127.0.0.1:${portalPort}`;
  const mail = await startSmtpCapture();
  const idp = spawnPinned('dev IdP', LOAD_CORE, process.execPath, [...TSX, join(PROJECT_ROOT, 'bench/idp-server.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      BENCH_IDP_PORT: String(idpPort),
      BENCH_PORTAL_PUBLIC_URL: publicUrl,
      SAML_SP_KEY: spKeyFile,
      SAML_SP_CERT: spCertFile,
      DATA_DIR: join(tempDir, 'idp'),
    },
  });
  idp.child.stderr?.on('data', (c: Buffer) => log(`idp: ${c.toString('utf8').trim()}`));
  const { certFile: idpCertFile } = await firstJsonLine<{ certFile: string }>(idp, 60_000);

  // The portal, in production mode, behind a (simulated) TLS proxy.
  const serverLogFile = join(RESULTS_DIR, 'server.log');
  const serverLog = openSync(serverLogFile, 'w');
  const profileDir = join(RESULTS_DIR, 'profile');
  if (PROFILE) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  const portalEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(portalPort),
    PUBLIC_URL: publicUrl,
    TRUST_PROXY: 'loopback',
    DATABASE_URL: dbUrl,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    SAML_IDP_SSO_URL: `http://127.0.0.1:${idpPort}/dev-idp/sso`,
    SAML_IDP_CERT: idpCertFile,
    SAML_IDP_ENTITY_ID: `${publicUrl}/dev-idp/metadata`,
    SAML_SP_KEY: spKeyFile,
    SAML_SP_CERT: spCertFile,
    SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'info',
    DATA_DIR: join(tempDir, 'portal'),
  };
  // Production's node options (the Dockerfile's NODE_OPTIONS), then BENCH_NODE_ARGS to try a flag without changing code.
  const productionArgs = dockerfileNodeOptions();
  const extraArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  notes.push(
    `The portal ran with the Dockerfile's node options${productionArgs.length ? ` \`${productionArgs.join(' ')}\`` : ' (none)'}${extraArgs.length ? ` and BENCH_NODE_ARGS \`${extraArgs.join(' ')}\`` : ''}.`,
  );
  const nodeArgs = [
    ...productionArgs,
    ...extraArgs,
    ...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
    'dist/src/server.js',
  ];
  const startedAt = performance.now();
  const portal: Proc = spawnPinned('portal', SERVER_CORE, NODE, nodeArgs, {
    cwd: PROJECT_ROOT,
    env: portalEnv,
    stdio: ['ignore', serverLog, serverLog],
  });
  closeSync(serverLog);
  await waitForOk(`http://127.0.0.1:${portalPort}${paths.readyz}`, 30_000, portal, 5);
  readyMs = performance.now() - startedAt;
  const rssAtStart = rssMb(portal.pid);
  log(
    `portal ready in ${readyMs.toFixed(0)} ms (production start → /readyz); log in ${relative(PROJECT_ROOT, serverLogFile)}`,
  );
  const origin = `http://127.0.0.1:${portalPort}`;
  const idpOrigin = `http://127.0.0.1:${idpPort}`;

  // 2 × SESSIONS real logins: one set acting for the form organisation, one for the dossier organisation.
  const loginStarted = performance.now();
  const formSessions = await inBatches(data.people, 4, (p) =>
    loginForOrganisation(origin, idpOrigin, p, data.formOrganisation.id),
  );
  const listSessions = await inBatches(data.people, 4, (p) =>
    loginForOrganisation(origin, idpOrigin, p, data.dossierOrganisation.id),
  );
  log(
    `${formSessions.length + listSessions.length} sessions logged in through the dev IdP in ${((performance.now() - loginStarted) / 1000).toFixed(1)} s`,
  );
  await idp.stop();
  notes.push(
    `Portal RSS: ${fmt(rssAtStart, 0)} MB when ready, ${fmt(rssMb(portal.pid), 0)} MB after the logins (before any load).`,
  );

  const base = { origin, connections: CONNECTIONS, warmupSeconds: WARMUP, durationSeconds: DURATION };
  const sessionHeaders = (s: LoggedIn) => ({ ...PROXY_HEADERS, cookie: s.cookie });

  // (a) the organisation's home page.
  await measure(
    'a',
    {
      ...base,
      name: 'a-home',
      clients: formSessions.map((s) => ({ method: 'GET', path: paths.home, headers: sessionHeaders(s) })),
      expect: { status: 200, bodyIncludes: [`<h1>${data.formOrganisation.name}</h1>`, '</html>'] },
    },
    portal.pid,
  );

  // One complete draft per session, filled in through the form (steps 1–5).
  const input = validInput(data.formOrganisation.unitId, today);
  let drafts: number[] = [];
  let stepPage = '';
  try {
    drafts = await inBatches(formSessions, 4, (s) => completeDraftThroughForm(s, input));
    const page = expectStatus(
      await formSessions[0].browser.get(`${paths.refund}/${drafts[0]}/werknemer`),
      200,
      'step werknemer page',
    );
    if (csrfTokenFrom(page.text) !== formSessions[0].csrf)
      throw new Error('the CSRF token on the step page differs from the session token');
    stepPage = page.text;
    log(`${drafts.length} drafts filled in through the form (steps 1–5)`);
  } catch (err) {
    const reason = `failed: preparing drafts through the form: ${(err as Error).message}`;
    for (const k of ['b', 'c', 'd']) figure(k).skipped = reason;
    log(reason);
  }
  const stepMarkers = ['Stap 2 van 6: Werknemer', 'name="_csrf"', '</html>'];

  if (drafts.length) {
    // (b) a form step GET, measured in alternating rounds with the two reference servers serving the same page.
    const stepGet = (name: string, origin: string, cookies: string[], extra: Record<string, string>): LoadSpec => ({
      ...base,
      name,
      origin,
      clients: cookies.map((cookie, i) => ({
        method: 'GET',
        path: `${paths.refund}/${drafts[i]}/werknemer`,
        headers: cookie ? { ...extra, cookie } : extra,
      })),
      expect: { status: 200, bodyIncludes: stepMarkers },
    });
    const portalStep = {
      key: 'b',
      spec: stepGet(
        'b-step-get',
        origin,
        formSessions.map((s) => s.cookie),
        PROXY_HEADERS,
      ),
      serverPid: portal.pid,
    };
    let refs: Awaited<ReturnType<typeof startReferenceServers>> | undefined;
    if (selected('b')) {
      try {
        refs = await startReferenceServers(stepPage, drafts, formSessions[0].csrf, data, dbUrl, publicUrl);
      } catch (err) {
        const reason = `failed: ${(err as Error).message.split('\n')[0]}`;
        figure('bare').skipped = reason;
        figure('obvious').skipped = reason;
        log(`reference servers ${reason}`);
      }
    }
    if (refs) {
      await measureTogether(
        [
          portalStep,
          {
            key: 'obvious',
            spec: stepGet('ref-obvious', refs.obviousOrigin, refs.obviousCookies, {}),
            serverPid: refs.obvious.pid,
          },
          { key: 'bare', spec: stepGet('ref-bare', refs.bareOrigin, [''], {}), serverPid: refs.bare.pid },
        ],
        ROUNDS,
      );
      await refs.obvious.stop();
      await refs.bare.stop();
    } else await measureTogether([portalStep], 1);

    // (b) at a fixed arrival rate of half the rate it reached: the latency a user feels when the portal is not
    // saturated (at 32 always-busy connections p99 only measures the queue).
    const bRate = figure('b').result?.rps;
    if (bRate && selected('b-open')) {
      await measure(
        'b-open',
        { ...portalStep.spec, name: 'b-open', overallRate: Math.max(1, Math.round(bRate / 2)) },
        portal.pid,
      );
      figure('b-open').notes.push(
        `${Math.round(bRate / 2)} requests/s offered (autocannon overallRate over ${CONNECTIONS} connections; a request waits only when all ${CONNECTIONS} are busy).`,
      );
    } else figure('b-open').skipped = bRate ? 'not selected (BENCH_ONLY)' : 'n/a (no (b))';

    // (c) the same step POSTed with a valid body (→ 303 to the next step).
    await measure(
      'c',
      {
        ...base,
        name: 'c-step-post',
        clients: formSessions.map((s, i) => ({
          method: 'POST',
          path: `${paths.refund}/${drafts[i]}/werknemer`,
          headers: { ...sessionHeaders(s), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: s.csrf, ...input.werknemer, actie: 'volgende' }).toString(),
        })),
        expect: { status: 303, locationPattern: '^/terugbetaling/\\d+/opleiding$' },
      },
      portal.pid,
    );
  }

  // (e) Mijn dossiers of the organisation with the seeded dossiers (the newest one is on the first page, paged or not).
  try {
    const page = expectStatus(await listSessions[0].browser.get(paths.dossiers), 200, 'dossier list');
    const shown = new Set(page.text.match(/VOV-\d{4}-\d{6,}/g) ?? []).size;
    figure('e').notes.push(
      `The page shows ${shown} of the ${DOSSIERS} dossiers (${Buffer.byteLength(page.text).toLocaleString('en-US')} bytes).`,
    );
  } catch (err) {
    log(`dossier list check: ${(err as Error).message}`);
  }
  await measure(
    'e',
    {
      ...base,
      name: 'e-dossier-list',
      clients: listSessions.map((s) => ({ method: 'GET', path: paths.dossiers, headers: sessionHeaders(s) })),
      expect: { status: 200, bodyIncludes: [seeded.newest, '</html>'] },
    },
    portal.pid,
  );

  // (e100k): the same list after 99 000 older dossiers were added to that organisation (the same newest first).
  if (selected('e100k')) {
    const started = performance.now();
    await seedDossiers(
      db,
      data.dossierOrganisation.id,
      data.people[0].id,
      MANY_DOSSIERS - DOSSIERS,
      schoolYearOf(today).start,
      DOSSIERS + 1,
    );
    await db.raw('VACUUM ANALYZE dossier, refund_draft'); // as autovacuum leaves a table after a bulk load
    log(`${MANY_DOSSIERS - DOSSIERS} more dossiers seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await measure(
      'e100k',
      {
        ...base,
        name: 'e100k-dossier-list',
        clients: listSessions.map((s) => ({ method: 'GET', path: paths.dossiers, headers: sessionHeaders(s) })),
        expect: { status: 200, bodyIncludes: [seeded.newest, '</html>'] },
      },
      portal.pid,
    );
  } else figure('e100k').skipped = 'not selected (BENCH_ONLY)';

  // (f) once the bulk upload exists; its last upload is confirmed in (h), after (d) (its mails keep the portal busy).
  const bulkSession = formSessions[1] ?? formSessions[0];
  let bulkPreview: string | undefined;
  if (!selected('f')) {
    figure('f').skipped = 'not selected (BENCH_ONLY)';
    figure('f2').skipped = 'not selected (BENCH_ONLY)';
  } else {
    try {
      const unitNumber = (await db('establishment_unit').where({ id: data.formOrganisation.unitId }).first('number'))
        .number as string;
      bulkPreview = await measureBulk(origin, bulkSession, unitNumber, today, portal.pid);
    } catch (err) {
      figure('f').skipped ??= `failed: ${(err as Error).message.split('\n')[0]}`;
      log(`  (f) ${figure('f').skipped}`);
    }
  }

  // (d) Bevestigen on fresh drafts: copies of a form-filled draft, each for another employee.
  let submittedRows = 0;
  let sampleDossierId: number | null = null;
  if (drafts.length && !selected('d')) figure('d').skipped = 'not selected (BENCH_ONLY)';
  else if (drafts.length) {
    // Enough fresh drafts for the rate (c) reached, and never fewer than for 150 submissions/s (noise).
    const estimate = Math.max(150, figure('c').result?.rps ?? 200);
    const perConnection = (seconds: number, min: number) =>
      Math.min(500, Math.max(min, Math.ceil((estimate * seconds * 1.3) / CONNECTIONS)));
    const kWarm = WARMUP > 0 ? perConnection(WARMUP, 2) : 0;
    const kMeasure = perConnection(DURATION, 5);
    const total = CONNECTIONS * (kWarm + kMeasure);
    const clones = await cloneDraft(db, data.formOrganisation.id, drafts[0], inszNumbers(total, 80));
    const queues = formSessions.map((_s, i) => clones.slice(i * (kWarm + kMeasure), (i + 1) * (kWarm + kMeasure)));
    log(`${total} fresh drafts prepared for Bevestigen (${kWarm} + ${kMeasure} per connection)`);
    const d = await measure(
      'd',
      {
        ...base,
        name: 'd-submit',
        clients: formSessions.map((s, i) => ({
          method: 'POST',
          paths: queues[i].map((id) => `${paths.refund}/${id}/overzicht`),
          headers: { ...sessionHeaders(s), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _csrf: s.csrf, actie: 'volgende', declaration: 'ja' }).toString(),
        })),
        maxPerConnection: { warmup: kWarm, measure: kMeasure },
        expect: { status: 303, locationPattern: '^/mijn-dossiers/VOV-\\d{4}-\\d{6,}$' },
        collectLocations: true,
      },
      portal.pid,
    );
    if (d) {
      const numbers = (d.locations ?? []).map((l) => l.split('/').pop()!);
      const distinct = new Set(numbers).size;
      await new Promise((r) => setTimeout(r, 1_000)); // let requests cut off at the end finish committing
      const inDb = await db('dossier').whereIn('dossiernummer', numbers).count<{ count: number }[]>('* as count');
      const fromClones = Number(
        (await db('dossier').whereIn('draft_id', clones).count<{ count: number }[]>('* as count'))[0].count,
      );
      const doubles = await db.raw<{ rows: { n: number }[] }>(
        'SELECT count(*)::int AS n FROM (SELECT draft_id FROM dossier GROUP BY draft_id HAVING count(*) > 1) x',
      );
      const duplicates = numbers.length - distinct + doubles.rows[0].n;
      const receipts = d.ok + (d.warmup?.ok ?? 0);
      const f = figure('d');
      f.notes.push(
        `${numbers.length} receipts measured (303 → /mijn-dossiers/VOV-…), ${distinct} distinct, ${Number(inDb[0].count)} of them found in the database; ` +
          `${fromClones} dossiers from the ${total} prepared drafts for ${receipts} receipts in warm-up + measurement ` +
          `(the difference, at most 2 × ${CONNECTIONS}, are requests in flight when a phase ended: they commit, the bench stops listening); duplicate dossiers: ${duplicates}.`,
      );
      if (
        duplicates > 0 ||
        Number(inDb[0].count) !== distinct ||
        fromClones < receipts ||
        fromClones > receipts + 2 * CONNECTIONS
      )
        f.notes.push('**Consistency check failed.**');
      if (d.seconds < DURATION * 0.9)
        f.notes.push(`The prepared drafts ran out after ${d.seconds.toFixed(1)} s (rate measured over that time).`);
      submittedRows = distinct;
      const last = numbers[numbers.length - 1];
      sampleDossierId = last ? ((await db('dossier').where({ dossiernummer: last }).first('id'))?.id ?? null) : null;
    }
    // The receipts (d) queued: the backlog when it ended, and how long the portal's worker took to send it.
    const unsent = async () => Number((await db('mail_outbox').whereNull('sent_at').count({ n: '*' }).first())!.n);
    const [backlog, drainStart] = [await unsent(), performance.now()];
    let left = backlog;
    while (left > 0 && performance.now() - drainStart < 180_000)
      left = await new Promise((r) => setTimeout(r, 250)).then(unsent);
    const drainS = (performance.now() - drainStart) / 1000;
    notes.push(
      `Receipt mails after (d): ${backlog} in the outbox when (d) ended; ${left === 0 ? `drained in ${drainS.toFixed(1)} s (${fmt(backlog / drainS)} mails/s)` : `${left} still there after ${drainS.toFixed(0)} s`}; ${mail.count()} delivered in the whole run.`,
    );
  }

  if (!selected('h')) figure('h').skipped = 'not selected (BENCH_ONLY)';
  else if (!bulkPreview) figure('h').skipped = 'n/a (no upload)';
  else await measureBulkConfirm(origin, bulkSession, bulkPreview, portal.pid, db);

  // The portal stops here (graceful SIGTERM: the CPU profile is written on exit).
  const exitCode = await (async () => {
    await portal.stop(20_000);
    return portal.exited;
  })();
  if (exitCode !== 0) notes.push(`The portal exited with ${exitCode} on SIGTERM (see bench/results/server.log).`);

  // Which statements one request of each figure sends (the portal's app in this process, pg instrumented).
  if (!drafts.length) {
    figure('bare').skipped = 'n/a (no page (b) to serve)';
    figure('obvious').skipped = 'n/a (no page (b) to serve)';
  } else {
    try {
      const [auditDraft] = await cloneDraft(db, data.formOrganisation.id, drafts[0], inszNumbers(1, 99));
      const s0 = formSessions[0];
      const form = { ...sessionHeaders(s0) };
      audit = await auditQueries({ ...portalEnv, LOG_LEVEL: 'silent' }, [
        { label: '(a) GET /', method: 'GET', path: paths.home, headers: form, expectStatus: 200 },
        {
          label: '(b) GET step',
          method: 'GET',
          path: `${paths.refund}/${drafts[0]}/werknemer`,
          headers: form,
          expectStatus: 200,
        },
        {
          label: '(c) POST step',
          method: 'POST',
          path: `${paths.refund}/${drafts[0]}/werknemer`,
          headers: form,
          body: new URLSearchParams({ _csrf: s0.csrf, ...input.werknemer, actie: 'volgende' }).toString(),
          expectStatus: 303,
        },
        {
          label: '(d) POST Bevestigen',
          method: 'POST',
          path: `${paths.refund}/${auditDraft}/overzicht`,
          headers: form,
          body: new URLSearchParams({ _csrf: s0.csrf, actie: 'volgende', declaration: 'ja' }).toString(),
          expectStatus: 303,
        },
        {
          label: '(e) GET dossier list',
          method: 'GET',
          path: paths.dossiers,
          headers: sessionHeaders(listSessions[0]),
          expectStatus: 200,
        },
      ]);
      log(`query audit: ${audit.map((a) => `${a.label} ${a.statements.length}`).join(', ')}`);
    } catch (err) {
      notes.push(`Query audit failed: ${(err as Error).message}`);
    }
  }

  if (selected('g')) {
    const g = await measureMail(PG_SERVER, 10_000, log);
    Object.assign(figure('g'), { result: g.result, peakRssMb: g.peakRssMb, notes: g.notes });
    mailCeiling = g.ceiling;
  } else figure('g').skipped = 'not selected (BENCH_ONLY)';

  // Reference 3: the insert ceiling for (d).
  if (submittedRows > 0 && sampleDossierId !== null) {
    log(`insert ceiling: ${submittedRows} rows in one transaction`);
    ceiling = await insertCeiling(dbUrl, submittedRows, sampleDossierId);
    log(`per-transaction ceiling: ${CONNECTIONS} bare pg clients, one transaction per submission, ${DURATION} s`);
    try {
      perTransaction = await perTransactionCeiling(dbUrl, {
        dossierId: sampleDossierId,
        connections: CONNECTIONS,
        seconds: DURATION,
        maxTransactions: Math.min(60_000, 4_000 * DURATION),
      });
      log(`  ${perTransaction.perSecond.toFixed(0)} submissions/s`);
    } catch (err) {
      perTransaction = { skipped: `failed: ${(err as Error).message}` };
    }
  } else {
    ceiling = { skipped: 'n/a (no submissions measured)' };
    perTransaction = { skipped: 'n/a (no submissions measured)' };
  }

  if (PROFILE) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      const path = join(profileDir, file);
      const profile = loadProfile(path);
      const areaLine = (slice: ProfileSlice) =>
        slice.areas
          .filter((a) => a.percent >= 1)
          .map((a) => `${a.area} ${a.percent.toFixed(0)} %`)
          .join(', ');
      const table = (slice: ProfileSlice, limit: number) =>
        `| self | % | function | where |\n|---:|---:|---|---|\n` +
        slice.functions
          .filter((f) => !f.name.startsWith('(idle'))
          .slice(0, limit)
          .map((r) => `| ${r.ms.toFixed(0)} ms | ${r.percent.toFixed(1)} | \`${r.name}\` | ${r.where || r.area} |`)
          .join('\n');
      const whole = sliceProfile(profile, PROJECT_ROOT);
      const parts = [
        `## CPU profile of the portal\n`,
        `Profile: \`${relative(PROJECT_ROOT, path)}\` (Chrome DevTools → Performance → Load profile, or speedscope). ` +
          `Sampled ${(whole.totalMs / 1000).toFixed(1)} s over the whole run (start, logins, preparation, all figures). Self time by area: ${areaLine(whole)}.\n`,
        table(whole, 25),
        '',
      ];
      for (const f of figures.filter((x) => x.result && ['a', 'b', 'c', 'd', 'e', 'f', 'f2'].includes(x.key))) {
        const slice = sliceProfile(profile, PROJECT_ROOT, f.result!.windowsUs);
        if (!slice.totalMs) continue;
        parts.push(`### ${f.label} — measured seconds only\n`, `By area: ${areaLine(slice)}.\n`, table(slice, 12), '');
      }
      const obviousDir = join(profileDir, 'obvious');
      const obviousFile = existsSync(obviousDir) && readdirSync(obviousDir).find((f) => f.endsWith('.cpuprofile'));
      const obviousFigure = figures.find((x) => x.key === 'obvious' && x.result);
      if (obviousFile && obviousFigure) {
        const path = join(obviousDir, obviousFile);
        const slice = sliceProfile(loadProfile(path), PROJECT_ROOT, obviousFigure.result!.windowsUs);
        parts.push(
          `### ${obviousFigure.label} — its own profile (\`${relative(PROJECT_ROOT, path)}\`), measured seconds only\n`,
          `By area: ${areaLine(slice)}.\n`,
          table(slice, 12),
          '',
        );
      }
      profileSummary = parts.join('\n');
    } else notes.push('BENCH_PROFILE=1 but no .cpuprofile was written (did the portal exit cleanly?).');
  }
}

// ---------------------------------------------------------------------------------------------
// The report

function fmt(n: number | null | undefined, digits = 0): string {
  return n === null || n === undefined || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function gitDescription(): string {
  const head =
    spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout?.trim() ||
    'unknown';
  const dirty = (
    spawnSync('git', ['status', '--porcelain'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout ?? ''
  ).trim()
    ? ' + uncommitted changes'
    : '';
  return `${head}${dirty}`;
}

async function pgVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: withDatabase(PG_SERVER, 'postgres') });
  try {
    await client.connect();
    return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  } catch {
    return 'unknown';
  } finally {
    await client.end().catch(() => {});
  }
}

function ratio(a: number | undefined, b: number | undefined): number | null {
  return a !== undefined && b !== undefined && b > 0 ? a / b : null;
}

async function report(failure?: Error): Promise<string> {
  const cpu = cpus();
  const lines: string[] = [];
  lines.push(`# WSE-loket benchmark — ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`);
  lines.push('');
  lines.push(
    `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}; ` +
      `Node ${nodeVersion} (portal and reference servers${NODE === process.execPath ? '' : `, BENCH_NODE; the bench and load generator on ${process.version}`}); PostgreSQL ${await pgVersion()} (unpinned, same machine); commit ${gitDescription()}.`,
  );
  lines.push(
    `Run: ${WARMUP} s warm-up + ${DURATION} s per figure, ${CONNECTIONS} connections (autocannon 8, one session per connection)` +
      `${PINNING ? `; server pinned to core ${SERVER_CORE}, load generator to core ${LOAD_CORE}` : '; no pinning'}${PROFILE ? '; **profiled run (--cpu-prof): figures are slower than normal**' : ''}.`,
  );
  const busy = busyAtStart === null ? 'unknown' : `${(busyAtStart * 100).toFixed(0)} %`;
  lines.push(
    `Other work on the machine just before the run: CPUs ${busy} busy, load average ${loadAtStart.toFixed(2)}` +
      ((busyAtStart ?? 0) > 0.15
        ? ' — **the machine was busy: all figures are noisy; rerun on a quiet machine.**'
        : '.'),
  );
  lines.push('');
  if (failure) {
    lines.push(`**The run failed:** ${failure.message}`);
    lines.push('');
  }
  lines.push(
    '| figure | requests/s | p50 ms | p99 ms | errors | peak RSS MB | server CPU ms/req (core busy) | PostgreSQL CPU ms/req |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const f of figures) {
    if (!f.result) {
      lines.push(`| ${f.label} | ${f.skipped ?? 'not run'} | | | | | | |`);
      continue;
    }
    const r = f.result;
    const errors = r.bad + r.errors + r.timeouts;
    const cpu =
      r.serverCpuMsPerRequest === undefined
        ? '—'
        : `${fmt(r.serverCpuMsPerRequest, 2)} (${fmt((r.serverCpuLoad ?? 0) * 100, 0)} %)`;
    const databaseCpu = r.databaseCpuMsPerRequest === undefined ? '—' : fmt(r.databaseCpuMsPerRequest, 2);
    lines.push(
      `| ${f.label} | ${fmt(r.rps, r.rps < 10 ? 2 : 0)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${errors === 0 ? '0' : `**${errors}** of ${r.completed}`} | ${fmt(f.peakRssMb, 0)} | ${cpu} | ${databaseCpu} |`,
    );
  }
  if ('rowsPerSecond' in ceiling)
    lines.push(
      `| ref: insert ceiling for (d), ${ceiling.rows} rows in 1 transaction | ${fmt(ceiling.rowsPerSecond)} rows/s | | | 0 | | | |`,
    );
  else lines.push(`| ref: insert ceiling for (d) | ${ceiling.skipped} | | | | | | |`);
  const mailRef = 'perSecond' in mailCeiling ? mailCeiling : undefined;
  lines.push(
    `| ref: nodemailer straight to the SMTP server (g) | ${mailRef ? `${fmt(mailRef.perSecond)} mails/s` : (mailCeiling as { skipped: string }).skipped} | | ${fmt(mailRef?.p99, 1)} | | | | |`,
  );
  if ('perSecond' in perTransaction)
    lines.push(
      `| ref: per-transaction ceiling for (d), ${perTransaction.connections} bare pg clients, ${fmt(perTransaction.transactions)} transactions | ${fmt(perTransaction.perSecond)} submissions/s | | | 0 | | | |`,
    );
  else lines.push(`| ref: per-transaction ceiling for (d) | ${perTransaction.skipped} | | | | | | |`);
  lines.push('');

  const rps = (k: string) => figure(k).result?.rps;
  const bBare = ratio(rps('b'), rps('bare'));
  const bObvious = ratio(rps('b'), rps('obvious'));
  const dCeiling = ratio(rps('d'), 'rowsPerSecond' in ceiling ? ceiling.rowsPerSecond : undefined);
  lines.push('| ratio / time | value | goal | met |');
  lines.push('|---|---:|---:|:-:|');
  const goal = (name: string, value: number | null, shown: string, target: string, ok?: (v: number) => boolean) =>
    lines.push(
      `| ${name} | ${value === null ? '—' : shown} | ${target} | ${value === null || !ok ? '' : ok(value) ? 'yes' : '**no**'} |`,
    );
  goal('(b) / bare node:http', bBare, `${fmt(bBare, 2)}×`, '(ceiling)');
  goal('(b) / obvious implementation', bObvious, `${fmt(bObvious, 2)}×`, '≥ 1.0× (aim 1.5×)', (v) => v >= 1);
  const cpuOf = (k: string) => figure(k).result?.serverCpuMsPerRequest;
  const cpuRatio = ratio(cpuOf('obvious'), cpuOf('b'));
  goal('(b) / obvious, by server CPU per request', cpuRatio, `${fmt(cpuRatio, 2)}×`, '≥ 1.0×', (v) => v >= 1);
  goal(
    '(d) / insert ceiling',
    dCeiling,
    `${fmt(dCeiling === null ? null : dCeiling * 100, 1)} %`,
    '(all rows in 1 transaction)',
  );
  const gCeiling = ratio(rps('g'), mailRef?.perSecond);
  goal('(g) mails/s', rps('g') ?? null, `${fmt(rps('g'))}`, '≥ 200', (v) => v >= 200);
  goal(
    '(g) / its ceiling',
    gCeiling,
    `${fmt(gCeiling === null ? null : gCeiling * 100, 0)} %`,
    '≥ 50 %',
    (v) => v >= 0.5,
  );
  const p99Max = Math.max(...['a', 'b', 'c'].map((k) => figure(k).result?.p99 ?? NaN));
  const dPerTransaction = ratio(rps('d'), 'perSecond' in perTransaction ? perTransaction.perSecond : undefined);
  goal(
    '(d) / per-transaction ceiling',
    dPerTransaction,
    `${fmt(dPerTransaction === null ? null : dPerTransaction * 100, 1)} %`,
    '≥ 33 %',
    (v) => v >= 0.33,
  );
  const e100k = ratio(rps('e100k'), rps('e'));
  goal(
    '(e) with 100 000 dossiers / with 1 000',
    e100k,
    `${fmt(e100k === null ? null : e100k * 100, 0)} %`,
    '≥ 50 %',
    (v) => v >= 0.5,
  );
  const bOpen = figure('b-open').result?.p99 ?? null;
  goal('p99 of (b) at half its maximum rate', bOpen, `${fmt(bOpen, 1)} ms`, '< 20 ms', (v) => v < 20);
  const h = figure('h').result?.p50 ?? null;
  goal('(h) Bevestigen of 5 000 rows', h, `${fmt(h === null ? null : h / 1000, 1)} s`, '< 10 s', (v) => v < 10_000);
  goal(
    'p99 of (a)–(c) at 32 busy connections',
    Number.isFinite(p99Max) ? p99Max : null,
    `${fmt(p99Max, 1)} ms`,
    '(the queue)',
  );
  const peaks = ['a', 'b', 'c', 'd', 'e', 'f', 'f2', 'b-open', 'e100k', 'h']
    .map((k) => figure(k).peakRssMb)
    .filter((v): v is number => typeof v === 'number');
  const peak = peaks.length ? Math.max(...peaks) : null;
  goal('peak RSS of the portal', peak, `${fmt(peak, 0)} MB`, '< 200 MB', (v) => v < 200);
  goal('production start → /readyz', readyMs, `${fmt(readyMs, 0)} ms`, '< 2 000 ms', (v) => v < 2000);
  const errorsTotal = figures.reduce(
    (n, f) => n + (f.result ? f.result.bad + f.result.errors + f.result.timeouts : 0),
    0,
  );
  goal('errors in all figures', errorsTotal, String(errorsTotal), '0', (v) => v === 0);
  lines.push('');

  const detail = figures.filter((f) => f.notes.length || f.result?.badSamples.length);
  const allNotes = [
    ...detail.flatMap((f) => [
      ...f.notes.map((n) => `${f.label}: ${n}`),
      ...(f.result?.badSamples.length
        ? [`${f.label}: bad responses, e.g. ${f.result.badSamples.map((s) => `\`${s}\``).join('; ')}`]
        : []),
    ]),
    ...notes,
  ];
  if (allNotes.length) {
    lines.push('Checks and notes:');
    lines.push('');
    for (const n of allNotes) lines.push(`- ${n}`);
    lines.push('');
  }
  lines.push(
    'Every response was checked: status (200, or 303 with the expected Location for POSTs) and markers in the body (page title, CSRF field, `</html>`; ' +
      'for (e) the newest seeded dossiernummer). Requests/s counts completed responses over the measured time; latencies are per response. ' +
      `(b) and the two reference servers are measured in ${ROUNDS} alternating rounds, so that changes in background load hit all three alike. ` +
      'Server CPU ms/req is the user + system CPU time of the server process (not PostgreSQL) per response, from /proc; "core busy" is that time over the wall time; ' +
      'PostgreSQL CPU ms/req is the CPU time of all `postgres` processes on the machine over the same window, per response (PostgreSQL is not pinned: it shares both cores). ' +
      'The portal runs with NODE_ENV=production, PUBLIC_URL=https://127.0.0.1:<port>, TRUST_PROXY=loopback and the bench sends X-Forwarded-Proto: https, ' +
      'as a TLS-terminating proxy would (secure `__Host-` session cookie), with request logging at info to bench/results/server.log.',
  );
  lines.push('');
  if (audit.length) {
    lines.push('## Database statements per request\n');
    lines.push(
      'One request of each figure, replayed against the same app in the bench process with pg instrumented (session store included). ' +
        'A session is written only when it changes, or at most once a minute to refresh its idle timer; the audit makes that refresh happen before it counts.\n',
    );
    for (const a of audit) {
      const sessionWrites = a.statements.filter((q) => /^(update|insert into) "?session"?/i.test(q)).length;
      lines.push(
        `- **${a.label}**: ${a.statements.length} statements${sessionWrites ? `, ${sessionWrites} of them writing the session` : ''}`,
      );
      for (const q of a.statements) lines.push(`  - \`${q.replace(/`/g, "'")}\``);
    }
    lines.push('');
  }
  if (profileSummary) lines.push(profileSummary);
  return lines.join('\n');
}

let failure: Error | undefined;
try {
  await main();
} catch (err) {
  failure = err as Error;
  log(`FAILED: ${failure.stack ?? failure.message}`);
}
await cleanup();
const text = await report(failure);
writeFileSync(join(RESULTS_DIR, 'latest.md'), `${text}\n`);
const forJson = figures.map((f) => ({ ...f, result: f.result ? { ...f.result, locations: undefined } : undefined }));
writeFileSync(
  join(RESULTS_DIR, 'latest.json'),
  JSON.stringify(
    {
      node: nodeVersion,
      figures: forJson,
      ceiling,
      ceilings: { insert: ceiling, perTransaction, mail: mailCeiling },
      readyMs,
      notes,
      failure: failure?.message ?? null,
    },
    null,
    2,
  ),
);
process.stdout.write(`\n${text}\n`);
log(`written to bench/results/latest.md (total ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
clearTimeout(watchdog);
process.exit(failure ? 1 : 0);
