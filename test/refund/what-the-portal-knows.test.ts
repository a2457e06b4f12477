import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminPaths, paths } from '../../src/paths.js';
import type { TestApp } from '../helpers/app.js';
import { memberLoggedIn } from '../helpers/fixture.js';
import { loginAs, type Agent } from '../helpers/login.js';
import { hintOf, page as read } from '../helpers/page.js';
import { organisationWith, person } from '../organisations/fixtures.js';
import {
  completeDraft,
  insertMember,
  loginForOrganisation,
  people,
  postForm,
  submitDraft,
  validInput,
  type TestOrganisation,
} from './fixtures.js';

/*
 * What newcomers stumbled on in the form (issue 19): step 1 asks again for what the portal knows (WCAG 3.3.7),
 * shows an IBAN as typed, the Wijzigen links and the saved drafts' links read alike, date examples lie in the
 * past, the ODB-nummer has no example.
 */

let t: TestApp;
let org: TestOrganisation;
/** Jan Werkgever, logged in for De Meeuw. */
let jan: Agent;

// Every test on a fresh app: De Meeuw has no request yet, Jan and his colleague Mia may file one.
beforeEach(async () => {
  ({ t, org, agent: jan } = await memberLoggedIn());
  await insertMember(t.database.db, org.id, people.mia);
});

afterEach(async () => {
  await t.close();
});

async function loggedIn(p: typeof people.mia): Promise<Agent> {
  const agent = request.agent(t.app);
  await loginForOrganisation(agent, p, org.id);
  return agent;
}

/** The labels of step 1's fields. */
const FIELD = {
  contactName: 'Naam',
  contactEmail: 'E-mailadres',
  contactPhone: 'Telefoonnummer',
  iban: 'Rekeningnummer (IBAN)',
  bic: 'BIC',
  unit: 'In welke vestigingseenheid werkt de werknemer?',
};

/** The value a field of step 1 shows. */
const valueOf = (html: string, field: keyof typeof FIELD) => read(html).value(FIELD[field]);

/** The accessible names of the links whose visible text is `text` (visible text plus visually hidden text). */
const linkNames = (html: string, text: string): string[] =>
  read(html)
    .links.map((l) => l.text)
    .filter((name) => name === text || name.startsWith(`${text}:`) || name.startsWith(`${text} `));

describe('step 1 of a new request', () => {
  it('starts with the contact person of the user only, while the organisation has no request yet', async () => {
    const page = await jan.get(`${paths.refund}/nieuw/werkgever`).expect(200);
    expect(valueOf(page.text, 'contactName')).toBe('Jan Werkgever');
    expect(valueOf(page.text, 'contactEmail')).toBe('jan.werkgever@example.be');
    expect(valueOf(page.text, 'iban')).toBe('');
    expect(read(page.text).main).not.toContain('komen uit de vorige aanvraag');
  });

  it('shows a saved IBAN as the overview writes it, not as it was typed', async () => {
    const first = await postForm(jan, `${paths.refund}/nieuw/werkgever`, {
      ...validInput.werkgever(String(org.unitId)),
      iban: 'be68539007547034',
    });
    expect(first.status).toBe(303);
    const draftUrl = first.headers.location.replace(/\/werknemer$/, '');
    expect(valueOf((await jan.get(`${draftUrl}/werkgever`).expect(200)).text, 'iban')).toBe('BE68 5390 0754 7034');
  });

  it('takes the establishment unit and the account over from the previous request, editable, and says so', async () => {
    await submitDraft(
      jan,
      await completeDraft(jan, org.unitId, {
        werkgever: { iban: 'be68 5390 0754 7034', bic: 'GEBABEBB', contactPhone: '059 12 34 56' },
      }),
    );

    // The same person: the phone number of that request too.
    const again = await jan.get(`${paths.refund}/nieuw/werkgever`).expect(200);
    expect(read(again.text).main).toContain(
      'De vestigingseenheid en het rekeningnummer komen uit de vorige aanvraag van uw organisatie.',
    );
    expect(valueOf(again.text, 'unit')).toBe(String(org.unitId));
    expect(valueOf(again.text, 'iban')).toBe('BE68 5390 0754 7034');
    expect(valueOf(again.text, 'bic')).toBe('GEBABEBB');
    expect(valueOf(again.text, 'contactPhone')).toBe('059 12 34 56');

    // A colleague: her own name and e-mail address as contact person, not Jan's phone number.
    const mia = await loggedIn(people.mia);
    const hers = await mia.get(`${paths.refund}/nieuw/werkgever`).expect(200);
    expect(valueOf(hers.text, 'contactName')).toBe('Mia Collega');
    expect(valueOf(hers.text, 'contactEmail')).toBe('mia.collega@example.be');
    expect(valueOf(hers.text, 'contactPhone')).toBe('');
    expect(valueOf(hers.text, 'iban')).toBe('BE68 5390 0754 7034');
    // Editable: another account typed over it is what the request keeps.
    const changed = await postForm(mia, `${paths.refund}/nieuw/werkgever`, {
      ...validInput.werkgever(String(org.unitId)),
      contactName: 'Mia Collega',
      iban: 'BE71 0961 2345 6769',
    });
    expect(changed.status).toBe(303);
    expect(valueOf((await mia.get(changed.headers.location.replace(/\/werknemer$/, '/werkgever'))).text, 'iban')).toBe(
      'BE71 0961 2345 6769',
    );
  });
});

describe('labels that newcomers read', () => {
  it("the overview's Wijzigen links name the answer with its visible label", async () => {
    const draftUrl = await completeDraft(jan, org.unitId, { werknemer: { insz: '92.03.04-056.31' } });
    const overview = await jan.get(`${draftUrl}/overzicht`).expect(200);
    const names = linkNames(overview.text, 'Wijzigen');
    expect(names).toContain('Wijzigen werknemer: INSZ');
    expect(names).toContain('Wijzigen opleiding: ODB-nummer');
    expect(names).toContain('Wijzigen werknemer: Gemiddeld aantal uren per week');
    expect(new Set(names).size).toBe(names.length);
  });

  it('each saved draft has link texts of its own: employee, training and when it was saved', async () => {
    for (const trainingName of ['Heftruckchauffeur', 'Heftruckchauffeur', 'Veiligheid op de werf']) {
      const first = await postForm(jan, `${paths.refund}/nieuw/werkgever`, validInput.werkgever(String(org.unitId)));
      const draftUrl = first.headers.location.replace(/\/werknemer$/, '');
      await postForm(jan, `${draftUrl}/werknemer`, {
        ...validInput.werknemer,
        firstName: 'Lotte',
        lastName: 'Verbeke',
      });
      await postForm(jan, `${draftUrl}/opleiding`, { ...validInput.opleiding, trainingName, actie: 'opslaan' });
    }
    const list = (await jan.get(paths.refund).expect(200)).text;
    const resume = linkNames(list, 'Verdergaan');
    const remove = linkNames(list, 'Verwijderen');
    expect(resume.length).toBeGreaterThanOrEqual(3);
    expect(new Set(resume).size, resume.join('\n')).toBe(resume.length);
    expect(new Set(remove).size).toBe(remove.length);
    // updated_at is the database's time, not the pinned clock.
    const saved = String.raw`bewaard op \d{2}/\d{2}/\d{4} om \d{2}:\d{2}`;
    expect(
      resume.filter((n) =>
        new RegExp(`^Verdergaan: aanvraag voor Lotte Verbeke, Veiligheid op de werf, ${saved}$`).test(n),
      ),
    ).toHaveLength(1);
    expect(
      remove.filter((n) =>
        new RegExp(`^Verwijderen: aanvraag voor Lotte Verbeke, Veiligheid op de werf, ${saved}$`).test(n),
      ),
    ).toHaveLength(1);
    // Two drafts that would read the same within the minute: the draft's number keeps them apart.
    expect(
      resume.filter((n) =>
        new RegExp(`^Verdergaan: aanvraag voor Lotte Verbeke, Heftruckchauffeur, ${saved}(, nummer \\d+)?$`).test(n),
      ),
    ).toHaveLength(2);
    expect(remove.filter((n) => n.startsWith('Verwijderen de aanvraag'))).toEqual([]);
  });

  it('date fields give an example from today (the pinned clock: 15/10/2025), the ODB-nummer one of its format', async () => {
    const draftUrl = await completeDraft(jan, org.unitId, { werknemer: { insz: '80.05.12-123.68' } });
    const step3 = (await jan.get(`${draftUrl}/opleiding`).expect(200)).text;
    const startHint = hintOf(read(step3), 'Startdatum');
    expect(startHint).toMatch(/^Zoals op het inschrijvingsattest\./);
    expect(startHint).toMatch(/ Bijvoorbeeld 15\/10\/2025\.$/);
    expect(read(step3).main).not.toContain('01/09/2025');
    expect(hintOf(read(step3), 'ODB-nummer')).toMatch(/^Alleen cijfers, bijvoorbeeld 12345\./);

    // The grant page of gebruikersbeheer: an end date, so an example a year on.
    const hilde = person(61, 'Hilde', 'Heylen');
    const nina = person(62, 'Nina', 'Nieuwkomer');
    const delta = await organisationWith(t.database.db, 261, 'Drukkerij Delta CV', { admins: [hilde], users: [nina] });
    const admin = request.agent(t.app);
    await loginAs(admin, hilde);
    await postForm(admin, paths.chooseOrganisation, { keuze: String(delta.org.id) });
    const userPage = (await admin.get(adminPaths.user(delta.personId(nina))).expect(200)).text;
    expect(hintOf(read(userPage), 'Geldig tot en met')).toBe(
      'Laat leeg voor een recht zonder einddatum. Bijvoorbeeld 15/10/2026.',
    );
  });
});
