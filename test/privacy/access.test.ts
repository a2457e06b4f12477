import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminPaths } from '../../src/paths.js';
import type { TestApp } from '../helpers/app.js';
import { memberLoggedIn } from '../helpers/fixture.js';
import type { Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { completeDraft, fixedClock, insertMember, insertOrganisation } from '../refund/fixtures.js';
import { loginForOrganisation, people, submitDraft, VALID_INSZ, type TestOrganisation } from '../refund/fixtures.js';
import { insertAttachment } from './fixtures.js';

/** Who read what: opening a dossier, its PDF, an attachment or a user's page leaves a record for the local admin. */

let t: TestApp;
let meeuw: TestOrganisation;
let ander: TestOrganisation;
let jan: Agent;
let an: Agent;
let olaf: Agent;
let bea: Agent;
let receipt: string;
let otherReceipt: string;
let janId: number;

const an_ = { insz: '75041212353', firstName: 'An', lastName: 'Beheerder', email: 'an@example.be' };
const bea_ = { insz: '01021426657', firstName: 'Bea', lastName: 'Baas', email: 'bea@example.be' };

async function makeLocalAdmin(organisationId: number, p: typeof an_): Promise<void> {
  const personId = await insertMember(t.database.db, organisationId, p, false);
  const membership = { person_id: personId, organisation_id: organisationId };
  await t.database.db('membership').where(membership).update({ is_local_admin: true });
}

const ACCESS_TABLE = 'Inzage in persoonsgegevens';

/** The rows of the logbook's "Wie bekeek persoonsgegevens" table: [wat, door, betreft]. */
function accessRows(html: string): string[][] {
  return page(html)
    .table(ACCESS_TABLE)
    .rows.map((row) => row.slice(1));
}

// Every test on a fresh app (the access records start empty): Jan of De Meeuw and Olaf of another organisation
// each filed a request (which records nothing yet), and each organisation has a local administrator.
beforeEach(async () => {
  ({ t, org: meeuw, agent: jan, janId } = await memberLoggedIn());
  const db = t.database.db;
  ander = await insertOrganisation(db, { kbo: '0200065765', name: 'Andere Werkgever BV', unitNumber: '2000000042' });
  await insertMember(db, ander.id, people.other);
  await makeLocalAdmin(meeuw.id, an_);
  await makeLocalAdmin(ander.id, bea_);
  [an, olaf, bea] = [request.agent(t.app), request.agent(t.app), request.agent(t.app)];
  await loginForOrganisation(an, an_, meeuw.id);
  await loginForOrganisation(olaf, people.other, ander.id);
  await loginForOrganisation(bea, bea_, ander.id);
  receipt = await submitDraft(jan, await completeDraft(jan, meeuw.unitId));
  otherReceipt = await submitDraft(olaf, await completeDraft(olaf, ander.unitId));
});

afterEach(async () => {
  await t.close();
});

describe('access records', () => {
  it('opening nothing records nothing', async () => {
    const log = page((await an.get(adminPaths.auditLog).expect(200)).text);
    expect(log.headings).toContain('Wie bekeek persoonsgegevens');
    expect(log.main).toContain('Niemand bekeek al persoonsgegevens.');
    expect(() => log.table(ACCESS_TABLE)).toThrow();
  });

  it('records a receipt, its PDF, an attachment and a user’s page; the logbook shows them', async () => {
    const db = t.database.db;
    const nummer = receipt.split('/').pop()!;
    const dossier = await db('dossier').where({ dossiernummer: nummer }).first();
    const file = { id: await insertAttachment(db, dossier.draft_id, meeuw.id) };

    await jan.get(receipt).expect(200);
    await jan.get(`${receipt}/ontvangstbevestiging.pdf`).expect(200);
    await jan.get(`/terugbetaling/${dossier.draft_id}/bijlagen/${file.id}`).expect(200);
    await an.get(adminPaths.user(janId)).expect(200);

    const rows = accessRows((await an.get(adminPaths.auditLog).expect(200)).text);
    expect(rows).toEqual([
      ['Gebruiker bekeken in gebruikersbeheer', 'An Beheerder', 'Jan Werkgever (68.11.03-***.**)'],
      [`Bijlage van dossier ${nummer} gedownload`, 'Jan Werkgever', '—'],
      [`Ontvangstbevestiging van dossier ${nummer} gedownload (pdf)`, 'Jan Werkgever', '—'],
      [`Dossier ${nummer} geopend`, 'Jan Werkgever', '—'],
    ]);
    // Who, for which organisation, what and when; never an INSZ.
    const records = await db('access_record').orderBy('id');
    expect(records.map((r) => [r.person_id, r.organisation_id, r.what])).toEqual([
      [janId, meeuw.id, 'dossier'],
      [janId, meeuw.id, 'dossier-pdf'],
      [janId, meeuw.id, 'attachment'],
      [expect.any(Number), meeuw.id, 'person'],
    ]);
    expect(records.every((r) => r.at.getTime() === fixedClock().getTime())).toBe(true);
    const stored = JSON.stringify(records);
    for (const insz of [people.jan.insz, VALID_INSZ.replace(/\D/g, '')]) expect(stored).not.toContain(insz);
  });

  it('never shows one organisation the records of another, and a page that is not found records nothing', async () => {
    const before = await t.database.db('access_record').count({ n: '*' });
    await olaf.get(receipt).expect(404); // De Meeuw's dossier, asked for by the other organisation
    expect(await t.database.db('access_record').count({ n: '*' })).toEqual(before);

    await olaf.get(otherReceipt).expect(200);
    const other = otherReceipt.split('/').pop()!;
    const beasRows = accessRows((await bea.get(adminPaths.auditLog).expect(200)).text);
    expect(beasRows).toEqual([[`Dossier ${other} geopend`, 'Olaf Ander', '—']]);
    // A leak check, so on the page's source: De Meeuw's logbook names nothing of the other organisation anywhere.
    const ansPage = (await an.get(adminPaths.auditLog).expect(200)).text;
    expect(ansPage).not.toContain(other);
    expect(ansPage).not.toContain('Olaf Ander');
  });

  it('the logbook with its access records is only for local administrators', async () => {
    expect((await jan.get(adminPaths.auditLog)).status).toBe(403);
  });
});
