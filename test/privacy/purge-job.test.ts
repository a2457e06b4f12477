import { execFile } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/knex.js';
import { defaultRetention } from '../../src/domain/retention-data.js';
import { createLogger } from '../../src/http/logger.js';
import { createMailWorker } from '../../src/mail/worker.js';
import { createRetentionJob } from '../../src/privacy/job.js';
import { runRetention } from '../../src/privacy/service.js';
import { TEST_PUBLIC_URL } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { page } from '../helpers/page.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.js';
import { insertMember, people } from '../refund/fixtures.js';
import { insertDeMeeuw, insertDraft as insertDraftOf, insertUpload } from './fixtures.js';

/** The purge as it runs: the daily job in several instances, its warning mail over SMTP, and the dry run by hand. */

let database: TestDatabase;
let db: Db;
let smtp: SmtpCapture;
let organisationId: number;
let janId: number;
const config = { publicUrl: TEST_PUBLIC_URL };
const logger = createLogger('silent');

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  smtp = await startSmtpCapture();
  const org = await insertDeMeeuw(db);
  organisationId = org.id;
  janId = await insertMember(db, org.id, people.jan);
});

afterAll(async () => {
  await smtp.stop();
  await database.drop();
});

beforeEach(async () => {
  for (const table of ['refund_draft', 'mail_outbox', 'audit_log', 'retention_run', 'session', 'bulk_upload']) {
    await db(table).delete();
  }
  smtp.messages.length = 0;
});

const insertDraft = (changedAt: Date) => insertDraftOf(db, organisationId, janId, changedAt);

/** Rows of several kinds, each past its period on 2030-01-01. */
async function insertDueRows(): Promise<void> {
  const old = new Date('2020-01-01T10:00:00Z');
  await insertDraft(old);
  await db('session').insert([
    { sid: 'a', sess: '{}', expire: old },
    { sid: 'b', sess: '{}', expire: old },
  ]);
  await insertUpload(db, organisationId, old);
}

describe('the daily purge job', () => {
  it('runs once a day across instances: two at once, one does the work and writes one audit entry', async () => {
    await insertDueRows();
    const now = () => new Date('2030-01-01T03:00:00Z');
    const otherPool = createDb(database.url, 2); // a second process has a pool of its own
    try {
      const first = createRetentionJob({ db, config, logger, now });
      const second = createRetentionJob({ db: otherPool, config, logger, now });
      const results = await Promise.all([first.runOnce(), second.runOnce()]);
      const done = results.filter((r) => r !== null);
      expect(done).toHaveLength(1);
      expect(done[0]).toMatchObject({ session: 2, bulkPreview: 1, draftWarning: 1 });
      expect(await db('audit_log').where({ action: 'retention.run' })).toHaveLength(1);
      expect(await db('mail_outbox').where({ kind: 'draft-expiring' })).toHaveLength(1);
      // Later that day nobody runs it again; the next day one does.
      expect(await Promise.all([first.runOnce(), second.runOnce()])).toEqual([null, null]);
      const nextDay = createRetentionJob({ db: otherPool, config, logger, now: () => new Date('2030-01-02T03:00Z') });
      expect(await nextDay.runOnce()).toMatchObject({ session: 0, draftWarning: 0 });
      const runs = await db('retention_run').orderBy('run_date');
      expect(runs.map((r) => r.run_date)).toEqual(['2030-01-01', '2030-01-02']);
      expect(runs.every((r) => r.finished_at !== null)).toBe(true);
    } finally {
      await otherPool.destroy();
    }
  });

  it('a shutdown stops the purge between batches: what is done stays, the rest waits for the next run', async () => {
    await insertDueRows();
    const data = { ...defaultRetention, batchSize: 1 };
    const now = new Date('2030-01-01T03:00:00Z');
    const cut = await runRetention({ db, config, now, data, shouldStop: () => true });
    // One batch (of one row) was done: the first of the two expired sessions.
    expect(Object.values(cut).reduce((a, b) => a + b)).toBe(1);
    expect(cut.session).toBe(1);
    expect(await db('session').count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(await db('bulk_upload').count({ n: '*' })).toEqual([{ n: 1 }]);
    const rest = await runRetention({ db, config, now, data });
    expect(rest).toMatchObject({ session: 1, bulkPreview: 1, draftWarning: 1 });
  });

  it('mails the owner of an untouched draft 30 days before it is deleted, over SMTP, without the INSZ', async () => {
    const id = await insertDraft(new Date('2026-01-15T10:00:00Z'));
    await runRetention({ db, config, now: new Date('2026-12-16T12:00:00Z') });
    const env = { NODE_ENV: 'test', DATABASE_URL: database.url, PUBLIC_URL: TEST_PUBLIC_URL, SMTP_URL: smtp.url };
    const worker = createMailWorker({ db, config: loadConfig(env), logger });
    expect(await worker.runOnce()).toEqual({ sent: 1, failed: 0 });
    await worker.stop();
    const mail = smtp.messages[0];
    expect(mail.to).toEqual([people.jan.email]);
    expect(mail.subject).toBe('Uw onafgewerkte aanvraag voor Bouwbedrijf De Meeuw NV wordt binnenkort verwijderd');
    // The plain-text part (no HTML), then the HTML part's link and the whole message's source (a leak check).
    expect(mail.text).toContain('Beste Jan Werkgever,');
    expect(mail.text).toContain('Ze werd het laatst gewijzigd op 15/01/2026.');
    expect(mail.text).toContain('worden op of na 15/01/2027 verwijderd');
    expect(mail.text).toContain(`${TEST_PUBLIC_URL}/terugbetaling/${id}`);
    expect(page(mail.html).links.map((l) => l.href)).toContain(`${TEST_PUBLIC_URL}/terugbetaling/${id}`);
    expect(mail.raw).not.toMatch(/85\.?07\.?30-?033\.?28/);
  });

  it('mails no owner who is no longer a user of the organisation (the draft is still deleted later)', async () => {
    const olaf = { insz: '90062117857', first_name: 'Olaf', last_name: 'Ander', email: 'olaf@example.be' };
    const [former] = await db('person').insert(olaf).returning('id');
    const draft = { id: await insertDraftOf(db, organisationId, former.id, new Date('2026-01-15T10:00:00Z')) };
    const counts = await runRetention({ db, config, now: new Date('2026-12-16T12:00:00Z') });
    expect(counts.draftWarning).toBe(1);
    expect(await db('mail_outbox').where({ kind: 'draft-expiring' })).toHaveLength(0);
    await runRetention({ db, config, now: new Date('2027-01-17T12:00:00Z') });
    expect(await db('refund_draft').where({ id: draft.id }).first()).toBeUndefined();
  });
});

describe('retention:run by hand', () => {
  function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const env = { ...process.env, DATABASE_URL: database.url, NODE_ENV: 'development', PUBLIC_URL: TEST_PUBLIC_URL };
      execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('--dry-run prints what it would delete per kind and changes nothing', async () => {
    await insertDueRows();
    const res = await cli('retention:run', '--dry-run', '--now', '2030-01-01');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Retention dry run (nothing changed; what a run would do) as of 2030-01-01:');
    expect(res.stdout).toMatch(/^ +2 {2}expired sessions deleted$/m);
    expect(res.stdout).toMatch(/^ +1 {2}never-confirmed CSV uploads deleted$/m);
    expect(res.stdout).toMatch(/^ +1 {2}drafts whose owner was mailed a warning$/m);
    expect(res.stdout).toMatch(/^ +0 {2}untouched drafts deleted$/m);
    expect(await db('session').count({ n: '*' })).toEqual([{ n: 2 }]);
    expect(await db('bulk_upload').count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(await db('mail_outbox').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await db('audit_log').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect((await db('refund_draft').first()).retention_warned_at).toBeNull();
  });

  it('without --dry-run deletes the same rows and prints their counts; a bad date is a usage error', async () => {
    await insertDueRows();
    const res = await cli('retention:run', '--now', '2030-01-01');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Retention run as of 2030-01-01:');
    expect(res.stdout).toMatch(/^ +2 {2}expired sessions deleted$/m);
    expect(await db('session').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await db('audit_log').where({ action: 'retention.run' })).toHaveLength(1);
    const bad = await cli('retention:run', '--now', '31/12/2030');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--now must be a date like 2026-12-31, got "31/12/2030".');
  });
});
