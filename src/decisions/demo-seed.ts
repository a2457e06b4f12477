import type { Knex } from 'knex';
import type { Config } from '../config.js';
import { demoOrganisation, demoPeople } from '../db/demo-people.js';
import { addDays, todayInBrussels } from '../domain/dates.js';
import { forfaitCentsFor } from '../domain/refund-rules.js';
import { defaultRules } from '../domain/rules-data.js';
import { schoolYearOf } from '../domain/school-year.js';
import { createRefundMailer } from '../refund/mail.js';
import { createDraft } from '../refund/repository.js';
import { fileDossiers, type DossierToFile } from '../refund/submission.js';
import { trainingKey } from '../refund/training-key.js';
import { createDossierLife, type Change } from './service.js';
import { findOrganisationByKbo, listEstablishmentUnits } from '../organisations/repository.js';

/** A made-up INSZ (born 1 January 1980) that passes the mod-97 check. */
function demoInsz(serial: number): string {
  const base = `800101${String(serial).padStart(3, '0')}`;
  return `${base}${String(97 - (Number(base) % 97)).padStart(2, '0')}`;
}

/** One demo dossier per status after filing, with the changes that lead there. */
const STORIES: { first: string; last: string; training: string; changes: (today: string) => Change[] }[] = [
  { first: 'Ilse', last: 'Ingediend', training: 'Boekhouden voor kmo’s', changes: () => [] },
  { first: 'Bert', last: 'Behandeling', training: 'Lassen TIG', changes: () => [{ kind: 'in_behandeling' }] },
  {
    first: 'Ann',
    last: 'Aanvulling',
    training: 'Projectmanagement',
    changes: (today) => [
      {
        kind: 'aanvulling_gevraagd',
        question: 'Bezorg het inschrijvingsattest van de opleidingsverstrekker.',
        dueDate: addDays(today, 30),
      },
    ],
  },
  {
    first: 'Gert',
    last: 'Goedgekeurd',
    training: 'Veiligheidscoördinator niveau A',
    changes: () => [{ kind: 'in_behandeling' }, { kind: 'goedgekeurd', hours: 40 }],
  },
  {
    first: 'Wim',
    last: 'Geweigerd',
    training: 'Digitale marketing',
    changes: () => [{ kind: 'geweigerd', reason: 'De opleiding staat niet in de opleidingsdatabank.' }],
  },
  {
    first: 'Sara',
    last: 'Stopgezet',
    training: 'Heftruckchauffeur',
    changes: (today) => [
      { kind: 'goedgekeurd', hours: 40 },
      { kind: 'stopgezet', stopDate: today },
    ],
  },
  {
    first: 'Cas',
    last: 'Geannuleerd',
    training: 'Excel gevorderd',
    changes: () => [{ kind: 'geannuleerd', reason: 'De werknemer volgt de opleiding toch niet.' }],
  },
];

/**
 * Demo dossiers of the demo organisation, one in every status, filed by Jan through the same code as Bevestigen
 * and moved on through the same service as the API. Only when the organisation has no dossier yet, so that a
 * restart changes nothing a demo user did.
 */
export async function seedDemoDossiers(trx: Knex, config: Config, now = new Date()): Promise<void> {
  const org = await findOrganisationByKbo(trx, demoOrganisation.kbo);
  // The demo person's own names: the person row holds only what a digital key gave, empty before a first login.
  const janDemo = demoPeople.find((p) => p.key === 'jan');
  const jan = janDemo && (await trx('person').where({ insz: janDemo.insz }).first());
  const unit = org && (await listEstablishmentUnits(trx, org.id))[0];
  if (!org || !janDemo || !jan || !unit || (await trx('dossier').where({ organisation_id: org.id }).first('id')))
    return;

  const today = todayInBrussels(now);
  const startDate = addDays(today, -14);
  const { start: schoolYearStart } = schoolYearOf(startDate);
  const forfaitCents = forfaitCentsFor(schoolYearStart, defaultRules) ?? 0;
  const auth = {
    person: {
      id: jan.id,
      insz: jan.insz,
      firstName: janDemo.firstName,
      lastName: janDemo.lastName,
      email: janDemo.email,
    },
    organisation: { id: org.id, kbo: org.kbo, name: org.name },
    isLocalAdmin: false,
    hasVovRight: true,
  };
  const items: DossierToFile[] = [];
  for (const [i, story] of STORIES.entries()) {
    const odbNumber = String(90001 + i);
    items.push({
      draftId: await createDraft(trx, org.id, jan.id, {}),
      werkgever: {
        unit: {
          id: unit.id,
          number: unit.number,
          name: unit.name,
          street: unit.street,
          postcode: unit.postcode,
          city: unit.city,
        },
        contact: { name: 'Jan Werkgever', phone: '059 12 34 56', email: jan.email ?? 'jan.werkgever@demeeuw.example' },
        iban: 'BE68539007547034',
        bic: 'GEBABEBB',
      },
      werknemer: {
        insz: demoInsz(i + 1),
        firstName: story.first,
        lastName: story.last,
        email: `${story.first.toLowerCase()}.${story.last.toLowerCase()}@demeeuw.example`,
        twpPercent: 100,
        weeklyHours: 38,
        schedule: 'vast',
        employmentStartDate: null,
      },
      opleiding: {
        type: 'odb',
        odbNumber,
        name: story.training,
        providerName: 'Syntra West',
        providerNumber: '0403170701',
        startDate,
        endDate: addDays(startDate, 180),
        examDate: null,
        originalStartDate: null,
        size: { type: 'odb', sizeKind: 'contacturen', amount: 40 },
        careerGuidanceAttestDate: null,
        schoolYearStart,
        trainingHours: 40,
        forfaitCents,
        trainingKey: trainingKey({ type: 'odb', odbNumber, name: story.training, providerNumber: '0403170701' }),
      },
      initiatief: {
        initiative: 'werkgever',
        employeeAgreement: true,
        calculation: {
          schoolYearStart,
          trainingHours: 40,
          sharedInitiative: false,
          personalMaximumHours: 125,
          hoursAlreadyUsed: 0,
          remainingHours: 125,
          vovHours: 40,
          forfaitCents,
          amountCents: 40 * forfaitCents,
        },
      },
      attachments: [],
    });
  }
  const filed = await fileDossiers(
    trx,
    { rules: defaultRules, mailer: createRefundMailer(config) },
    { auth, requestId: 'demo-seed', submittedAt: now, items },
  );
  const life = createDossierLife({ db: trx as Knex, now: () => now, publicUrl: config.publicUrl });
  for (const [i, story] of STORIES.entries()) {
    for (const change of story.changes(today)) {
      const actor =
        change.kind === 'geannuleerd' || change.kind === 'stopgezet'
          ? { kind: 'werkgever' as const, personId: jan.id, name: 'Jan Werkgever' }
          : { kind: 'cli' as const, name: 'demo' };
      await life.change({ dossiernummer: filed[i].dossiernummer, actor, change, requestId: 'demo-seed' });
    }
  }
}
