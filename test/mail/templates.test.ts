import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { mailLink } from '../../src/mail/outbox.js';
import { createMailComposer } from '../../src/mail/templates.js';
import { page } from '../helpers/page.js';

const composer = createMailComposer(loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://loket.example.be/' }));

describe('mail templates', () => {
  it('build absolute links from PUBLIC_URL', () => {
    expect(mailLink('https://loket.example.be/', '/aanvraag')).toBe('https://loket.example.be/aanvraag');
    expect(composer.link('/gebruikersbeheer/aanvragen/3')).toBe(
      'https://loket.example.be/gebruikersbeheer/aanvragen/3',
    );
  });

  it('write a Dutch text and HTML part; the HTML escapes what people typed, the text keeps it as typed', () => {
    const mail = composer.compose('right-refused', 'eva@example.be', 'Uw aanvraag is geweigerd', {
      requesterName: 'Eva Werknemer',
      organisationName: 'Smit & Zonen <BV>',
      kbo: '0403.170.701',
      role: 'DWSE organisatieverantwoordelijke',
      context: 'opleidingsverlof',
      requestedAt: '01/09/2025 om 10:00',
      reason: 'Niet nodig: <script>alert(1)</script>',
      link: composer.link('/aanvraag'),
    });
    expect(mail).toMatchObject({ to: 'eva@example.be', subject: 'Uw aanvraag is geweigerd', kind: 'right-refused' });
    expect(mail.text).toContain('Beste Eva Werknemer,');
    expect(mail.text).toContain('voor Smit & Zonen <BV> (KBO 0403.170.701) is geweigerd.');
    expect(mail.text).toContain('Niet nodig: <script>alert(1)</script>');
    expect(mail.text).toContain('https://loket.example.be/aanvraag');
    expect(mail.text).toContain('Vragen? Bel gratis de Vlaamse infolijn 1700');
    const html = page(mail.html);
    expect(html.$('html').attr('lang')).toBe('nl');
    // A reader sees what was typed; the source has it escaped, so no element came of it.
    expect(html.main).toContain('voor Smit & Zonen <BV> (KBO 0403.170.701) is geweigerd.');
    expect(html.main).toContain('Niet nodig: <script>alert(1)</script>');
    expect(mail.html).toContain('Smit &amp; Zonen &lt;BV&gt;');
    expect(mail.html).toContain('Niet nodig: &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(html.links.map((l) => l.href)).toContain('https://loket.example.be/aanvraag');
  });

  it('say whether a granted right has an end date', () => {
    const data = {
      requesterName: 'Jan',
      organisationName: 'Org',
      kbo: '0403.170.701',
      role: 'r',
      context: 'c',
      link: composer.link('/aanvraag'),
    };
    expect(composer.compose('right-granted', 'a@b.be', 's', { ...data, validUntil: null }).text).toContain(
      'Het recht heeft geen einddatum.',
    );
    expect(composer.compose('right-granted', 'a@b.be', 's', { ...data, validUntil: '31/12/2026' }).text).toContain(
      'Het recht is geldig tot en met 31/12/2026.',
    );
  });

  it('point the local administrator at the request and at the help on handling requests', () => {
    const mail = composer.compose('right-requested', 'an@example.be', 'Aanvraag gebruikersrecht', {
      adminName: 'An Beheerder',
      requesterName: 'Eva Werknemer',
      organisationName: 'Org',
      kbo: '0403.170.701',
      role: 'DWSE organisatieverantwoordelijke',
      context: 'opleidingsverlof',
      requestedAt: '01/09/2025 om 10:00',
      link: composer.link('/gebruikersbeheer/aanvragen/3'),
    });
    expect(mail.text).toContain('https://loket.example.be/gebruikersbeheer/aanvragen/3');
    expect(mail.text).toContain('https://loket.example.be/hulp/lokale-beheerders#aanvragen-behandelen');
    expect(page(mail.html).links.map((l) => l.href)).toContain(
      'https://loket.example.be/hulp/lokale-beheerders#aanvragen-behandelen',
    );
  });
});
