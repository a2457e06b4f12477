import type { Knex } from 'knex';
import type { Config } from '../config.js';
import type { Db } from '../db/knex.js';
import { formatDateNl, todayInBrussels } from '../domain/dates.js';
import { formatKbo } from '../domain/kbo.js';
import { defaultRetention, retentionRule } from '../domain/retention-data.js';
import type { RetentionData, RetentionKind, RetentionPeriod } from '../domain/retention-data.js';
import { schoolYearOf } from '../domain/school-year.js';
import { enqueueMail, mailLink } from '../mail/outbox.js';
import { paths } from '../paths.js';
import { countDue, deleteDossiers, deleteRows, eraseMailBodies, insertRetentionAudit, lockDue } from './repository.js';
import { markDraftsWarned, type Due, type WarnedDraft } from './repository.js';

/** What one purge run did (or, dry, would do), per kind; `draftWarning` counts the warned drafts. */
export type RetentionCounts = Record<RetentionKind | 'draftWarning', number>;

export interface RetentionOptions {
  db: Db;
  config: Pick<Config, 'publicUrl'>;
  now: Date;
  dryRun?: boolean;
  data?: RetentionData;
  /** Checked between batches: a process shutting down stops after the batch in hand (the next run goes on). */
  shouldStop?: () => boolean;
}

const DAY_MS = 86_400_000;

/** The instant `period` before `at` (calendar months and years, in UTC). */
export function periodBefore(at: Date, period: RetentionPeriod): Date {
  if (period.unit === 'days') return new Date(at.getTime() - period.amount * DAY_MS);
  const d = new Date(at.getTime());
  d.setUTCMonth(d.getUTCMonth() - period.amount * (period.unit === 'years' ? 12 : 1));
  return d;
}

const ERASED_NOTICE = {
  text: 'De tekst van deze e-mail werd gewist: de bewaartermijn is voorbij (zie de privacyverklaring).\n',
  html: '<p>De tekst van deze e-mail werd gewist: de bewaartermijn is voorbij (zie de privacyverklaring).</p>',
};

/** A purge step: which rows are due, and what to do with a locked batch of them (default: delete). */
interface Step {
  kind: keyof RetentionCounts;
  due: Due[];
  apply?: (trx: Knex.Transaction, keys: number[]) => Promise<void>;
  /** Rows per transaction (whole dossiers are heavier). */
  batch?: number;
}

/**
 * Enforces the retention table once: every kind in batches, each batch its own transaction that locks its
 * rows (SKIP LOCKED), so two runs at once never act on one row and a failure leaves whole batches done or
 * untouched. A dry run counts the same rows and changes nothing. The clock is the caller's (`now`), never
 * PostgreSQL's, so tests and `--now` pin it.
 */
export async function runRetention(opts: RetentionOptions): Promise<RetentionCounts> {
  const { db, now } = opts;
  const data = opts.data ?? defaultRetention;
  const cutoff = (kind: RetentionKind) => periodBefore(now, retentionRule(data, kind).period);
  /** Rows of `table` (as `t`) whose `moment` is older than the kind's period (and that match `also`). */
  const older = (kind: RetentionKind, table: string, key: string, moment: string, also = ''): Due => ({
    table,
    key,
    where: `${also}${moment} < ?`,
    bindings: [cutoff(kind)],
  });
  const draftPeriod = retentionRule(data, 'draft').period;
  const warnAhead = data.draftWarningDays * DAY_MS;
  // A dossier is kept for its period after the end of its school year (31 August of the next calendar year).
  const lastSchoolYearToDelete = schoolYearOf(todayInBrussels(cutoff('dossier'))).start - 1;

  // Drafts last: a warning mail queued by this run is not one the mail steps should meet (under a pinned clock).
  const steps: Step[] = [
    {
      kind: 'dossier',
      due: [{ table: 'dossier', key: 'id', where: 't.school_year_start <= ?', bindings: [lastSchoolYearToDelete] }],
      apply: (trx, ids) => deleteDossiers(trx, ids),
      batch: Math.max(1, Math.floor(data.batchSize / 10)),
    },
    {
      kind: 'mailBody',
      due: [older('mailBody', 'mail_outbox', 'id', 't.sent_at', 't.bodies_erased_at IS NULL AND ')],
      apply: (trx, ids) => eraseMailBodies(trx, ids, ERASED_NOTICE, now),
    },
    { kind: 'mailRow', due: [older('mailRow', 'mail_outbox', 'id', 'coalesce(t.sent_at, t.created_at)')] },
    { kind: 'session', due: [older('session', 'session', 'sid', 't.expire')] },
    { kind: 'rateLimit', due: [older('rateLimit', 'rate_limit', 'key', 't.window_start')] },
    {
      kind: 'replay',
      due: ['saml_request', 'saml_assertion'].map((table) => older('replay', table, 'id', 't.expires_at')),
    },
    { kind: 'auditLog', due: [older('auditLog', 'audit_log', 'id', 't.at')] },
    { kind: 'accessRecord', due: [older('accessRecord', 'access_record', 'id', 't.at')] },
    {
      kind: 'bulkPreview',
      due: [older('bulkPreview', 'bulk_upload', 'id', 't.created_at', "t.status = 'voorbeeld' AND ")],
    },
    {
      // The owner of an untouched draft gets a mail when it is due within the warning days (once per change).
      kind: 'draftWarning',
      due: [
        {
          table: 'refund_draft',
          key: 'id',
          where: `t.submitted_at IS NULL AND t.updated_at < ?
                  AND (t.retention_warned_at IS NULL OR t.retention_warned_at < t.updated_at)`,
          bindings: [periodBefore(new Date(now.getTime() + warnAhead), draftPeriod)],
        },
      ],
      apply: async (trx, ids) => {
        for (const draft of await markDraftsWarned(trx, ids, now)) await queueWarning(trx, draft);
      },
    },
    {
      // Deleted when past its period and warned at least the warning days ago (a late warning moves the date).
      kind: 'draft',
      due: [
        {
          table: 'refund_draft',
          key: 'id',
          where: `t.submitted_at IS NULL AND t.updated_at < ?
                  AND t.retention_warned_at >= t.updated_at AND t.retention_warned_at <= ?`,
          bindings: [cutoff('draft'), new Date(now.getTime() - warnAhead)],
        },
      ],
    },
  ];

  async function queueWarning(trx: Knex.Transaction, draft: WarnedDraft): Promise<void> {
    if (!draft.owner_email) return;
    const deletion = Math.max(periodAfter(draft.updated_at, draftPeriod).getTime(), now.getTime() + warnAhead);
    await enqueueMail(trx, {
      to: draft.owner_email,
      subject: `Uw onafgewerkte aanvraag voor ${draft.organisation_name} wordt binnenkort verwijderd`,
      kind: 'draft-expiring',
      template: 'privacy/mail/draft-expiring',
      data: {
        name: `${draft.owner_first_name ?? ''} ${draft.owner_last_name ?? ''}`.trim(),
        organisationName: draft.organisation_name,
        kbo: formatKbo(draft.kbo),
        lastChanged: formatDateNl(todayInBrussels(draft.updated_at)),
        deleteOn: formatDateNl(todayInBrussels(new Date(deletion))),
        link: mailLink(opts.config.publicUrl, `${paths.refund}/${draft.id}`),
      },
    });
  }

  const counts = Object.fromEntries(steps.map((s) => [s.kind, 0])) as RetentionCounts;
  let stopped = false;
  for (const step of steps) {
    for (const due of step.due) {
      if (opts.dryRun) {
        counts[step.kind] += await countDue(db, due);
        continue;
      }
      const batch = step.batch ?? data.batchSize;
      while (!stopped) {
        const done = await db.transaction(async (trx) => {
          const keys = await lockDue(trx, due, batch);
          if (keys.length) await (step.apply ? step.apply(trx, keys as number[]) : deleteRows(trx, due, keys));
          return keys.length;
        });
        counts[step.kind] += done;
        if (done > 0) stopped = opts.shouldStop?.() ?? false;
        if (done < batch) break;
      }
    }
  }
  if (!opts.dryRun) await insertRetentionAudit(db, now, { counts });
  return counts;
}

/** The instant `period` after `at`. */
function periodAfter(at: Date, period: RetentionPeriod): Date {
  return periodBefore(at, { ...period, amount: -period.amount });
}

/** Lines for the operator: what a run deleted (or would delete) per kind. */
export const COUNT_LABELS: Record<keyof RetentionCounts, string> = {
  draftWarning: 'drafts whose owner was mailed a warning',
  draft: 'untouched drafts deleted',
  dossier: 'dossiers deleted (with draft and attachments)',
  mailBody: 'sent mails whose bodies were erased',
  mailRow: 'mail rows deleted',
  session: 'expired sessions deleted',
  rateLimit: 'rate-limit rows deleted',
  replay: 'SAML request and replay rows deleted',
  auditLog: 'audit log entries deleted',
  accessRecord: 'access records deleted',
  bulkPreview: 'never-confirmed CSV uploads deleted',
};
