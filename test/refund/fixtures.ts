import type { Db } from '../../src/db/knex.js';
import { defaultRules } from '../../src/domain/rules-data.js';
import { paths } from '../../src/paths.js';
import { csrfTokenFrom } from '../helpers/app.js';
import { loginAs, type Agent } from '../helpers/login.js';
import { page } from '../helpers/page.js';

/** "Today" in every refund test: 15 October 2025, noon in Brussels (school year 2025-2026, forfait € 14,91). */
export const TODAY = new Date('2025-10-15T10:00:00Z');
export const fixedClock = () => TODAY;

export const VALID_INSZ = '85.07.30-033.28';
export const VALID_IBAN = 'BE68 5390 0754 7034';

/** Valid input of each step (as a browser posts it), for a 40-hour ODB training starting 1 October 2025. */
export const validInput = {
  werkgever: (unitChoice: string) => ({
    unitChoice,
    unitNumber: '',
    unitName: '',
    unitStreet: '',
    unitPostcode: '',
    unitCity: '',
    contactName: 'Jan Werkgever',
    contactPhone: '09 123 45 67',
    contactEmail: 'jan.werkgever@example.be',
    iban: VALID_IBAN,
    bic: 'GEBABEBB',
  }),
  werknemer: {
    insz: VALID_INSZ,
    firstName: 'Eva',
    lastName: 'Werknemer',
    email: 'eva.werknemer@example.be',
    twp: '100',
    weeklyHours: '38',
    schedule: 'vast',
    newEmployee: 'nee',
    employmentStartDate: '',
  },
  opleiding: {
    trainingType: 'odb',
    odbNumber: '12345',
    trainingName: 'Veiligheidscoördinator niveau A',
    providerName: 'Syntra West',
    providerNumber: '0403.170.701',
    startDate: '01/10/2025',
    endDate: '30/06/2026',
    examDate: '',
    originalStartDate: '',
    sizeKind: 'contacturen',
    sizeAmount: '40',
    examCount: '',
    evcHours: '',
    careerGuidanceAttestDate: '',
  },
  initiatief: { initiative: 'werkgever', employeeAgreement: 'ja' },
  bijlagen: {},
  overzicht: { declaration: 'ja' },
};

export const rules = defaultRules;

const RIGHT = defaultRules.access;

export interface TestOrganisation {
  id: number;
  kbo: string;
  name: string;
  unitId: number;
}

/** An organisation with one establishment unit in Flanders, inserted directly (the table contract of issue 4). */
export async function insertOrganisation(
  db: Db,
  o: { kbo: string; name: string; unitNumber: string; postcode?: string },
): Promise<TestOrganisation> {
  const [org] = await db('organisation')
    .insert({ kbo: o.kbo, name: o.name, street: 'Vismijnstraat 12', postcode: '8400', city: 'Oostende' })
    .returning(['id', 'kbo', 'name']);
  const [unit] = await db('establishment_unit')
    .insert({
      organisation_id: org.id,
      number: o.unitNumber,
      name: `${o.name} – werf`,
      street: 'Werfstraat 1',
      postcode: o.postcode ?? '8400',
      city: 'Oostende',
    })
    .returning('id');
  return { id: org.id, kbo: org.kbo, name: org.name, unitId: unit.id };
}

/** A member of the organisation with (or without) the VOV right. */
export async function insertMember(
  db: Db,
  organisationId: number,
  p: { insz: string; firstName: string; lastName: string; email: string },
  withRight = true,
): Promise<number> {
  const existing = await db('person').where({ insz: p.insz }).first('id');
  const personId: number =
    existing?.id ??
    (
      await db('person')
        .insert({ insz: p.insz, first_name: p.firstName, last_name: p.lastName, email: p.email })
        .returning('id')
    )[0].id;
  await db('membership').insert({ person_id: personId, organisation_id: organisationId, is_local_admin: false });
  if (withRight)
    await db('user_right').insert({
      person_id: personId,
      organisation_id: organisationId,
      role: RIGHT.role,
      context: RIGHT.context,
    });
  return personId;
}

export async function revokeRight(db: Db, personId: number, organisationId: number): Promise<void> {
  await db('user_right')
    .where({ person_id: personId, organisation_id: organisationId })
    .whereNull('revoked_at')
    .update({ revoked_at: db.fn.now() });
}

/** A real login through the development IdP, then the organisation choice on its page. */
export async function loginForOrganisation(
  agent: Agent,
  p: { insz: string; firstName: string; lastName: string; email: string },
  organisationId: number,
): Promise<void> {
  await loginAs(agent, p);
  const page = await agent.get(paths.chooseOrganisation);
  const res = await agent
    .post(paths.chooseOrganisation)
    .type('form')
    .send({ _csrf: csrfTokenFrom(page.text), keuze: String(organisationId) });
  if (res.status !== 303) throw new Error(`choosing the organisation answered ${res.status}`);
}

/** GETs a page, then POSTs a form to it with the page's CSRF token; returns the POST's response. */
export async function postForm(agent: Agent, url: string, fields: Record<string, string>) {
  const page = await agent.get(url);
  if (page.status !== 200) throw new Error(`GET ${url} answered ${page.status} (${page.headers.location ?? ''})`);
  return agent
    .post(url)
    .type('form')
    .send({ ...fields, _csrf: csrfTokenFrom(page.text) });
}

/** A field's error message (by the field's id) as the page shows it above the field, without "Fout:". */
export function fieldError(html: string, field: string): string | null {
  const message = page(html).$(`[id="${field}-error"]`);
  return message.length
    ? message
        .text()
        .replace(/^\s*Fout:\s*/, '')
        .trim()
    : null;
}

export const people = {
  jan: { insz: '68110304512', firstName: 'Jan', lastName: 'Werkgever', email: 'jan.werkgever@example.be' },
  mia: { insz: '75041212353', firstName: 'Mia', lastName: 'Collega', email: 'mia.collega@example.be' },
  other: { insz: '90062117857', firstName: 'Olaf', lastName: 'Ander', email: 'olaf.ander@example.be' },
};

type StepOverrides = Partial<Record<'werkgever' | 'werknemer' | 'opleiding' | 'initiatief', Record<string, string>>>;

/** Fills steps 1 to 5 through the pages (each a GET, then a POST with its token); returns the draft's URL. */
export async function completeDraft(agent: Agent, unitId: number, overrides: StepOverrides = {}): Promise<string> {
  const first = await postForm(agent, `${paths.refund}/nieuw/werkgever`, {
    ...validInput.werkgever(String(unitId)),
    ...overrides.werkgever,
  });
  if (first.status !== 303) throw new Error(`step werkgever answered ${first.status}`);
  const draftUrl = first.headers.location.replace(/\/werknemer$/, '');
  const steps: [string, Record<string, string>][] = [
    ['werknemer', { ...validInput.werknemer, ...overrides.werknemer }],
    ['opleiding', { ...validInput.opleiding, ...overrides.opleiding }],
    ['initiatief', { ...validInput.initiatief, ...overrides.initiatief }],
    ['bijlagen', { actie: 'volgende' }],
  ];
  for (const [slug, input] of steps) {
    const res = await postForm(agent, `${draftUrl}/${slug}`, input);
    if (res.status !== 303)
      throw new Error(
        `step ${slug} answered ${res.status}: ${/<div class="error-summary"[\s\S]*?<\/ul>/.exec(res.text)?.[0] ?? ''}`,
      );
  }
  return draftUrl;
}

/** Bevestigen on the overview; returns the receipt URL. */
export async function submitDraft(agent: Agent, draftUrl: string): Promise<string> {
  const res = await postForm(agent, `${draftUrl}/overzicht`, { actie: 'volgende', declaration: 'ja' });
  if (res.status !== 303 || !res.headers.location.startsWith(paths.dossiers))
    throw new Error(`Bevestigen answered ${res.status} ${res.headers.location ?? ''}`);
  return res.headers.location;
}
