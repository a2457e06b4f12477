import { createHash } from 'node:crypto';
import request from 'supertest';
import { createDossierLife } from '../../src/decisions/service.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/knex.js';
import { runRetention } from '../../src/privacy/service.js';
import { buildTestApp, TEST_PUBLIC_URL, type TestApp } from '../helpers/app.js';
import { completeDraft, fixedClock, insertMember, loginForOrganisation, people } from '../refund/fixtures.js';
import { submitDraft } from '../refund/fixtures.js';
import type { TestOrganisation } from '../refund/fixtures.js';
import { insertAttachment, insertDeMeeuw, insertDraft as insertDraftOf, insertUpload } from './fixtures.js';

/** Each kind of the retention table with the clock pinned one day before and one day after its period ends. */

const DAY = 86_400_000;
const config = { publicUrl: TEST_PUBLIC_URL };
const at = (iso: string) => new Date(iso);
const plusDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY);

let t: TestApp;
let db: Db;
let org: TestOrganisation;
let janId: number;

beforeAll(async () => {
  t = await buildTestApp({}, { now: fixedClock });
  db = t.database.db;
  org = await insertDeMeeuw(db);
  janId = await insertMember(db, org.id, people.jan);
});

afterAll(async () => {
  await t.close();
});

const purgeAt = (now: Date) => runRetention({ db, config, now });
const exists = async (table: string, where: Record<string, unknown>) => (await db(table).where(where).first()) != null;
const idOf = (rows: { id: number }[]) => ({ id: rows[0].id });

/** Jan's draft, last changed at `changedAt`, with an attachment. */
async function insertDraft(changedAt: Date): Promise<number> {
  const id = await insertDraftOf(db, org.id, janId, changedAt);
  await insertAttachment(db, id, org.id);
  return id;
}

describe('the retention purge, kind by kind', () => {
  it('warns the owner of an untouched draft 30 days ahead, deletes it (attachments too) after 12 months', async () => {
    const changed = at('2026-01-15T10:00:00Z');
    const end = at('2027-01-15T10:00:00Z'); // 12 months after the last change
    const id = await insertDraft(changed);
    const warnings = () => db('mail_outbox').where({ kind: 'draft-expiring', to_address: people.jan.email });

    expect((await purgeAt(plusDays(end, -31))).draftWarning).toBe(0);
    expect(await warnings()).toHaveLength(0);

    // The daily run that first finds it within 30 days of its end (here an hour after).
    expect((await purgeAt(new Date(plusDays(end, -30).getTime() + 3_600_000))).draftWarning).toBe(1);
    const [mail] = await warnings();
    expect(mail.subject).toBe('Uw onafgewerkte aanvraag voor Bouwbedrijf De Meeuw NV wordt binnenkort verwijderd');
    expect(mail.data).toMatchObject({
      name: 'Jan Werkgever',
      lastChanged: '15/01/2026',
      deleteOn: '15/01/2027',
      link: `${TEST_PUBLIC_URL}/terugbetaling/${id}`,
    });
    // A later run warns nobody twice.
    expect((await purgeAt(plusDays(end, -28))).draftWarning).toBe(0);

    const before = await purgeAt(plusDays(end, -1));
    expect(before.draft).toBe(0);
    expect(await exists('refund_draft', { id })).toBe(true);

    const after = await purgeAt(plusDays(end, 1));
    expect(after.draft).toBe(1);
    expect(await exists('refund_draft', { id })).toBe(false);
    expect(await exists('attachment', { draft_id: id })).toBe(false);
    expect(await warnings()).toHaveLength(1);
  });

  it('never deletes a draft unwarned: one found late is warned first and deleted 30 days later', async () => {
    const changed = at('2024-03-01T10:00:00Z'); // long past its period (say, the purge was not running)
    const id = await insertDraft(changed);
    const now = at('2026-06-01T10:00:00Z');
    const first = await purgeAt(now);
    expect(first.draftWarning).toBe(1);
    expect(await exists('refund_draft', { id })).toBe(true);
    const [mail] = await db('mail_outbox').where({ kind: 'draft-expiring' }).orderBy('id', 'desc').limit(1);
    expect(mail.data.deleteOn).toBe('01/07/2026');
    await purgeAt(plusDays(now, 29));
    expect(await exists('refund_draft', { id })).toBe(true);
    await purgeAt(plusDays(now, 31));
    expect(await exists('refund_draft', { id })).toBe(false);
  });

  it('a draft changed after its warning starts its period again, and is warned again near its new end', async () => {
    const id = await insertDraft(at('2025-01-10T10:00:00Z'));
    expect((await purgeAt(at('2025-12-20T10:00:00Z'))).draftWarning).toBe(1);
    await db('refund_draft')
      .where({ id })
      .update({ updated_at: at('2025-12-22T10:00:00Z') });
    const counts = await purgeAt(at('2026-01-25T10:00:00Z'));
    expect(counts.draft).toBe(0);
    expect(await exists('refund_draft', { id })).toBe(true);
    expect((await purgeAt(at('2026-11-20T10:00:00Z'))).draftWarning).toBe(0);
    expect((await purgeAt(at('2026-11-25T10:00:00Z'))).draftWarning).toBe(1);
  });

  it('deletes a dossier 10 years after its school year, whole: draft, attachments, CSV rows', async () => {
    const jan = request.agent(t.app);
    await loginForOrganisation(jan, people.jan, org.id);
    const file = async (overrides: Parameters<typeof completeDraft>[2]) =>
      (await submitDraft(jan, await completeDraft(jan, org.unitId, overrides))).split('/').pop()!;
    const old = await file({ opleiding: { startDate: '15/07/2025' } });
    const young = await file({ werknemer: { firstName: 'Ann', lastName: 'Peeters' } });
    const dossier = await db('dossier').where({ dossiernummer: old }).first();
    expect(dossier.school_year_start).toBe(2024); // 2024-2025 ends 31/08/2025: kept until 31/08/2035
    await insertAttachment(db, dossier.draft_id, org.id);
    const upload = { id: await insertUpload(db, org.id, at('2025-10-15T10:00:00Z'), 'ingediend') };
    await db('bulk_upload_row').insert([
      { upload_id: upload.id, line: 2, valid: true, cells: '{}', summary: '{}', dossier_id: dossier.id },
      { upload_id: upload.id, line: 3, valid: false, cells: '{}', summary: '{}', dossier_id: null },
    ]);

    const before = await purgeAt(at('2035-08-31T12:00:00Z'));
    expect(before.dossier).toBe(0);
    expect(await exists('dossier', { dossiernummer: old })).toBe(true);

    const after = await purgeAt(at('2035-09-01T12:00:00Z'));
    expect(after.dossier).toBe(1);
    expect(await exists('dossier', { dossiernummer: old })).toBe(false);
    expect(await exists('refund_draft', { id: dossier.draft_id })).toBe(false);
    expect(await exists('attachment', { draft_id: dossier.draft_id })).toBe(false);
    expect(await exists('bulk_upload', { id: upload.id })).toBe(false);
    expect(await exists('bulk_upload_row', { upload_id: upload.id })).toBe(false);
    expect(await exists('dossier', { dossiernummer: young })).toBe(true);
  });

  it('deletes a dossier whole with its history after Bevestigen: decisions, an answer and its attachment', async () => {
    const jan = request.agent(t.app);
    await loginForOrganisation(jan, people.jan, org.id);
    const nummer = (
      await submitDraft(jan, await completeDraft(jan, org.unitId, { opleiding: { startDate: '15/07/2025' } }))
    )
      .split('/')
      .pop()!;
    const life = createDossierLife({ db, now: fixedClock, publicUrl: TEST_PUBLIC_URL });
    const cli = { kind: 'cli', name: 'test' } as const;
    const ask = { kind: 'aanvulling_gevraagd', question: 'Het attest ontbreekt.', dueDate: '2026-01-31' } as const;
    expect((await life.change({ dossiernummer: nummer, actor: cli, change: ask, requestId: null })).outcome).toBe(
      'done',
    );
    const pdf = Buffer.from('%PDF-1.4\n%answer\n');
    const upload = { kind: 'aanvulling', filename: 'attest.pdf', contentType: 'application/pdf', data: pdf } as const;
    const attachment = { ...upload, sha256: createHash('sha256').update(pdf).digest('hex') };
    const answer = { kind: 'antwoord', text: 'Hierbij het attest.', attachments: [attachment] } as const;
    const werkgever = { kind: 'werkgever', personId: janId, name: 'Jan Werkgever' } as const;
    const answered = await life.change({
      dossiernummer: nummer,
      organisationId: org.id,
      actor: werkgever,
      change: answer,
      requestId: null,
    });
    expect(answered.outcome).toBe('done');
    const dossier = await db('dossier').where({ dossiernummer: nummer }).first();
    expect(await exists('dossier_event', { dossier_id: dossier.id })).toBe(true);
    expect(await db('attachment').whereNotNull('event_id').where({ draft_id: dossier.draft_id }).first()).toBeDefined();

    expect((await purgeAt(at('2035-09-01T12:00:00Z'))).dossier).toBeGreaterThanOrEqual(1);
    expect(await exists('dossier', { dossiernummer: nummer })).toBe(false);
    expect(await exists('dossier_event', { dossier_id: dossier.id })).toBe(false);
    expect(await exists('attachment', { draft_id: dossier.draft_id })).toBe(false);
  });

  it('erases a sent mail’s bodies after 90 days and deletes its row after 2 years', async () => {
    const sent = at('2026-02-01T09:00:00Z');
    const head = { to_address: 'eva@example.be', subject: 'Ontvangstbevestiging', kind: 'test' };
    const [mail] = await db('mail_outbox')
      .insert({ ...head, text_body: 'Beste Eva, 85.07.30-***.**', html_body: '<p>Beste Eva</p>', sent_at: sent })
      .returning('id');
    const row = () => db('mail_outbox').where({ id: mail.id }).first();

    expect((await purgeAt(plusDays(sent, 89))).mailBody).toBe(0);
    expect((await row()).text_body).toContain('Beste Eva');
    expect((await purgeAt(plusDays(sent, 91))).mailBody).toBe(1);
    const erased = await row();
    expect(erased.text_body).not.toContain('Eva');
    expect(erased.html_body).not.toContain('Eva');
    expect(erased).toMatchObject({ ...head, data: null });

    await purgeAt(at('2028-01-31T09:00:00Z'));
    expect(await row()).toBeDefined();
    expect((await purgeAt(at('2028-02-02T09:00:00Z'))).mailRow).toBe(1);
    expect(await row()).toBeUndefined();
  });

  // Rows whose period counts from one moment: [kind, table, insert a row of that moment `ref`, when the period ends].
  type Key = Record<string, unknown>;
  const thirtyDaysAfter = (ref: Date) => plusDays(ref, 30);
  const fiveYearsAfter = (ref: Date) => at(`${ref.getUTCFullYear() + 5}${ref.toISOString().slice(4)}`);
  const simpleKinds: [string, string, (ref: Date) => Promise<Key>, (ref: Date) => Date][] = [
    [
      'session',
      'session',
      async (ref) => (await db('session').insert({ sid: 'sessie-1', sess: '{}', expire: ref }), { sid: 'sessie-1' }),
      (ref) => ref,
    ],
    [
      'rateLimit',
      'rate_limit',
      async (ref) => {
        await db('rate_limit').insert({ key: 'login:127.0.0.1', window_start: ref, hits: 3 });
        return { key: 'login:127.0.0.1' };
      },
      (ref) => plusDays(ref, 1),
    ],
    [
      'replay',
      'saml_assertion',
      async (ref) => (await db('saml_assertion').insert({ id: '_assertie-1', expires_at: ref }), { id: '_assertie-1' }),
      (ref) => plusDays(ref, 1),
    ],
    [
      'replay',
      'saml_request',
      async (ref) => {
        await db('saml_request').insert({ id: '_verzoek-1', created_at: ref, expires_at: ref });
        return { id: '_verzoek-1' };
      },
      (ref) => plusDays(ref, 1),
    ],
    [
      'auditLog',
      'audit_log',
      // Earlier than every run of this file: each run writes an audit entry of its own, at its pinned time.
      async () => {
        const entry = { at: at('2018-01-10T08:00:00Z'), action: 'right.granted' };
        return idOf(await db('audit_log').insert(entry).returning('id'));
      },
      () => at('2023-01-10T08:00:00Z'),
    ],
    [
      'accessRecord',
      'access_record',
      async (ref) => {
        const record = { at: ref, person_id: janId, organisation_id: org.id, what: 'person', subject_person_id: janId };
        return idOf(await db('access_record').insert(record).returning('id'));
      },
      fiveYearsAfter,
    ],
    ['bulkPreview', 'bulk_upload', async (ref) => ({ id: await insertUpload(db, org.id, ref) }), thirtyDaysAfter],
  ];

  const title = '%s: kept a day before its period ends, deleted a day after (%s)';
  it.each(simpleKinds)(title, async (kind, table, add, end) => {
    // Before every other row of this file: a run one day before touches no row but this one.
    const ref = at('2020-05-20T08:00:00Z');
    const key = await add(ref);
    const before = await purgeAt(plusDays(end(ref), -1));
    expect(before[kind as keyof typeof before]).toBe(0);
    expect(await exists(table, key)).toBe(true);
    const after = await purgeAt(plusDays(end(ref), 1));
    expect(after[kind as keyof typeof after]).toBe(1);
    expect(await exists(table, key)).toBe(false);
  });

  it('deletes an old rate-limit window, not the current one of another address', async () => {
    const now = at('2026-05-20T08:00:00Z');
    await db('rate_limit').insert([
      { key: 'login:192.0.2.7', window_start: plusDays(now, -3), hits: 30 },
      { key: 'login:192.0.2.8', window_start: now, hits: 29 },
    ]);
    expect((await purgeAt(now)).rateLimit).toBe(1);
    expect(await db('rate_limit').whereLike('key', 'login:192.0.2.%').select('key', 'hits')).toEqual([
      { key: 'login:192.0.2.8', hits: 29 },
    ]);
  });

  it('keeps a confirmed CSV upload when never-confirmed ones of the same age go', async () => {
    const ref = at('2026-05-20T08:00:00Z');
    const confirmed = await insertUpload(db, org.id, ref, 'ingediend');
    const preview = await insertUpload(db, org.id, ref);
    await purgeAt(plusDays(ref, 31));
    expect(await exists('bulk_upload', { id: confirmed })).toBe(true);
    expect(await exists('bulk_upload', { id: preview })).toBe(false);
  });

  it('writes one audit entry per run, with the counts and no personal data', async () => {
    const now = at('2026-07-01T12:00:00Z');
    const counts = await purgeAt(now);
    const entries = await db('audit_log').where({ action: 'retention.run', at: now });
    expect(entries).toHaveLength(1);
    expect(entries[0].details).toEqual({ counts });
    expect(entries[0].organisation_id).toBeNull();
  });
});
