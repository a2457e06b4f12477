import type { Db } from '../../src/db/knex.js';
import { insertOrganisation, type TestOrganisation } from '../refund/fixtures.js';

/** Rows the privacy tests need, written directly (their age is what matters, not how they were made). */

export function insertDeMeeuw(db: Db): Promise<TestOrganisation> {
  return insertOrganisation(db, { kbo: '0403170701', name: 'Bouwbedrijf De Meeuw NV', unitNumber: '2147812701' });
}

/** A PDF attachment of a draft (or of the draft a dossier was filed from). */
export async function insertAttachment(db: Db, draftId: number, organisationId: number): Promise<number> {
  const [row] = await db('attachment')
    .insert({
      draft_id: draftId,
      organisation_id: organisationId,
      kind: 'inschrijvingsattest',
      filename: 'attest.pdf',
      content_type: 'application/pdf',
      size_bytes: 4,
      sha256: '0'.repeat(64),
      content: Buffer.from('%PDF'),
    })
    .returning('id');
  return row.id;
}

/** A draft last changed at `changedAt` by `personId`, with Eva's INSZ in its steps as the form stores it. */
export async function insertDraft(db: Db, organisationId: number, personId: number, changedAt: Date): Promise<number> {
  const steps = { werknemer: { insz: '85.07.30-033.28', firstName: 'Eva', lastName: 'Werknemer' } };
  const [row] = await db('refund_draft')
    .insert({
      organisation_id: organisationId,
      created_by: personId,
      updated_by: personId,
      created_at: changedAt,
      updated_at: changedAt,
      steps: JSON.stringify(steps),
    })
    .returning('id');
  return row.id;
}

/** A CSV upload: never confirmed ('voorbeeld') unless `status` says otherwise. */
export async function insertUpload(db: Db, organisationId: number, createdAt: Date, status = 'voorbeeld') {
  const upload = { filename: 'aanvragen.csv', encoding: 'utf-8', row_count: 2, valid_count: 1, status };
  const [row] = await db('bulk_upload')
    .insert({ ...upload, organisation_id: organisationId, created_at: createdAt })
    .returning<{ id: number }[]>('id');
  return row.id;
}
