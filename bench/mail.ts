/**
 * Figure (g) of `npm run bench`: an outbox of receipt mails drained to a local SMTP server (smtp-server) by the
 * portal's mail worker, beside its ceiling in the same run: nodemailer sending the same rendered mails straight
 * to the same server over as many pooled connections (SMTP_MAX_CONNECTIONS). Worker, ceiling and SMTP server share
 * this process (and its core), so the two measure alike. Uses a database of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { loadConfig, type Config } from '../src/config.js';
import { createDb, type Db } from '../src/db/knex.js';
import { migrateLatest } from '../src/db/migrate.js';
import { createLogger } from '../src/http/logger.js';
import { enqueueMailsSql } from '../src/mail/outbox.js';
import { createMailWorker } from '../src/mail/worker.js';
import { createRefundMailer } from '../src/refund/mail.js';
import type { ReceiptModel } from '../src/refund/receipt.js';
import type { LoadResult } from './loadgen.js';
import { freePort, peakRssMb, resetPeakRss } from './procs.js';
import { BENCH_DB_PREFIX, createDatabase, dropDatabase, withDatabase } from './seed.js';

export interface MailCeiling {
  mails: number;
  perSecond: number;
  /** ms of one SMTP transaction (MAIL FROM to accepted data) */
  p99: number;
}

export interface MailFigure {
  /** rps: mails per second through the outbox; latencies: one SMTP transaction (MAIL FROM to accepted data). */
  result: LoadResult;
  peakRssMb: number | null;
  ceiling: MailCeiling;
  notes: string[];
}

/** An SMTP server that accepts everything and records each transaction's time and Message-ID. */
async function startSmtpServer() {
  const started = new Map<string, number>();
  const record = { times: [] as number[], messageIds: [] as string[] };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 500,
    onMailFrom(_address, session, callback) {
      started.set(session.id, performance.now());
      callback();
    },
    onData(stream, session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 4096) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        record.times.push(performance.now() - (started.get(session.id) ?? performance.now()));
        record.messageIds.push(/^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? '');
        callback();
      });
    },
  });
  server.on('error', () => {});
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    take: () => ({ times: record.times.splice(0), messageIds: record.messageIds.splice(0) }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function percentile(times: number[], p: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))] ?? 0;
}

function receipt(i: number): ReceiptModel {
  return {
    dossiernummer: `VOV-2025-${String(i + 1).padStart(6, '0')}`,
    receivedAt: '15/10/2025 12:00',
    status: 'Ingediend',
    organisationName: 'Bouwbedrijf De Meeuw NV',
    organisationKbo: '0403.170.701',
    employeeName: `Eva Werknemer ${i}`,
    employeeInszMasked: '85.07.30-XXX.XX',
    contactName: 'Jan Werkgever',
    rows: [
      { key: 'Opleiding', value: 'Veiligheid en welzijn op het werk' },
      { key: 'Opleidingsperiode', value: '01/09/2025 – 30/06/2026' },
      { key: 'Uren', value: '120 uur' },
    ],
    nextSteps: ['U hoeft nu niets meer te doen.', 'U krijgt een e-mail wanneer het dossier beslist is.'],
    contactEmail: 'vov@example.be',
  };
}

/** Queues `count` receipts as Bevestigen queues them: template and data, rendered by the worker. */
async function queueReceipts(db: Db, config: Config, first: number, count: number): Promise<void> {
  const mailer = createRefundMailer(config);
  for (let from = first; from < first + count; from += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, first + count - from) }, (_, k) =>
      mailer.employeeReceipt(`werknemer${from + k}@example.be`, receipt(from + k)),
    );
    const { sql, bindings } = enqueueMailsSql(batch);
    await db.raw(sql, bindings);
  }
}

/** Drains the outbox with the portal's worker (rendering, leases, batched updates); returns the seconds it took. */
async function drain(db: Db, config: Config): Promise<number> {
  const worker = createMailWorker({ db, config, logger: createLogger('silent'), pollIntervalMs: 20 });
  const started = performance.now();
  worker.start();
  const deadline = Date.now() + 300_000;
  for (;;) {
    const { n } = (await db('mail_outbox').whereNull('sent_at').count({ n: '*' }).first()) as { n: string };
    if (Number(n) === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  return seconds;
}

/** The ceiling: mails already rendered (the bodies the worker stored), straight to the server; returns seconds. */
async function sendDirect(db: Db, config: Config, fromId: number): Promise<number> {
  const rows = await db('mail_outbox')
    .where('id', '>', fromId)
    .orderBy('id')
    .select('id', 'to_address', 'subject', 'text_body', 'html_body');
  const transport = nodemailer.createTransport({
    url: config.mail.smtpUrl,
    pool: true,
    maxConnections: config.mail.maxConnections,
  });
  const started = performance.now();
  await Promise.all(
    rows.map((r) =>
      transport.sendMail({
        from: config.mail.from,
        to: r.to_address,
        subject: r.subject,
        text: r.text_body,
        html: r.html_body,
        messageId: `<ceiling-${r.id}@bench>`,
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  return seconds;
}

/**
 * `mails` receipts in `rounds` alternating rounds (worker, then ceiling on the same mails), so that changes in
 * the machine's background load hit both alike.
 */
export async function measureMail(
  serverUrl: string,
  mails: number,
  log: (line: string) => void,
  rounds = 2,
): Promise<MailFigure> {
  const dbName = `${BENCH_DB_PREFIX}mail_${randomBytes(4).toString('hex')}`;
  await createDatabase(serverUrl, dbName);
  const db = createDb(withDatabase(serverUrl, dbName), 4);
  const smtp = await startSmtpServer();
  try {
    await migrateLatest(db);
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: withDatabase(serverUrl, dbName),
      PUBLIC_URL: 'http://127.0.0.1:3000',
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
      SMTP_MAX_CONNECTIONS: process.env.SMTP_MAX_CONNECTIONS ?? '',
    });
    log(`(g) ${mails} receipt mails in ${rounds} rounds over ${config.mail.maxConnections} SMTP connections`);
    resetPeakRss(process.pid);
    const worker = { seconds: 0, times: [] as number[], messageIds: [] as string[] };
    const direct = { seconds: 0, times: [] as number[] };
    const perRound = Math.ceil(mails / rounds);
    for (let round = 0; round < rounds; round++) {
      const count = Math.min(perRound, mails - round * perRound);
      const before = (await db('mail_outbox').max({ id: 'id' }).first())?.id ?? 0;
      await queueReceipts(db, config, round * perRound, count);
      worker.seconds += await drain(db, config);
      const drained = smtp.take();
      worker.times.push(...drained.times);
      worker.messageIds.push(...drained.messageIds);
      direct.seconds += await sendDirect(db, config, Number(before));
      direct.times.push(...smtp.take().times);
    }
    const peak = peakRssMb(process.pid);
    const distinct = new Set(worker.messageIds).size;
    const notes = [
      `${worker.messageIds.length} mails accepted by the SMTP server, ${distinct} distinct Message-IDs ` +
        `(duplicates: ${worker.messageIds.length - distinct}; queued: ${mails}), in ${worker.seconds.toFixed(1)} s; ` +
        `ceiling ${direct.times.length} mails in ${direct.seconds.toFixed(1)} s; ${rounds} alternating rounds; ` +
        `${config.mail.maxConnections} connections; peak RSS is the bench process's (worker, SMTP server and ceiling share it).`,
    ];
    if (distinct !== mails || worker.messageIds.length !== mails) notes.push('**Consistency check failed.**');
    const t = worker.times;
    const result: LoadResult = {
      name: 'g-mail',
      completed: distinct,
      ok: distinct,
      bad: mails - distinct,
      errors: 0,
      timeouts: 0,
      seconds: worker.seconds,
      rps: distinct / worker.seconds,
      p50: percentile(t, 0.5),
      p90: percentile(t, 0.9),
      p99: percentile(t, 0.99),
      max: percentile(t, 1),
      statusCounts: {},
      badSamples: [],
      windowsUs: [],
    };
    const ceiling = {
      mails: direct.times.length,
      perSecond: direct.times.length / direct.seconds,
      p99: percentile(direct.times, 0.99),
    };
    return { result, peakRssMb: peak, ceiling, notes };
  } finally {
    await smtp.close();
    await db.destroy().catch(() => {});
    await dropDatabase(serverUrl, dbName).catch(() => {});
  }
}
