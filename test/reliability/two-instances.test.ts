/**
 * Two portal processes on one database behind a round-robin balancer on 127.0.0.1 (each request to the next
 * instance). They run in development mode with one shared DATA_DIR, so both use the same development SAML keys
 * (in test mode every process makes keys of its own); TRUST_PROXY=loopback lets each simulated browser have a
 * client address of its own (X-Forwarded-For), as behind a real load balancer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMail } from '../../src/mail/outbox.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { page } from '../helpers/page.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.js';
import { Browser, chooseOrganisation, login } from './support/browser.js';
import {
  employee,
  journeyAnswers,
  seedMembers,
  seedOrganisation,
  type SeededMember,
  type SeededOrganisation,
} from './support/data.js';
import { inParallel, submissionState, waitFor } from './support/invariants.js';
import { confirm, fillDraft, overviewToken, receiptNumber } from './support/journey.js';
import { freePort, killAllPortals, logLines, sleep, startPortal, type Portal } from './support/portal.js';
import { startRoundRobin, type RoundRobin } from './support/round-robin.js';

const LOGIN_LIMIT = 20;
let database: TestDatabase;
let smtp: SmtpCapture;
let dataDir: string;
let a: Portal;
let b: Portal;
let balancer: RoundRobin;
let org: SeededOrganisation;
let users: SeededMember[];
let withoutRight: SeededMember;
let clientNumber = 0;

/** A browser with a client address of its own (so rate limits of one test don't touch another). */
function browser(base = balancer.url): Browser {
  return new Browser(base, { headers: { 'x-forwarded-for': `198.51.100.${++clientNumber}` } });
}

async function loggedIn(member: SeededMember): Promise<Browser> {
  const br = browser();
  await login(br, member);
  await chooseOrganisation(br, member.organisationId);
  return br;
}

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpCapture();
  // Empty: the two instances, started together, make the development keys there and agree on one pair.
  dataDir = mkdtempSync(join(tmpdir(), 'wse-loket-two-'));
  const [portA, portB] = [await freePort(), await freePort()];
  balancer = await startRoundRobin([
    { name: 'A', port: portA },
    { name: 'B', port: portB },
  ]);
  const env = {
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    SMTP_URL: smtp.url,
    TRUST_PROXY: 'loopback',
    LOGIN_RATE_LIMIT_PER_MINUTE: String(LOGIN_LIMIT),
    LOG_LEVEL: 'info',
    // One SMTP connection per instance (a batch of 20): with a slow relay no instance can drain the outbox alone.
    SMTP_MAX_CONNECTIONS: '1',
  };
  [a, b] = await Promise.all([
    startPortal({ name: 'A', port: portA, databaseUrl: database.url, publicUrl: balancer.url, env }),
    startPortal({ name: 'B', port: portB, databaseUrl: database.url, publicUrl: balancer.url, env }),
  ]);
  org = await seedOrganisation(database.db, 30);
  await seedMembers(database.db, org.id, 1, {
    serialBase: 600,
    localAdmin: true,
    withRight: false,
    label: 'Beheerder',
  });
  users = await seedMembers(database.db, org.id, 32, { serialBase: 610 });
  [withoutRight] = await seedMembers(database.db, org.id, 1, {
    serialBase: 650,
    withRight: false,
    label: 'Zonderrecht',
  });
});

afterAll(async () => {
  await killAllPortals();
  await balancer?.close();
  await smtp?.stop();
  await database?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('two instances on one database behind a round-robin balancer', () => {
  it('a login started on one instance finishes on the other; the session works on both', async () => {
    const br = browser();
    const from = balancer.served.length;
    await login(br, users[0]);
    const served = balancer.served.slice(from);
    const started = served.find((s) => s.path === '/aanmelden')!;
    const finished = served.find((s) => s.path === '/auth/saml/acs')!;
    expect(started.backend).not.toBe(finished.backend);
    for (const instance of [a, b]) {
      const shown = await br.at(instance.url).get('/toegankelijkheidsverklaring');
      expect(page(shown.text).header).toContain(`${users[0].firstName} ${users[0].lastName}`);
    }
  });

  it('concurrent logins spread over both instances never cross sessions: each browser sees its own name', async () => {
    const browsers = await inParallel(users.slice(1, 21), 20, async (m) => ({ m, br: await loggedIn(m) }));
    for (const { m, br } of browsers) {
      for (const instance of [a, b]) {
        const home = await br.at(instance.url).get('/');
        expect(home.status).toBe(200);
        expect(page(home.text).header).toContain(`${m.firstName} ${m.lastName}`);
      }
    }
  });

  it('the form continues across the instances: each step is shown by one and posted to the other', async () => {
    const br = await loggedIn(users[21]);
    const from = balancer.served.length;
    const eva = employee(700);
    const draftUrl = await fillDraft(br, journeyAnswers(org.unitId, eva));
    const steps = balancer.served.slice(from);
    // Every POST landed on the other instance than the GET of its page (the CSRF token travels in the shared session).
    for (let i = 1; i < steps.length; i++)
      if (steps[i].method === 'POST') expect(steps[i].backend).not.toBe(steps[i - 1].backend);
    expect(new Set(steps.map((s) => s.backend))).toEqual(new Set(['A', 'B']));
    const overview = await br.get(`${draftUrl}/overzicht`);
    expect(page(overview.text).summary).toContainEqual(['Naam', `${eva.firstName} ${eva.lastName}`]);
    const nummer = receiptNumber(await confirm(br, draftUrl, page(overview.text).csrf));
    expect(nummer).not.toBeNull();
    for (const instance of [a, b]) expect((await br.at(instance.url).get(`/mijn-dossiers/${nummer}`)).status).toBe(200);
  });

  it('a burst of the same Bevestigen sent to both instances at once gives one dossier', async () => {
    const br = await loggedIn(users[22]);
    const draftUrl = await fillDraft(br, journeyAnswers(org.unitId, employee(701)));
    const token = await overviewToken(br, draftUrl);
    const [onA, onB] = [br.at(a.url), br.at(b.url)];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => confirm(i % 2 ? onB : onA, draftUrl, token)),
    );
    const numbers = new Set(answers.map(receiptNumber));
    expect(numbers.size).toBe(1);
    expect([...numbers][0]).not.toBeNull();
    const draftId = Number(draftUrl.split('/').pop());
    expect(await database.db('dossier').where({ draft_id: draftId }).count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('two drafts for the same employee and training, submitted at once on different instances, give one dossier', async () => {
    const pairs = await inParallel([0, 1, 2, 3], 4, async (p) => {
      const [x, y] = [await loggedIn(users[23 + 2 * p]), await loggedIn(users[24 + 2 * p])];
      const same = employee(710 + p);
      const dx = await fillDraft(x, journeyAnswers(org.unitId, same));
      const dy = await fillDraft(y, journeyAnswers(org.unitId, same));
      return { x, y, dx, dy, tx: await overviewToken(x, dx), ty: await overviewToken(y, dy), same };
    });
    await Promise.all(
      pairs.map(async ({ x, y, dx, dy, tx, ty, same }) => {
        const [rx, ry] = await Promise.all([confirm(x.at(a.url), dx, tx), confirm(y.at(b.url), dy, ty)]);
        const won = [rx, ry].filter((r) => receiptNumber(r));
        const lost = [rx, ry].filter((r) => !receiptNumber(r));
        expect(won).toHaveLength(1);
        // The other one is sent to the training step, where the page says a request for it exists already.
        expect(lost[0].status).toBe(303);
        expect(lost[0].location).toMatch(/\/opleiding\?terug=overzicht$/);
        const loser = lost[0] === rx ? x : y;
        const training = await loser.get(lost[0].location!);
        expect(page(training.text).errors.join(' ')).toContain(
          'Per werknemer, opleiding en schooljaar kunt u maar één aanvraag indienen',
        );
        expect(await database.db('dossier').where({ employee_insz: same.insz }).count({ n: '*' }).first()).toEqual({
          n: 1,
        });
      }),
    );
    expect((await submissionState(database.db)).problems).toEqual([]);
  });

  it('the mail workers of both instances together send every mail exactly once', async () => {
    // 50 ms per mail and one connection: an instance delivers at most ~40 mails in the 2 s between the other's polls,
    // so both take part whatever the machine's speed.
    smtp.answerDelayMs = 50;
    for (let i = 0; i < 160; i++)
      await enqueueMail(database.db, {
        to: `bulk${i}@ontvanger.example`,
        subject: `Bericht ${i}`,
        text: `Bericht ${i}\n`,
        html: `<p>Bericht ${i}</p>`,
        kind: 'test',
      });
    await waitFor(
      'the outbox to be empty',
      async () => Number((await database.db('mail_outbox').whereNull('sent_at').count({ n: '*' }).first())!.n) === 0,
      60_000,
      200,
    ).finally(() => (smtp.answerDelayMs = 0));
    await sleep(2_500); // a second delivery would show up now
    const delivered = smtp.messages.map((m) => m.messageId);
    expect(new Set(delivered).size).toBe(delivered.length);
    const total = Number((await database.db('mail_outbox').count({ n: '*' }).first())!.n);
    expect(delivered).toHaveLength(total);
    const sentBy = (p: Portal) =>
      new Set(
        logLines(p)
          .filter((l) => l.msg === 'mail delivered')
          .map((l) => Number(l.mailId)),
      );
    const [byA, byB] = [sentBy(a), sentBy(b)];
    expect([...byA].filter((id) => byB.has(id))).toEqual([]);
    expect(byA.size + byB.size).toBe(total);
    expect(byA.size).toBeGreaterThan(0);
    expect(byB.size).toBeGreaterThan(0);
    console.log(
      `[two instances] ${total} mails, each delivered once: ${byA.size} by instance A, ${byB.size} by instance B`,
    );
  });

  it('the login rate limit is shared by the instances (per client address)', async () => {
    const client = `203.0.113.${(clientNumber % 200) + 1}`;
    const get = (p: Portal, ip = client) =>
      fetch(`${p.url}/aanmelden`, { redirect: 'manual', headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < LOGIN_LIMIT; i++) expect((await get(i % 2 ? b : a)).status).toBe(302);
    for (const p of [a, b]) {
      const refused = await get(p);
      expect(refused.status).toBe(429);
      // The window opened at this client's first attempt, a few seconds ago.
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(40);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(page(await refused.text()).h1).toBe('Te veel pogingen');
    }
    // Another client is not affected, on either instance.
    expect((await get(a, '203.0.113.250')).status).toBe(302);
    expect((await get(b, '203.0.113.250')).status).toBe(302);
    // The ACS, where the IdP's answer arrives, has a limit of its own, also shared.
    const post = (p: Portal) =>
      fetch(`${p.url}/auth/saml/acs`, {
        method: 'POST',
        headers: { 'x-forwarded-for': client, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'SAMLResponse=bm9uc2Vuc2U%3D',
      });
    for (let i = 0; i < LOGIN_LIMIT; i++) expect((await post(i % 2 ? a : b)).status).toBeLessThan(429);
    expect((await post(a)).status).toBe(429);
    expect((await post(b)).status).toBe(429);
  });

  it('the right-request rate limit is shared by the instances', async () => {
    const br = await loggedIn(withoutRight);
    const token = page((await br.get('/aanvraag')).text).csrf;
    const [onA, onB] = [br.at(a.url), br.at(b.url)];
    for (let i = 0; i < 10; i++)
      expect((await (i % 2 ? onB : onA).post('/gebruikersrecht-aanvragen', { _csrf: token })).status).toBe(303);
    for (const instance of [onA, onB]) {
      const refused = await instance.post('/gebruikersrecht-aanvragen', { _csrf: token });
      expect(refused.status).toBe(429);
      expect(page(refused.text).h1).toBe('Te veel pogingen');
    }
    // One request, one mail to the local administrator, however often the button was pressed.
    expect(await database.db('right_request').where({ person_id: withoutRight.id }).count({ n: '*' }).first()).toEqual({
      n: 1,
    });
    await waitFor(
      'the mail to the local administrator',
      async () => smtp.messages.some((m) => m.subject.startsWith('Aanvraag gebruikersrecht')),
      15_000,
    );
    expect(smtp.messages.filter((m) => m.subject.startsWith('Aanvraag gebruikersrecht'))).toHaveLength(1);
  });
});
