/**
 * Faults with real processes: the portal as `npm start` runs it, PostgreSQL behind a TCP proxy that can be
 * taken down, a real SMTP server that is stopped and started, SIGKILL and SIGTERM. Each test has its own
 * database, mail server and processes, so the four run at the same time (most of their time is waiting).
 */
import net from 'node:net';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { page } from '../helpers/page.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { Browser, chooseOrganisation, login, type Reply } from './support/browser.js';
import {
  CONTACT_EMAIL,
  employee,
  journeyAnswers,
  seedMembers,
  seedOrganisation,
  type SeededMember,
} from './support/data.js';
import { inParallel, submissionState, waitFor } from './support/invariants.js';
import { confirm, fillDraft, overviewToken, receiptNumber } from './support/journey.js';
import { killAllPortals, sleep, startPortal } from './support/portal.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await killAllPortals();
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function database(): Promise<TestDatabase> {
  const d = await createTestDatabase();
  cleanups.push(() => d.drop());
  return d;
}

async function smtpServer(): Promise<SmtpCapture> {
  const s = await startSmtpCapture();
  cleanups.push(() => s.stop());
  return s;
}

/** Logged-in users acting for the organisation (a real dev-IdP login each). */
async function loggedIn(portalUrl: string, members: SeededMember[], concurrency = 8): Promise<Browser[]> {
  return inParallel(members, concurrency, async (m) => {
    const b = new Browser(portalUrl);
    await login(b, m);
    await chooseOrganisation(b, m.organisationId);
    return b;
  });
}

/** Users with a complete draft, the overview open (its token read), ready to press Bevestigen. */
async function readyToConfirm(portalUrl: string, members: SeededMember[], unitId: number, employeeBase: number) {
  const browsers = await loggedIn(portalUrl, members);
  return inParallel(browsers, 8, async (browser, i) => {
    const draftUrl = await fillDraft(browser, journeyAnswers(unitId, employee(employeeBase + i)));
    return {
      browser,
      draftUrl,
      draftId: Number(draftUrl.split('/').pop()),
      token: await overviewToken(browser, draftUrl),
    };
  });
}

const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|TypeError|ReferenceError/;

/** How every response looks while the database is down. */
function outageProblem(r: Reply, path: string): string | null {
  if (r.status === 503) {
    const id = r.headers.get('x-request-id') ?? '';
    const shown = page(r.text);
    if (shown.h1 !== 'De dienst is tijdelijk niet beschikbaar' || !shown.main.includes('Probeer later opnieuw'))
      return `${path}: 503 without the Dutch page`;
    if (!id || !shown.main.includes(id)) return `${path}: 503 page without its request id`;
    if (r.headers.get('retry-after') !== '10') return `${path}: 503 without Retry-After`;
    if (STACK.test(r.text)) return `${path}: 503 page shows internals`; // a leak check: anywhere in the source
    return null;
  }
  return `${path}: answered ${r.status} during the outage`;
}

/** What a new TCP connection to the port gets: 'connected' or the error code (ECONNREFUSED once the server stopped listening). */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/**
 * A Bijlagen upload sent by hand over one connection: headers and the first half of the body now, the rest
 * when `finish()` is called. `response` is the raw HTTP answer.
 */
function slowMultipartUpload(port: number, cookie: string, draftUrl: string, token: string) {
  const boundary = '----reliability' + Math.random().toString(16).slice(2);
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(200_000, 0x20), Buffer.from('\n%%EOF\n')]);
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="actie"\r\n\r\ntoevoegen\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="inschrijvingsattest"; filename="attest.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    ),
    pdf,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const socket = net.connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (c) => (answer += c.toString('latin1')));
  const response = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(answer));
    socket.on('error', () => {});
  });
  socket.on('connect', () => {
    socket.write(
      `POST ${draftUrl}/bijlagen HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    socket.write(body.subarray(0, body.length >> 1));
  });
  // write, not end: a half-closed request is dropped by the server (http allowHalfOpen is off)
  return { response, finish: () => socket.write(body.subarray(body.length >> 1)) };
}

describe.concurrent('faults', () => {
  it('database down for 10 s while users browse and submit: Dutch 503 pages with the request id, /readyz fails, no crash, nothing half-written, back without a restart', async ({
    expect,
  }) => {
    const db = await database();
    const target = new URL(db.url);
    const proxy: TcpProxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const smtp = await smtpServer();
    const org = await seedOrganisation(db.db, 1);
    const members = await seedMembers(db.db, org.id, 12, { serialBase: 0 });
    const portal = await startPortal({ name: 'outage', databaseUrl: viaProxy.toString(), env: { SMTP_URL: smtp.url } });

    // Eight users are about to press Bevestigen; four are half-way through the form.
    const submitters = await readyToConfirm(portal.url, members.slice(0, 8), org.unitId, 0);
    const browsing = await loggedIn(portal.url, members.slice(8));
    const halfway = await inParallel(browsing, 4, async (browser, i) => {
      const answers = journeyAnswers(org.unitId, employee(100 + i));
      const first = await browser.submit('/terugbetaling/nieuw/werkgever', answers.werkgever);
      const draftUrl = first.location!.replace(/\/werknemer$/, '');
      const step = await browser.get(`${draftUrl}/werknemer`);
      return { browser, answers, draftUrl, token: page(step.text).csrf };
    });
    const anonymous = new Browser(portal.url);

    // The database goes away in the middle of a Bevestigen burst.
    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    const burst = submitters.map((s) => confirm(s.browser, s.draftUrl, s.token).catch((e: Error) => e));
    for (const until = Date.now() + 5_000; Date.now() < until;) {
      if (Number((await watcher.query('SELECT count(*) AS n FROM dossier')).rows[0].n) >= 1) break;
    }
    await proxy.stop();
    await watcher.end();
    const downAt = Date.now();
    const burstResults = await Promise.all(burst);
    const problems: string[] = [];
    for (const r of burstResults) {
      if (r instanceof Error) problems.push(`Bevestigen during the cut: ${r.message}`);
      else if (r.status !== 303 && r.status !== 503) problems.push(`Bevestigen during the cut answered ${r.status}`);
      else if (r.status === 503) {
        const p = outageProblem(r, 'Bevestigen');
        if (p) problems.push(p);
      }
    }

    // Ten seconds of users trying: pages, steps, Bevestigen again, the public pages, the probes.
    let during = 0;
    const slow: string[] = [];
    const attempt = async (what: string, call: () => Promise<Reply>, expectOk = false) => {
      const t0 = Date.now();
      try {
        const r = await call();
        during++;
        if (Date.now() - t0 > 6_000) slow.push(`${what} took ${Date.now() - t0} ms`);
        if (expectOk ? r.status !== 200 : outageProblem(r, what))
          problems.push(expectOk ? `${what}: ${r.status}` : outageProblem(r, what)!);
      } catch (e) {
        problems.push(`${what}: ${(e as Error).message}`);
      }
    };
    let readyzDuring = 0;
    while (Date.now() - downAt < 10_000) {
      await Promise.all([
        ...halfway.map((h) => attempt('GET a step', () => h.browser.get(`${h.draftUrl}/werknemer`))),
        ...halfway.map((h) =>
          attempt('POST a step', () =>
            h.browser.post(`${h.draftUrl}/werknemer`, { ...h.answers.werknemer, _csrf: h.token }),
          ),
        ),
        ...halfway.map((h) => attempt('GET Mijn dossiers', () => h.browser.get('/mijn-dossiers'))),
        ...submitters
          .slice(0, 4)
          .map((s) => attempt('Bevestigen again', () => confirm(s.browser, s.draftUrl, s.token))),
        attempt('GET / (anonymous)', () => anonymous.get('/'), true),
        attempt('GET /healthz', () => anonymous.get('/healthz'), true),
        anonymous.get('/readyz').then((r) => {
          if (r.status === 503) readyzDuring++;
          else problems.push(`/readyz answered ${r.status} while the database was down`);
        }),
      ]);
      expect(portal.alive(), portal.output().slice(-2000)).toBe(true);
      await sleep(500);
    }

    // What the outage left behind: every draft whole or untouched.
    const afterCut = await submissionState(db.db);
    expect(afterCut.problems).toEqual([]);

    // The database is back: no restart, the same process serves again.
    await proxy.start();
    const backAt = Date.now();
    await waitFor('/readyz to answer 200 again', async () => (await anonymous.get('/readyz')).status === 200, 15_000);
    const recoveryMs = Date.now() - backAt;

    // The half-way users find their answers kept and finish; every submitter retries and gets one receipt.
    const receipts = new Map<number, string>();
    for (const h of halfway) {
      const step = await h.browser.get(`${h.draftUrl}/werkgever`);
      expect(step.status).toBe(200);
      expect(page(step.text).value('E-mailadres')).toBe(h.answers.werkgever.contactEmail);
      const draftUrl = h.draftUrl;
      for (const slug of ['werknemer', 'opleiding', 'initiatief'] as const)
        expect((await h.browser.submit(`${draftUrl}/${slug}`, h.answers[slug])).status).toBe(303);
      expect((await h.browser.submit(`${draftUrl}/bijlagen`, { actie: 'volgende' })).status).toBe(303);
      const nummer = receiptNumber(await confirm(h.browser, draftUrl, await overviewToken(h.browser, draftUrl)));
      expect(nummer).not.toBeNull();
      receipts.set(Number(draftUrl.split('/').pop()), nummer!);
    }
    const committedDuringCut = new Map(afterCut.submitted.map((s) => [s.draftId, s.dossiernummer]));
    for (const s of submitters) {
      const retry = await confirm(s.browser, s.draftUrl, s.token);
      const nummer = receiptNumber(retry);
      expect(nummer, `retry of draft ${s.draftId}: ${retry.status}`).not.toBeNull();
      if (committedDuringCut.has(s.draftId)) expect(nummer).toBe(committedDuringCut.get(s.draftId));
      receipts.set(s.draftId, nummer!);
      expect((await s.browser.get(`/mijn-dossiers/${nummer}`)).status).toBe(200);
    }

    const final = await submissionState(db.db);
    expect(final.problems).toEqual([]);
    expect(final.submitted.length).toBe(12);
    expect(new Set(final.submitted.map((s) => s.dossiernummer)).size).toBe(12);
    for (const s of final.submitted) expect(receipts.get(s.draftId)).toBe(s.dossiernummer);

    // Mails queued around the outage all arrive, once.
    await waitFor('every receipt mail', async () => smtp.messages.length >= 24, 20_000);
    await sleep(2_500);
    expect(smtp.messages.length).toBe(24);
    expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(24);

    expect(problems).toEqual([]);
    expect(slow).toEqual([]);
    expect(readyzDuring).toBeGreaterThan(0);
    expect(portal.alive()).toBe(true);
    console.log(
      `[database outage] ${during} requests during 10 s down, all 503 with the Dutch page and request id; ` +
        `${afterCut.submitted.length}/8 Bevestigen committed before the cut; ready again ${recoveryMs} ms after the database came back; same process (pid ${portal.pid})`,
    );
  });

  it('SMTP down for a while: every mail queued meanwhile is delivered afterwards, each exactly once', async ({
    expect,
  }) => {
    const db = await database();
    const smtp = await smtpServer();
    const org = await seedOrganisation(db.db, 2);
    const members = await seedMembers(db.db, org.id, 6, { serialBase: 100 });
    const portal = await startPortal({ name: 'smtp-outage', databaseUrl: db.url, env: { SMTP_URL: smtp.url } });
    const users = await readyToConfirm(portal.url, members, org.unitId, 200);

    // One request before the outage: its mails go out over the worker's (pooled) connection.
    const nummers: string[] = [receiptNumber(await confirm(users[0].browser, users[0].draftUrl, users[0].token))!];
    await waitFor('the first two mails', async () => smtp.messages.length === 2, 15_000);
    await smtp.stop();
    for (const u of users.slice(1)) nummers.push(receiptNumber(await confirm(u.browser, u.draftUrl, u.token))!);
    expect(nummers.every(Boolean)).toBe(true);
    // The worker tried, failed and scheduled a retry for every mail while SMTP was down.
    await waitFor(
      'a failed attempt on every mail',
      async () => {
        const rows = await db.db('mail_outbox').whereNull('sent_at').select('attempts', 'last_error');
        return rows.length === 10 && rows.every((r) => r.attempts >= 1 && r.last_error);
      },
      15_000,
    );
    await sleep(3_000); // still down a while
    expect(smtp.messages).toHaveLength(2);
    await smtp.start();
    const upAt = Date.now();

    // The retry back-off (30 s after the first failure in production settings) brings them all.
    await waitFor('all twelve mails', async () => smtp.messages.length >= 12, 60_000, 250);
    const deliveredAfterMs = Date.now() - upAt;
    await sleep(3_000); // and nothing more arrives: no second delivery
    expect(smtp.messages).toHaveLength(12);
    expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(12);
    for (const [i, nummer] of nummers.entries()) {
      const forDossier = smtp.messages.filter((m) => m.subject.includes(nummer));
      expect(forDossier.map((m) => m.to[0]).sort()).toEqual([CONTACT_EMAIL, employee(200 + i).email].sort());
    }
    const unsent = await db.db('mail_outbox').whereNull('sent_at').count({ n: '*' }).first();
    expect(unsent).toEqual({ n: 0 });
    expect(portal.alive()).toBe(true);
    console.log(
      `[SMTP outage] 10 mails queued while SMTP was down; all 12 delivered once, ${deliveredAfterMs} ms after SMTP came back`,
    );
  });

  it('SIGKILL in the middle of a Bevestigen burst: every dossier whole with its mails or absent; a retry gets the existing dossier', async ({
    expect,
  }) => {
    const db = await database();
    const smtp = await smtpServer();
    const org = await seedOrganisation(db.db, 3);
    const members = await seedMembers(db.db, org.id, 24, { serialBase: 200 });
    const first = await startPortal({ name: 'before-kill', databaseUrl: db.url, env: { SMTP_URL: smtp.url } });
    const users = await readyToConfirm(first.url, members, org.unitId, 300);

    const watcher = new pg.Client({ connectionString: db.url });
    await watcher.connect();
    const burst = users.map((u) => confirm(u.browser, u.draftUrl, u.token).catch((e: Error) => e));
    // Kill the process as soon as the first dossier is committed: the others are somewhere in flight.
    let atKill = 0;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      atKill = Number((await watcher.query('SELECT count(*) AS n FROM dossier')).rows[0].n);
      if (atKill >= 1) break;
    }
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    await watcher.end();
    expect(killed.signal).toBe('SIGKILL');
    const outcomes = await Promise.all(burst);
    const cut = outcomes.filter((o) => o instanceof Error).length;
    const answered = outcomes.filter((o): o is Reply => !(o instanceof Error));
    for (const a of answered) expect(receiptNumber(a), `an answer before the kill: ${a.status}`).not.toBeNull();
    expect(cut, 'the kill must land while requests are in flight').toBeGreaterThan(0);

    // Straight after the kill: whole or nothing.
    const afterKill = await submissionState(db.db);
    expect(afterKill.problems).toEqual([]);
    const before = new Map(afterKill.submitted.map((s) => [s.draftId, s.dossiernummer]));

    // Restart on the same address; every user presses Bevestigen again (the browser resends the form).
    const second = await startPortal({
      name: 'after-kill',
      port: first.port,
      databaseUrl: db.url,
      env: { SMTP_URL: smtp.url },
    });
    await inParallel(users, 8, async (u) => {
      const nummer = receiptNumber(await confirm(u.browser, u.draftUrl, u.token));
      expect(nummer).not.toBeNull();
      if (before.has(u.draftId)) expect(nummer).toBe(before.get(u.draftId));
      expect((await u.browser.get(`/mijn-dossiers/${nummer}`)).status).toBe(200);
    });
    const final = await submissionState(db.db);
    expect(final.problems).toEqual([]);
    expect(final.submitted).toHaveLength(24);
    expect(new Set(final.submitted.map((s) => s.draftId)).size).toBe(24);

    // Mails: every outbox row is delivered, or still leased by the killed worker (retried when its lease ends);
    // none is delivered twice.
    await waitFor(
      'the outbox to settle',
      async () => {
        const open = await db
          .db('mail_outbox')
          .whereNull('sent_at')
          .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<=', db.db.fn.now()))
          .count({ n: '*' })
          .first();
        return Number(open!.n) === 0;
      },
      20_000,
    );
    await sleep(1_000);
    const rows: { id: number; sent_at: Date | null; locked_until: Date | null }[] = await db
      .db('mail_outbox')
      .select('id', 'sent_at', 'locked_until');
    expect(rows).toHaveLength(48);
    const delivered = smtp.messages.map((m) => Number(/^<outbox-(\d+)@/.exec(m.messageId)?.[1]));
    expect(new Set(delivered).size, 'no mail delivered twice').toBe(delivered.length);
    const ids = new Set(rows.map((r) => r.id));
    expect(
      delivered.filter((id) => !ids.has(id)),
      'only mails of committed dossiers',
    ).toEqual([]);
    for (const r of rows) {
      if (r.sent_at) expect(delivered).toContain(r.id);
      else
        expect(new Date(r.locked_until!).getTime(), `mail ${r.id} is neither sent nor leased`).toBeGreaterThan(
          Date.now(),
        );
    }
    const leased = rows.filter((r) => !r.sent_at);
    const leasedDelivered = leased.filter((r) => delivered.includes(r.id)).length;
    await second.stop();
    console.log(
      `[SIGKILL] killed with ${atKill} of 24 dossiers committed and ${cut} requests cut; after restart 24 dossiers, each whole with 2 mails; ` +
        `${delivered.length} of 48 mails delivered once; ${leased.length} still leased by the killed worker ` +
        `(${leasedDelivered} of them had reached SMTP: resent with the same Message-ID when the lease ends)`,
    );
  });

  it('requests that end half-way, or are not HTTP at all, never stop the process', async ({ expect }) => {
    const db = await database();
    const org = await seedOrganisation(db.db, 5);
    const [member] = await seedMembers(db.db, org.id, 1, { serialBase: 400 });
    const portal = await startPortal({ name: 'half-requests', databaseUrl: db.url });
    const [user] = await loggedIn(portal.url, [member]);
    const raw = (text: string | Buffer, cut: 'end' | 'destroy' = 'end') =>
      new Promise<void>((resolve) => {
        const s = net.connect(portal.port, '127.0.0.1');
        const giveUp = setTimeout(() => s.destroy(), 800); // a server that keeps waiting is no failure here
        s.on('error', () => resolve());
        s.on('close', () => {
          clearTimeout(giveUp);
          resolve();
        });
        s.on('connect', () => {
          s.write(text);
          setTimeout(() => (cut === 'end' ? s.end() : s.destroy()), 50);
        });
      });
    const part = (boundary: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="inschrijvingsattest"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 `;
    const multipartHead = (path: string, length: number, cookie = '') =>
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${cookie ? `Cookie: ${cookie}\r\n` : ''}Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: ${length}\r\n\r\n`;
    const cases: [string, () => Promise<void>][] = [
      // Anonymous, no token needed: the body parsers run before the session and the CSRF check.
      [
        'a multipart body that ends inside a file (anonymous)',
        () => raw(multipartHead('/bestaat-niet', part('XYZ').length) + part('XYZ')),
      ],
      [
        'a multipart upload cut off mid-file (logged in)',
        () => raw(multipartHead('/terugbetaling/nieuw/bijlagen', 100_000, user.cookie) + part('XYZ'), 'destroy'),
      ],
      [
        'a form body cut off',
        () =>
          raw(
            'POST /organisatie-kiezen HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\nkeuze=1&_csrf=',
            'destroy',
          ),
      ],
      ['headers cut off', () => raw('GET /mijn-dossiers HTTP/1.1\r\nHost: x\r\nCookie: loket=', 'destroy')],
      ['not HTTP at all', () => raw(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]))],
      [
        'a gzip body that is no gzip',
        () =>
          raw(
            'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\n0123456789',
          ),
      ],
      [
        'a chunked body with a broken chunk',
        () =>
          raw(
            'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XYZ\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n',
          ),
      ],
    ];
    for (const [what, send] of cases) {
      await Promise.all(Array.from({ length: 5 }, send));
      await sleep(200);
      expect(portal.alive(), `${what}:\n${portal.output().slice(-1500)}`).toBe(true);
    }
    expect((await user.get('/healthz')).status).toBe(200);
    expect((await user.get('/mijn-dossiers')).status).toBe(200);
  });

  it('graceful shutdown under load: SIGTERM lets in-flight requests finish, refuses new connections and exits 0', async ({
    expect,
  }) => {
    const db = await database();
    const smtp = await smtpServer();
    const org = await seedOrganisation(db.db, 4);
    const members = await seedMembers(db.db, org.id, 18, { serialBase: 300 });
    // A pool large enough that every request below holds a connection of its own while it waits.
    const portal = await startPortal({
      name: 'shutdown',
      databaseUrl: db.url,
      env: { SMTP_URL: smtp.url, DATABASE_POOL_MAX: '40' },
    });
    const users = await readyToConfirm(portal.url, members.slice(0, 12), org.unitId, 400);
    const readers = await loggedIn(portal.url, members.slice(12));
    const uploaders = await inParallel(readers.slice(0, 3), 3, async (browser, i) => {
      const draftUrl = await fillDraft(browser, journeyAnswers(org.unitId, employee(450 + i)));
      const step = await browser.get(`${draftUrl}/bijlagen`);
      return { browser, draftUrl, token: page(step.text).csrf };
    });

    // Provably in flight: a test transaction locks the membership table, so every logged-in request stops inside
    // the portal at its first query (the session with its auth context). Wait until all of them are waiting for that lock.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    holder.on('error', () => {});
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE membership IN ACCESS EXCLUSIVE MODE');
    // (Observed from a connection of its own: inside a transaction, pg_stat_activity is a snapshot.)
    const observer = new pg.Client({ connectionString: db.url });
    await observer.connect();
    observer.on('error', () => {});
    const waiting = async () =>
      Number(
        (
          await observer.query(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'wse-loket%' AND state = 'active' AND wait_event_type = 'Lock'`,
          )
        ).rows[0].n,
      );
    type Outcome = { what: string; status?: number; location?: string | null; error?: string };
    const track = (what: string, call: () => Promise<Reply>): Promise<Outcome> =>
      call().then(
        (r) => ({ what, status: r.status, location: r.location }),
        (e: Error) => ({ what, error: e.message }),
      );
    const inFlight = [
      ...users.map((u) => track('Bevestigen', () => confirm(u.browser, u.draftUrl, u.token))),
      ...readers.map((b, i) => track('GET', () => b.get(['/mijn-dossiers', '/terugbetaling', '/aanvraag'][i % 3]))),
    ];
    await waitFor('18 requests waiting inside the portal', async () => (await waiting()) >= 18, 10_000, 20);
    await observer.end();

    // Uploads whose body is still arriving when SIGTERM comes.
    const slowUploads = uploaders.map((u) => slowMultipartUpload(portal.port, u.browser.cookie, u.draftUrl, u.token));
    await sleep(100);
    const sigtermAt = Date.now();
    portal.child.kill('SIGTERM');
    await sleep(300);
    const refused = await connectOutcome(portal.port);
    const aliveWhileDraining = portal.alive();
    await holder.query('COMMIT');
    await holder.end();
    for (const u of slowUploads) u.finish();
    const exit = await Promise.race([portal.exited, sleep(20_000).then(() => null)]);
    const exitMs = Date.now() - sigtermAt;
    const outcomes = await Promise.all(inFlight);
    const uploads = await Promise.all(slowUploads.map((u) => u.response));

    expect(refused).toBe('ECONNREFUSED');
    expect(aliveWhileDraining).toBe(true);
    expect(exit, portal.output().slice(-2000)).toEqual({ code: 0, signal: null });
    expect(outcomes.filter((o) => o.error || (o.what === 'GET' ? o.status !== 200 : o.status !== 303))).toEqual([]);
    expect(
      outcomes.filter((o) => o.what === 'Bevestigen').every((o) => /^\/mijn-dossiers\/VOV-/.test(o.location ?? '')),
    ).toBe(true);
    for (const u of uploads) expect(u).toMatch(/^HTTP\/1\.1 303 /);
    const state = await submissionState(db.db);
    expect(state.problems).toEqual([]);
    expect(state.submitted).toHaveLength(12);
    expect(Number((await db.db('attachment').count({ n: '*' }).first())!.n)).toBe(3);
    console.log(
      `[SIGTERM] ${outcomes.length + uploads.length} requests in flight (12 Bevestigen, 6 pages, 3 uploads half-sent); new connections refused; ` +
        `all answered in full; exit 0 after ${exitMs} ms`,
    );
  });
});
