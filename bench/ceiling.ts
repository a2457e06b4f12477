/**
 * The per-transaction ceiling for (d): what one Bevestigen writes (the draft marked submitted, the dossier, its
 * audit entry, its receipt mails), one transaction per submission, from bare pg clients at the bench's
 * concurrency for a fixed time. Each transaction commits (a WAL flush), as each submission does, so this is
 * the rate PostgreSQL on this machine allows for (d) when the portal costs nothing.
 *
 * The rows are copies of those a real submission of (d) wrote (columns read from the catalogue, so the
 * ceiling follows the schema), on fresh copies of a real draft; a column whose default is an expression
 * (the feed's transaction id) gets its default, as in the portal.
 */
import pg from 'pg';

export interface PerTransactionCeiling {
  connections: number;
  transactions: number;
  seconds: number;
  perSecond: number;
  /** Rows each transaction wrote, by table. */
  rowsPerTransaction: Record<string, number>;
}

/** Columns to copy from a sample row: all but the id and those whose default is an expression. */
async function copyableColumns(client: pg.Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND column_name <> 'id'
        AND is_generated = 'NEVER' AND (column_default IS NULL OR column_default NOT LIKE '%(%')
      ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => r.name);
}

export async function perTransactionCeiling(
  dbUrl: string,
  sample: { dossierId: number; connections: number; seconds: number; maxTransactions: number },
): Promise<PerTransactionCeiling> {
  const admin = new pg.Client({ connectionString: dbUrl });
  await admin.connect();
  const clients: pg.Client[] = [];
  try {
    const { rows: found } = await admin.query<{ draft_id: string; audit_id: string | null; mail_ids: string[] }>(
      `SELECT d.draft_id,
              (SELECT max(a.id) FROM audit_log a WHERE a.action = 'refund.submitted' AND a.details->>'dossiernummer' = d.dossiernummer) AS audit_id,
              ARRAY(SELECT m.id FROM mail_outbox m ORDER BY m.id DESC LIMIT 2) AS mail_ids
         FROM dossier d WHERE d.id = $1`,
      [sample.dossierId],
    );
    const s = found[0];
    if (!s || s.audit_id === null || s.mail_ids.length < 1)
      throw new Error('no complete submission (dossier, audit entry, mails) to copy');
    // Fresh drafts to file, copies of the sample's (same steps, so the same row size).
    const { rows: drafts } = await admin.query<{ id: string }>(
      `INSERT INTO refund_draft (organisation_id, created_by, updated_by, steps)
       SELECT organisation_id, created_by, updated_by, steps FROM refund_draft, generate_series(1, $2)
        WHERE id = $1 RETURNING id`,
      [s.draft_id, sample.maxTransactions],
    );
    const draftIds = drafts.map((d) => d.id);

    const special: Record<string, string> = {
      dossiernummer: `'VOV-9998-' || lpad(c.id::text, 9, '0')`,
      draft_id: 'c.id',
      training_key: `x.training_key || ':' || c.id`,
      submitted_at: 'now()',
    };
    const dossierColumns = await copyableColumns(admin, 'dossier');
    const auditColumns = await copyableColumns(admin, 'audit_log');
    const mailColumns = await copyableColumns(admin, 'mail_outbox');
    const text = `WITH claimed AS (
        UPDATE refund_draft SET submitted_at = now() WHERE id = $1 AND submitted_at IS NULL RETURNING id),
      filed AS (
        INSERT INTO dossier (${dossierColumns.join(', ')})
        SELECT ${dossierColumns.map((c) => special[c] ?? `x.${c}`).join(', ')} FROM dossier x, claimed c WHERE x.id = $2
        RETURNING id),
      audits AS (
        INSERT INTO audit_log (${auditColumns.join(', ')})
        SELECT ${auditColumns.join(', ')} FROM audit_log WHERE id = $3 AND EXISTS (SELECT 1 FROM filed)),
      mails AS (
        INSERT INTO mail_outbox (${mailColumns.join(', ')})
        SELECT ${mailColumns.join(', ')} FROM mail_outbox WHERE id = ANY($4::bigint[]) AND EXISTS (SELECT 1 FROM filed))
      SELECT count(*)::int AS n FROM filed`;

    for (let i = 0; i < sample.connections; i++) {
      const c = new pg.Client({ connectionString: dbUrl });
      await c.connect();
      clients.push(c);
    }
    let next = 0;
    let done = 0;
    const started = performance.now();
    const deadline = started + sample.seconds * 1000;
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < deadline && next < draftIds.length) {
          const draftId = draftIds[next++];
          const { rows } = await c.query<{ n: number }>({
            name: 'ceiling-submission', // prepared once per connection, as a ceiling should be
            text,
            values: [draftId, sample.dossierId, s.audit_id, s.mail_ids],
          });
          if (rows[0].n !== 1) throw new Error(`draft ${draftId} was not filed`);
          done++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      connections: sample.connections,
      transactions: done,
      seconds,
      perSecond: done / seconds,
      rowsPerTransaction: { refund_draft: 1, dossier: 1, audit_log: 1, mail_outbox: s.mail_ids.length },
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await admin.end();
  }
}
