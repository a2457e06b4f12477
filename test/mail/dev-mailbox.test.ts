import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/http/logger.js';
import { enqueueMail } from '../../src/mail/outbox.js';
import { DECISIONS } from '../../src/decisions/transitions.js';
import { MAIL_KIND_LABELS } from '../../src/mail/routes.js';
import { createMailComposer } from '../../src/mail/templates.js';
import { createMailWorker } from '../../src/mail/worker.js';
import { createRefundMailer } from '../../src/refund/mail.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { page } from '../helpers/page.js';

let t: TestApp;
let mailId: number;

/** Each test has a fresh portal with one mail queued: An's notice of Eva's request. */
beforeEach(async () => {
  t = await buildTestApp(); // no SMTP_URL: the development mailbox
  const composer = createMailComposer(t.config);
  mailId = await enqueueMail(
    t.database.db,
    composer.compose('right-requested', 'an@example.be', 'Aanvraag gebruikersrecht voor Bouwbedrijf De Meeuw NV', {
      adminName: 'An Beheerder',
      requesterName: 'Eva <Werknemer>',
      organisationName: 'Bouwbedrijf De Meeuw NV',
      kbo: '0403.170.701',
      role: 'DWSE organisatieverantwoordelijke',
      context: 'opleidingsverlof',
      requestedAt: '01/09/2025 om 10:00',
      link: composer.link('/gebruikersbeheer/aanvragen/7'),
    }),
  );
});

afterEach(async () => {
  await t.close();
});

/** Runs the mail worker once, as the running portal does within seconds. */
async function deliver(): Promise<{ sent: number; failed: number }> {
  const worker = createMailWorker({ db: t.database.db, config: t.config, logger: createLogger('silent') });
  try {
    return await worker.runOnce();
  } finally {
    await worker.stop();
  }
}

describe('the development mailbox', () => {
  it('marks mails delivered without an SMTP server', async () => {
    expect(t.config.mail.devMailbox).toBe(true);
    expect(await deliver()).toEqual({ sent: 1, failed: 0 });
  });

  it('lists every mail, newest first', async () => {
    await deliver();
    const res = await request(t.app).get('/dev/mailbox');
    expect(res.status).toBe(200);
    const shown = page(res.text);
    expect(shown.h1).toBe('Ontwikkelmailbox');
    expect(shown.link('Aanvraag gebruikersrecht voor Bouwbedrijf De Meeuw NV')).toBe(`/dev/mailbox/${mailId}`);
    const { headers, rows } = shown.table('E-mails');
    expect(headers).toEqual(['Datum', 'Aan', 'Onderwerp', 'Status']);
    expect(rows.map((r) => r.slice(1))).toEqual([
      ['an@example.be', 'Aanvraag gebruikersrecht voor Bouwbedrijf De Meeuw NV', 'Afgeleverd in deze mailbox'],
    ]);
  });

  it('shows one mail with its text and its links made clickable', async () => {
    const res = await request(t.app).get(`/dev/mailbox/${mailId}`);
    expect(res.status).toBe(200);
    const shown = page(res.text);
    expect(shown.$('pre').text()).toContain('Eva <Werknemer> vraagt in het WSE-loket');
    expect(res.text).toContain('Eva &lt;Werknemer&gt; vraagt in het WSE-loket'); // escaped in the source
    const link = 'http://127.0.0.1:3999/gebruikersbeheer/aanvragen/7';
    expect(shown.link(link)).toBe(link);
    expect(shown.link('Bekijk de HTML-versie')).toBe(`/dev/mailbox/${mailId}/html`);
  });

  it('says in Dutch what kind of mail it is, for every kind the portal sends', async () => {
    const res = await request(t.app).get(`/dev/mailbox/${mailId}`);
    expect(Object.fromEntries(page(res.text).summary).Soort).toBe('Aanvraag gebruikersrecht (aan de lokale beheerder)');
    expect(res.text).not.toContain('right-requested');
    const changes = [...DECISIONS, 'geannuleerd', 'stopgezet', 'antwoord'];
    const kinds = [
      ...['right-requested', 'right-granted', 'right-refused', 'refund-receipt-employer', 'refund-receipt-employee'],
      'draft-expiring',
      ...changes.flatMap((c) => [`dossier-${c}-employer`, `dossier-${c}-employee`]),
    ];
    expect(Object.keys(MAIL_KIND_LABELS).sort()).toEqual(kinds.sort());
  });

  it('serves the HTML part alone, sandboxed, with only inline styles allowed', async () => {
    const res = await request(t.app).get(`/dev/mailbox/${mailId}/html`);
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).not.toContain('script-src');
    expect(res.text).toContain('Eva &lt;Werknemer&gt;'); // escaped in the source
    const mail = page(res.text);
    expect(mail.$('body').text()).toContain('Eva <Werknemer>');
    expect(mail.links.map((l) => l.href)).toContain('http://127.0.0.1:3999/gebruikersbeheer/aanvragen/7');
  });

  it('shows a receipt mail the worker has not rendered yet as it will be sent', async () => {
    const receipt = {
      dossiernummer: 'VOV-2025-000007',
      receivedAt: '15/10/2025 12:00',
      status: 'Ingediend',
      organisationName: 'Bouwbedrijf De Meeuw NV',
      organisationKbo: '0403.170.701',
      employeeName: 'Eva Werknemer',
      employeeInszMasked: '85.07.30-XXX.XX',
      contactName: 'Jan Werkgever',
      rows: [],
      nextSteps: [],
      contactEmail: 'vov@example.be',
    };
    const id = await enqueueMail(
      t.database.db,
      createRefundMailer(t.config).employerReceipt('jan@example.be', receipt, '/mijn-dossiers/VOV-2025-000007'),
    );
    const shown = page((await request(t.app).get(`/dev/mailbox/${id}`).expect(200)).text);
    const summary = Object.fromEntries(shown.summary);
    expect(summary.Status).toBe('Wacht op verzending');
    expect(summary.Soort).toBe('Ontvangstbevestiging voor de werkgever');
    // The employer's receipt greets the contact person of the request.
    expect(shown.$('pre').text()).toMatch(/^Beste Jan Werkgever,/);
    const link = 'http://127.0.0.1:3999/mijn-dossiers/VOV-2025-000007';
    expect(shown.link(link)).toBe(link);
    const html = page((await request(t.app).get(`/dev/mailbox/${id}/html`).expect(200)).text);
    expect(html.$('body').text()).toContain('VOV-2025-000007');
  });

  it('answers 404 for an unknown mail', async () => {
    expect((await request(t.app).get('/dev/mailbox/999999')).status).toBe(404);
    expect((await request(t.app).get('/dev/mailbox/abc')).status).toBe(404);
  });

  it('does not exist in production', async () => {
    const app = createApp(
      { ...t.config, env: 'production', isProduction: true },
      { db: t.database.db, databaseUrl: t.database.url, logger: createLogger('silent') },
    );
    try {
      for (const path of ['/dev/mailbox', `/dev/mailbox/${mailId}`, `/dev/mailbox/${mailId}/html`]) {
        const res = await request(app).get(path);
        expect(res.status, path).toBe(404);
        expect(res.text).not.toContain('Aanvraag gebruikersrecht');
      }
    } finally {
      await app.close();
    }
  });
});
