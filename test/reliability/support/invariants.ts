import type { Db } from '../../../src/db/knex.js';

export interface SubmissionState {
  /** Drafts with a dossier (whole: draft marked, dossier, both receipt mails, the audit entry). */
  submitted: { draftId: number; dossiernummer: string }[];
  /** Everything that is neither whole nor absent; must stay empty. */
  problems: string[];
}

/**
 * Bevestigen writes, in one transaction: the dossier, the draft's submitted_at, an audit entry and the two
 * receipt mails (employer and employee). Whatever happened to the process or the database, each draft must
 * show all of that or none of it.
 */
export async function submissionState(db: Db): Promise<SubmissionState> {
  const drafts: { id: number; submitted_at: Date | null }[] = await db('refund_draft')
    .select('id', 'submitted_at')
    .orderBy('id');
  const dossiers: { draft_id: number; dossiernummer: string }[] = await db('dossier').select(
    'draft_id',
    'dossiernummer',
  );
  const mails: { subject: string; kind: string }[] = await db('mail_outbox')
    .whereLike('kind', 'refund-receipt-%')
    .select('subject', 'kind');
  const audits: { nummer: string }[] = await db('audit_log')
    .where({ action: 'refund.submitted' })
    .select(db.raw(`details->>'dossiernummer' as nummer`));
  const byDraft = new Map(dossiers.map((d) => [Number(d.draft_id), d.dossiernummer]));
  const problems: string[] = [];
  const submitted: SubmissionState['submitted'] = [];
  const known = new Set(dossiers.map((d) => d.dossiernummer));
  for (const draft of drafts) {
    const nummer = byDraft.get(Number(draft.id));
    if (!nummer) {
      if (draft.submitted_at) problems.push(`draft ${draft.id} is marked submitted but has no dossier`);
      continue;
    }
    const mailKinds = mails
      .filter((m) => m.subject.includes(nummer))
      .map((m) => m.kind)
      .sort();
    const auditCount = audits.filter((a) => a.nummer === nummer).length;
    if (!draft.submitted_at) problems.push(`dossier ${nummer}: its draft ${draft.id} is not marked submitted`);
    if (mailKinds.join(',') !== 'refund-receipt-employee,refund-receipt-employer')
      problems.push(`dossier ${nummer}: receipt mails in the outbox: [${mailKinds.join(', ')}]`);
    if (auditCount !== 1) problems.push(`dossier ${nummer}: ${auditCount} audit entries`);
    submitted.push({ draftId: Number(draft.id), dossiernummer: nummer });
  }
  for (const m of mails) {
    const nummer = /VOV-\d{4}-\d{6,}/.exec(m.subject)?.[0];
    if (!nummer || !known.has(nummer)) problems.push(`a receipt mail for a dossier that does not exist: ${m.subject}`);
  }
  for (const a of audits)
    if (!known.has(a.nummer)) problems.push(`an audit entry for a dossier that does not exist: ${a.nummer}`);
  return { submitted, problems };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Runs `fn` over `items` with at most `concurrency` at a time; results in input order. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}
