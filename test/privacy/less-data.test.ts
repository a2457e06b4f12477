import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInsz } from '../../src/domain/insz.js';
import { createLogger } from '../../src/http/logger.js';
import { paths } from '../../src/paths.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import type { Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { crawl } from '../help/crawl.js';
import { completeDraft, fixedClock, insertMember, loginForOrganisation } from '../refund/fixtures.js';
import { people, submitDraft, VALID_INSZ } from '../refund/fixtures.js';
import { insertDeMeeuw } from './fixtures.js';

/** Less data: the INSZ in full only where it is needed, never in a URL, an export, the dev mailbox or a log line. */

let t: TestApp;
let an: Agent;
const anPerson = { insz: '75041212353', firstName: 'An', lastName: 'Beheerder', email: 'an@example.be' };
const everyInsz = [VALID_INSZ, people.jan.insz, anPerson.insz].map((i) => i.replace(/\D/g, ''));
/** The INSZ in any of its spellings: 11 digits, or with its dots and dash. */
const inszPattern = new RegExp(everyInsz.flatMap((i) => [i, formatInsz(i).replace(/[.-]/g, '\\$&')]).join('|'));

beforeAll(async () => {
  t = await buildTestApp({}, { now: fixedClock });
  const org = await insertDeMeeuw(t.database.db);
  await insertMember(t.database.db, org.id, people.jan);
  const anId = await insertMember(t.database.db, org.id, anPerson);
  await t.database.db('membership').where({ person_id: anId }).update({ is_local_admin: true });
  an = request.agent(t.app);
  await loginForOrganisation(an, anPerson, org.id);
  await submitDraft(an, await completeDraft(an, org.unitId));
  // A draft too, not submitted.
  const ann = { werknemer: { firstName: 'Ann', lastName: 'Peeters' }, opleiding: { odbNumber: '777' } };
  await completeDraft(an, org.unitId, ann);
});

afterAll(async () => {
  await t.close();
});

describe('less data', () => {
  it('no URL of the portal carries an INSZ (a crawl as local administrator with dossiers, drafts, users)', async () => {
    await an.get(`${paths.admin}/gebruikers/nieuw`).expect(200);
    const starts = [paths.home, paths.dossiers, paths.refund, paths.admin, `${paths.admin}/logboek`, paths.devMailbox];
    const report = await crawl(an, starts, { maxRequests: 300 });
    expect(report.failures).toEqual([]);
    const urls = [...report.visited.keys()];
    expect(urls.some((u) => u.startsWith(`${paths.dossiers}/VOV-`))).toBe(true);
    expect(urls.some((u) => u.startsWith(`${paths.admin}/gebruikers/`))).toBe(true);
    expect(urls.filter((u) => inszPattern.test(decodeURIComponent(u)))).toEqual([]);
  });

  it('the CSV export and the development mailbox show the INSZ masked only', async () => {
    // The CSV and the mails' sources are read as they are: what must not be there must be nowhere.
    const csv = await an.get(paths.dossiersExport).buffer(true).expect(200);
    expect(csv.text).toContain('85.07.30-***.**');
    expect(csv.text).not.toMatch(inszPattern);
    const mailbox = page((await an.get(paths.devMailbox).expect(200)).text);
    const mails = mailbox.links.map((l) => l.href).filter((href) => /^\/dev\/mailbox\/\d+$/.test(href));
    expect(mails.length).toBeGreaterThanOrEqual(2); // both receipts
    for (const mail of mails) {
      for (const source of [mail, `${mail}/html`]) {
        expect((await an.get(source).expect(200)).text, source).not.toMatch(inszPattern);
      }
    }
  });

  it('a database error logged with its details (a duplicate INSZ) does not put the INSZ in the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = createLogger('info', sink);
    const duplicate = { insz: people.jan.insz, first_name: 'Dubbel', last_name: 'Persoon' };
    const err = await t.database
      .db('person')
      .insert(duplicate)
      .catch((e: unknown) => e);
    expect((err as { detail?: string }).detail).toContain(people.jan.insz); // what PostgreSQL says
    logger.error({ err, requestId: 'r-1' }, 'request failed');
    logger.flush();
    expect(lines.join('')).toContain('duplicate key value violates unique constraint');
    expect(lines.join('')).not.toMatch(inszPattern);
  });
});
