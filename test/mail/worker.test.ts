import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { enqueueMail, type OutgoingMail } from '../../src/mail/outbox.js';
import { createMailWorker, retryDelaySeconds, type MailWorker, type MailWorkerOptions } from '../../src/mail/worker.js';
import { createRefundMailer } from '../../src/refund/mail.js';
import type { ReceiptModel } from '../../src/refund/receipt.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { page } from '../helpers/page.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.js';

let database: TestDatabase;
let smtp: SmtpCapture;
const workers: MailWorker[] = [];
/** The workers' clock: real time moved ahead by `ahead` ms, so a test skips a back-off or a lease instead of waiting. */
let ahead = 0;
const clock = () => new Date(Date.now() + ahead);

function configFor(smtpUrl?: string): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    PUBLIC_URL: 'http://127.0.0.1:3999',
    LOG_LEVEL: 'silent',
    ...(smtpUrl ? { SMTP_URL: smtpUrl } : {}),
  });
}

function worker(options: Partial<MailWorkerOptions> = {}, smtpUrl: string | null = smtp.url): MailWorker {
  const w = createMailWorker({
    db: database.db,
    config: configFor(smtpUrl ?? undefined),
    logger: createLogger('silent'),
    now: clock,
    ...options,
  });
  workers.push(w);
  return w;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mail(n: number | string, extra: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    to: `ontvanger${n}@example.be`,
    subject: `Bericht ${n} – één test`,
    text: `Hallo ${n}\nhttp://127.0.0.1:3999/gebruikersbeheer\n`,
    html: `<p>Hallo ${n}</p>`,
    kind: 'test',
    ...extra,
  };
}

async function outboxRow(id: number) {
  return database.db('mail_outbox').where({ id }).first();
}

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpCapture();
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  smtp.behaviour = 'accept';
  smtp.messages.length = 0;
  ahead = 0;
  await database.db('mail_outbox').delete();
});

afterAll(async () => {
  await smtp.stop();
  await database.drop();
});

describe('mail outbox and worker', () => {
  it('sends a queued mail over SMTP once, and marks it sent only then', async () => {
    const id = await enqueueMail(database.db, mail(1));
    expect((await outboxRow(id)).sent_at).toBeNull();

    const w = worker();
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    const m = smtp.messages[0];
    expect(m.to).toEqual(['ontvanger1@example.be']);
    expect(m.from).toBe('noreply@wse-loket.localhost');
    expect(m.subject).toBe('Bericht 1 – één test');
    expect(m.text).toContain('Hallo 1');
    expect(page(m.html).$('p').text()).toBe('Hallo 1');
    expect(m.messageId).toMatch(new RegExp(`^<outbox-${id}@`));

    const row = await outboxRow(id);
    expect(row.sent_at).not.toBeNull();
    expect(row.attempts).toBe(1);
    expect(row.locked_until).toBeNull();

    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    expect(smtp.messages).toHaveLength(1);
  });

  it('renders a mail queued as template and data when it sends it, and keeps the bodies it sent', async () => {
    const receipt: ReceiptModel = {
      dossiernummer: 'VOV-2025-000042',
      receivedAt: '15/10/2025 12:00',
      status: 'Ingediend',
      organisationName: 'Bouwbedrijf <De Meeuw> NV',
      organisationKbo: '0403.170.701',
      employeeName: 'Eva <b>Werknemer</b>',
      employeeInszMasked: '85.07.30-XXX.XX',
      contactName: 'Jan Werkgever',
      rows: [{ key: 'Opleiding', value: 'Veiligheid & welzijn' }],
      nextSteps: ['U hoeft nu niets meer te doen.'],
      contactEmail: 'vov@example.be',
    };
    const id = await enqueueMail(
      database.db,
      createRefundMailer(configFor()).employeeReceipt('eva@example.be', receipt),
    );
    const queued = await outboxRow(id);
    expect(queued).toMatchObject({
      text_body: null,
      html_body: null,
      template: 'refund/mail/receipt-employee',
      kind: 'refund-receipt-employee',
    });

    expect(await worker().runOnce()).toEqual({ sent: 1, failed: 0 });
    const m = smtp.messages[0];
    expect(m.subject).toBe('Uw werkgever vroeg Vlaams opleidingsverlof aan (VOV-2025-000042)');
    expect(m.text).toContain('VOV-2025-000042');
    expect(m.text).toContain('Eva <b>Werknemer</b>'); // the text part keeps what was typed
    // The HTML part shows it as typed too, escaped in its source (an escaping check, so on the source).
    const html = page(m.html);
    expect(html.main).toContain('Eva <b>Werknemer</b>');
    expect(m.html).toContain('Eva &lt;b&gt;Werknemer&lt;/b&gt;');
    expect(html.table().rows).toContainEqual(['Opleiding', 'Veiligheid & welzijn']);
    const sent = await outboxRow(id);
    expect(sent.text_body).toBe(m.text);
    expect(sent.html_body).toBe(m.html);
  });

  it('sends nothing for a change that was rolled back', async () => {
    await database.db
      .transaction(async (trx) => {
        await enqueueMail(trx, mail(2));
        throw new Error('the change failed');
      })
      .catch(() => {});
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 0 });
    expect(await database.db('mail_outbox').count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('survives an SMTP outage: retries with back-off and sends once SMTP is back', async () => {
    await smtp.stop();
    const id = await enqueueMail(database.db, mail(3));
    const w = worker({ retryBaseSeconds: 60 });

    expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
    let row = await outboxRow(id);
    expect(row.sent_at).toBeNull();
    expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(row.locked_until).toBeNull();
    expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThan(Date.now() + 50_000);

    await smtp.start();
    // Not due yet: the back-off is respected.
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    ahead = 60_000;
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    expect(smtp.messages.map((m) => m.to[0])).toEqual(['ontvanger3@example.be']);
    row = await outboxRow(id);
    expect(row.sent_at).not.toBeNull();
    expect(row.attempts).toBe(2);
    expect(row.last_error).toBeNull();
  });

  it('retries a mail the SMTP server refused with a temporary error', async () => {
    smtp.behaviour = 'reject';
    const id = await enqueueMail(database.db, mail(4));
    const w = worker({ retryBaseSeconds: 60 });
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
    expect((await outboxRow(id)).last_error).toMatch(/451/);
    smtp.behaviour = 'accept';
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 }); // not due yet
    ahead = 60_000;
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    expect(smtp.messages).toHaveLength(1);
  });

  it('doubles the retry delay per attempt up to a maximum', () => {
    expect([1, 2, 3, 4, 5].map((a) => retryDelaySeconds(a, 30, 3600))).toEqual([30, 60, 120, 240, 480]);
    expect(retryDelaySeconds(20, 30, 3600)).toBe(3600);
  });

  it('keeps polling when started, and stops cleanly', async () => {
    const w = worker({ pollIntervalMs: 0 });
    w.start();
    await enqueueMail(database.db, mail(5));
    await smtp.waitFor((m) => m.to[0] === 'ontvanger5@example.be');
    await w.stop();
    const id = await enqueueMail(database.db, mail(6));
    // A worker still polling (without pause) would claim the mail within a few of these round trips.
    for (let i = 0; i < 50; i++) await database.db.raw('SELECT 1');
    expect((await outboxRow(id)).attempts).toBe(0);
    expect(smtp.messages).toHaveLength(1);
  });

  it('delivers every mail exactly once with several workers polling at the same time', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push(await enqueueMail(database.db, mail(`x${i}`)));
    const pool = [worker({ batchSize: 4 }), worker({ batchSize: 4 }), worker({ batchSize: 4 })];
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all(pool.map((w) => w.runOnce()));
      if (results.every((r) => r.sent === 0)) break;
    }
    expect(smtp.messages).toHaveLength(30);
    expect(new Set(smtp.messages.map((m) => m.to[0])).size).toBe(30);
    const unsent = await database.db('mail_outbox').whereNull('sent_at').count({ n: '*' }).first();
    expect(unsent).toEqual({ n: 0 });
  });

  it('loses no mail when a worker is killed in the middle of a send, and sends it once after the lease expires', async () => {
    smtp.behaviour = 'stall';
    const attemptsBefore = smtp.dataAttempts;
    const id = await enqueueMail(database.db, mail(7));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/mail/fixtures/worker-process.ts'], {
      env: { ...process.env, DATABASE_URL: database.url, SMTP_URL: smtp.url, LEASE_SECONDS: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let childOutput = '';
    child.stdout!.on('data', (c) => (childOutput += c));
    child.stderr!.on('data', (c) => (childOutput += c));
    const exited = new Promise((r) => child.on('exit', r));
    // Wait until the message data reached the (hanging) server: the worker is mid-send.
    const until = Date.now() + 15_000;
    while (smtp.dataAttempts === attemptsBefore && Date.now() < until) await sleep(25);
    expect(smtp.dataAttempts - attemptsBefore, childOutput).toBe(1);
    child.kill('SIGKILL');
    await exited;
    smtp.behaviour = 'accept';

    let row = await outboxRow(id);
    expect(row.sent_at).toBeNull();
    expect(row.attempts).toBe(1);
    expect(row.locked_until).not.toBeNull();

    // Another instance respects the dead worker's lease...
    const w = worker();
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    // ...and takes the row over once it expired.
    ahead = 2_100;
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    expect(smtp.messages.map((m) => m.to[0])).toEqual(['ontvanger7@example.be']);
    row = await outboxRow(id);
    expect(row.sent_at).not.toBeNull();
    expect(row.attempts).toBe(2);
  });

  it('without SMTP_URL marks mails delivered to the development mailbox', async () => {
    const id = await enqueueMail(database.db, mail(8));
    const w = worker({}, null);
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    expect((await outboxRow(id)).sent_at).not.toBeNull();
    expect(smtp.messages).toHaveLength(0);
  });
});
