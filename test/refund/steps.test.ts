import { describe, expect, it } from 'vitest';
import { pickFields } from '../../src/http/form-body.js';
import type { PriorDossier } from '../../src/refund/repository.js';
import { regionOfPostcode } from '../../src/refund/region.js';
import { evaluateDraft, STEPS, type DraftContext } from '../../src/refund/steps.js';
import { judgeBijlagen } from '../../src/refund/steps/bijlagen.js';
import type { StepResult } from '../../src/refund/steps/fields.js';
import { INITIATIEF_FIELDS, judgeInitiatief } from '../../src/refund/steps/initiatief.js';
import { judgeOpleiding, OPLEIDING_FIELDS, type OpleidingData } from '../../src/refund/steps/opleiding.js';
import { judgeOverzicht } from '../../src/refund/steps/overzicht.js';
import { judgeWerkgever, WERKGEVER_FIELDS, type UnitOption } from '../../src/refund/steps/werkgever.js';
import { judgeWerknemer, WERKNEMER_FIELDS, type WerknemerData } from '../../src/refund/steps/werknemer.js';
import { rules, validInput } from './fixtures.js';

/** A step's result as these tests read it: its data (undefined when refused) and its problems. */
function outcome<T>(result: StepResult<T>) {
  return result.ok
    ? { ok: true, data: result.data, errors: [] }
    : { ok: false, data: undefined, errors: result.errors };
}

/** The messages per field of a result ({} when it passed). */
function problems(result: { errors: { href: string; text: string }[] }): Record<string, string> {
  return Object.fromEntries(result.errors.map((e) => [e.href.slice(1), e.text]));
}

const flemishUnit: UnitOption = {
  id: 7,
  number: '2147812701',
  name: 'Werf Oostende',
  street: 'Vismijnstraat 12',
  postcode: '8400',
  city: 'Oostende',
};
const brusselsUnit: UnitOption = {
  id: 8,
  number: '2000000042',
  name: 'Kantoor Brussel',
  street: 'Wetstraat 1',
  postcode: '1000',
  city: 'Brussel',
};

describe('step 1 Werkgever', () => {
  const werkgever = (input: object, units = [flemishUnit, brusselsUnit]) =>
    outcome(judgeWerkgever(pickFields(WERKGEVER_FIELDS, input), { units }));

  it('accepts a listed unit in Flanders, a Belgian IBAN with both checks and an optional BIC; normalises them', () => {
    const r = werkgever({ ...validInput.werkgever('7'), iban: 'be68 5390 0754 7034', bic: ' gebabebb ' });
    expect(r.ok).toBe(true);
    expect(r.data).toMatchObject({
      unit: { id: 7, number: '2147812701' },
      iban: 'BE68539007547034',
      bic: 'GEBABEBB',
      contact: { name: 'Jan Werkgever' },
    });
    expect(werkgever({ ...validInput.werkgever('7'), bic: '' }).data?.bic).toBeNull();
  });

  it('asks to choose a unit, and refuses a listed unit outside the Flemish Region', () => {
    expect(problems(werkgever({ ...validInput.werkgever('') })).unitChoice).toBe(
      'Kies de vestigingseenheid waar de werknemer werkt.',
    );
    expect(problems(werkgever({ ...validInput.werkgever('999') })).unitChoice).toBe(
      'Kies de vestigingseenheid waar de werknemer werkt.',
    );
    expect(problems(werkgever({ ...validInput.werkgever('8') })).unitChoice).toMatch(
      /Postcode 1000 ligt in het Brussels Hoofdstedelijk Gewest\..*Vlaamse Gewest/,
    );
  });

  const otherUnit = {
    unitChoice: 'andere',
    unitNumber: '2.147.812.701',
    unitName: '',
    unitStreet: 'Kouter 1',
    unitPostcode: '9000',
    unitCity: 'Gent',
  };

  it('takes an entered unit with the mod-97 check and a Flemish postcode', () => {
    const r = werkgever({ ...validInput.werkgever('andere'), ...otherUnit });
    expect(r.data?.unit).toEqual({
      id: null,
      number: '2147812701',
      name: null,
      street: 'Kouter 1',
      postcode: '9000',
      city: 'Gent',
    });
    expect(
      problems(werkgever({ ...validInput.werkgever('andere'), ...otherUnit, unitNumber: '2.147.812.702' })).unitNumber,
    ).toMatch(/^Dit vestigingseenheidsnummer klopt niet/);
    expect(problems(werkgever({ ...validInput.werkgever('andere'), ...otherUnit, unitNumber: '' })).unitNumber).toBe(
      'Vul het nummer van de vestigingseenheid in.',
    );
  });

  it.each([
    ['1000', /Brussels Hoofdstedelijk Gewest/],
    ['1299', /Brussels Hoofdstedelijk Gewest/],
    ['1300', /Waalse Gewest/],
    ['1499', /Waalse Gewest/],
    ['4000', /Waalse Gewest/],
    ['7999', /Waalse Gewest/],
    ['0999', /geen Belgische postcode/],
  ])('refuses postcode %s of an entered unit', (postcode, message) => {
    expect(
      problems(werkgever({ ...validInput.werkgever('andere'), ...otherUnit, unitPostcode: postcode })).unitPostcode,
    ).toMatch(message);
  });

  it.each(['1500', '3999', '8000', '9999'])('accepts Flemish postcode %s', (postcode) => {
    expect(werkgever({ ...validInput.werkgever('andere'), ...otherUnit, unitPostcode: postcode }).ok).toBe(true);
    expect(regionOfPostcode(postcode)).toBe('vlaanderen');
  });

  it('without listed units, always takes the entered unit', () => {
    const r = werkgever({ ...validInput.werkgever('7'), ...otherUnit, unitChoice: '' }, []);
    expect(r.data?.unit.number).toBe('2147812701');
  });

  it('refuses a wrong IBAN, a foreign IBAN, a wrong BIC, phone and e-mail with what to do', () => {
    const p = problems(
      werkgever({
        ...validInput.werkgever('7'),
        iban: 'BE68 5390 0754 7035',
        bic: 'GEBA',
        contactPhone: 'bel me',
        contactEmail: 'jan@',
      }),
    );
    expect(p.iban).toMatch(/^Dit rekeningnummer klopt niet\. Vul BE en 14 cijfers in/);
    expect(p.bic).toMatch(/^Deze BIC klopt niet/);
    expect(p.contactPhone).toMatch(/^Vul een telefoonnummer in/);
    expect(p.contactEmail).toBe('Vul het e-mailadres van de contactpersoon in zoals naam@voorbeeld.be.');
    expect(problems(werkgever({ ...validInput.werkgever('7'), iban: 'NL91 ABNA 0417 1643 00' })).iban).toBe(
      'De terugbetaling kan alleen op een Belgische rekening. Vul een rekeningnummer in dat begint met BE.',
    );
  });

  it('reports every problem of an empty page at once', () => {
    const p = problems(werkgever({}));
    expect(Object.keys(p).sort()).toEqual(['contactEmail', 'contactName', 'contactPhone', 'iban', 'unitChoice']);
  });
});

describe('step 2 Werknemer', () => {
  const werknemer = (input: object) => outcome(judgeWerknemer(pickFields(WERKNEMER_FIELDS, input)));

  it.each([
    ['85.07.30-033.28', '85073003328'],
    ['17.07.30-033.84', '17073003384'],
    ['98.47.28-997.65', '98472899765'],
  ])('accepts INSZ %s (before 2000, from 2000, BIS) and normalises it', (insz, digits) => {
    expect(werknemer({ ...validInput.werknemer, insz }).data?.insz).toBe(digits);
  });

  it('refuses an INSZ with one wrong digit', () => {
    expect(problems(werknemer({ ...validInput.werknemer, insz: '85.07.30-033.29' })).insz).toMatch(
      /^Dit INSZ-nummer klopt niet/,
    );
  });

  it('reads percentages and hours with a decimal comma, within bounds', () => {
    expect(werknemer({ ...validInput.werknemer, twp: '80,5', weeklyHours: '30.5' }).data).toMatchObject({
      twpPercent: 80.5,
      weeklyHours: 30.5,
    });
    expect(problems(werknemer({ ...validInput.werknemer, twp: '0' })).twp).toBe(
      'Vul het tewerkstellingspercentage in als een getal groter dan 0 en hoogstens 100.',
    );
    expect(problems(werknemer({ ...validInput.werknemer, twp: '101' })).twp).toMatch(/hoogstens 100/);
    expect(problems(werknemer({ ...validInput.werknemer, weeklyHours: 'veel' })).weeklyHours).toMatch(
      /^Vul het gemiddeld aantal arbeidsuren per week in/,
    );
  });

  it('needs the start date only for an employee who started during the school year', () => {
    expect(
      werknemer({ ...validInput.werknemer, newEmployee: 'nee', employmentStartDate: 'onzin' }).data
        ?.employmentStartDate,
    ).toBeNull();
    expect(problems(werknemer({ ...validInput.werknemer, newEmployee: 'ja' })).employmentStartDate).toBe(
      'Vul de datum waarop de werknemer bij u in dienst kwam in als dd/mm/jjjj, bijvoorbeeld 01/09/2025.',
    );
    expect(
      werknemer({ ...validInput.werknemer, newEmployee: 'ja', employmentStartDate: '1/9/2025' }).data
        ?.employmentStartDate,
    ).toBe('2025-09-01');
  });

  it('takes the e-mail address as optional but checks it when given', () => {
    expect(werknemer({ ...validInput.werknemer, email: '' }).data?.email).toBeNull();
    expect(problems(werknemer({ ...validInput.werknemer, email: 'eva' })).email).toBe(
      'Vul het e-mailadres van de werknemer in zoals naam@voorbeeld.be.',
    );
  });

  it('asks for schedule and new-employee answers', () => {
    const p = problems(werknemer({ ...validInput.werknemer, schedule: '', newEmployee: 'misschien' }));
    expect(p.schedule).toBe('Kies of de werknemer een vast of een variabel uurrooster heeft.');
    expect(p.newEmployee).toBe('Kies of de werknemer tijdens het schooljaar bij u in dienst kwam.');
  });
});

const fullTime: WerknemerData = {
  insz: '85073003328',
  firstName: 'Eva',
  lastName: 'Werknemer',
  email: null,
  twpPercent: 100,
  weeklyHours: 38,
  schedule: 'vast',
  employmentStartDate: null,
};

function opleiding(
  input: Partial<typeof validInput.opleiding>,
  werknemer: Partial<WerknemerData> = {},
  priorDossiers: PriorDossier[] = [],
) {
  return outcome(
    judgeOpleiding(
      pickFields(OPLEIDING_FIELDS, { ...validInput.opleiding, ...input }),
      { today: '2025-10-15', priorDossiers, rules },
      { werknemer: { ...fullTime, ...werknemer } },
    ),
  );
}

describe('step 3 Opleiding', () => {
  it('computes the school year, the hours, the forfait and the training key of a valid ODB training', () => {
    expect(opleiding({}).data).toMatchObject({
      type: 'odb',
      odbNumber: '12345',
      startDate: '2025-10-01',
      schoolYearStart: 2025,
      trainingHours: 40,
      forfaitCents: 1491,
      trainingKey: 'odb:12345',
    });
  });

  it('tells the submission window at the start date: too early and too late', () => {
    expect(problems(opleiding({ startDate: '01/02/2026' })).startDate).toMatch(
      /^U kunt deze aanvraag pas indienen vanaf 01\/11\/2025 .*Opslaan en later verdergaan/,
    );
    expect(problems(opleiding({ startDate: '14/07/2025', endDate: '30/06/2026' })).startDate).toMatch(
      /^De aanvraag moest ten laatste op 14\/10\/2025 ingediend zijn/,
    );
    expect(opleiding({ startDate: '15/07/2025' }).ok).toBe(true);
    expect(opleiding({ startDate: '15/01/2026' }).ok).toBe(true);
  });

  it('allows a late request within 3 months after the employee started with a new employer', () => {
    expect(opleiding({ startDate: '01/05/2025' }, { employmentStartDate: '2025-09-01' }).ok).toBe(true);
    expect(problems(opleiding({ startDate: '01/05/2025' }, { employmentStartDate: '2025-07-01' })).startDate).toMatch(
      /ten laatste op 01\/10\/2025/,
    );
  });

  it('checks eligibility per school year: 80 % and 28 hours from 2025-2026, 50 % before', () => {
    expect(problems(opleiding({}, { twpPercent: 60 })).startDate).toMatch(
      /\(60 %\) is te laag\. Voor het schooljaar 2025-2026 moet de werknemer minstens 80 %.*stap 2/,
    );
    expect(problems(opleiding({}, { weeklyHours: 20 })).startDate).toMatch(/20 uur per week; dat is te weinig/);
    expect(opleiding({ startDate: '15/07/2025' }, { twpPercent: 60, weeklyHours: 20 }).ok).toBe(true);
    expect(problems(opleiding({ startDate: '15/07/2025' }, { twpPercent: 40 })).startDate).toMatch(/minstens 50 %/);
  });

  it('lets a training that started in 2024-2025 continue under the old rule', () => {
    expect(opleiding({ originalStartDate: '01/10/2024' }, { twpPercent: 60 }).ok).toBe(true);
    expect(problems(opleiding({ originalStartDate: '02/10/2025' })).originalStartDate).toMatch(/vorig schooljaar/);
  });

  it('refuses a training below the minimum size, per unit', () => {
    expect(problems(opleiding({ sizeAmount: '31' })).sizeAmount).toMatch(
      /^De opleiding is te klein: ze telt 31 contacturen\./,
    );
    expect(problems(opleiding({ sizeKind: 'studiepunten', sizeAmount: '2' })).sizeAmount).toMatch(/te klein/);
    expect(opleiding({ sizeKind: 'studiepunten', sizeAmount: '3' }).data?.trainingHours).toBe(12);
    expect(opleiding({ sizeKind: 'lestijden', sizeAmount: '32' }).data?.trainingHours).toBe(32);
    expect(problems(opleiding({ sizeKind: '' })).sizeKind).toMatch(/^Kies hoe de omvang/);
  });

  it('counts 8 hours per exam of the examencommissie and the given hours of an EVC exam; no ODB number needed', () => {
    const exam = opleiding({
      trainingType: 'examencommissie',
      odbNumber: '',
      sizeKind: '',
      sizeAmount: '',
      examCount: '2',
    });
    expect(exam.data).toMatchObject({
      trainingHours: 16,
      odbNumber: null,
      trainingKey: 'examencommissie:veiligheidscoordinator niveau a|0403170701',
    });
    expect(problems(opleiding({ trainingType: 'examencommissie', examCount: '1,5' })).examCount).toMatch(
      /geheel getal/,
    );
    expect(opleiding({ trainingType: 'evc', odbNumber: '', examCount: '', evcHours: '6' }).data?.trainingHours).toBe(6);
  });

  it('needs a career-guidance attest of at most 6 years old for a loopbaangerichte opleiding', () => {
    const loopbaan = { trainingType: 'loopbaan', odbNumber: '' };
    expect(problems(opleiding(loopbaan)).careerGuidanceAttestDate).toMatch(
      /^Vul de datum van het attest loopbaanbegeleiding in/,
    );
    expect(
      problems(opleiding({ ...loopbaan, careerGuidanceAttestDate: '30/09/2019' })).careerGuidanceAttestDate,
    ).toMatch(/niet ouder zijn dan 6 jaar/);
    expect(opleiding({ ...loopbaan, careerGuidanceAttestDate: '01/10/2019' }).data).toMatchObject({
      odbNumber: null,
      careerGuidanceAttestDate: '2019-10-01',
    });
  });

  it('checks the ODB number, the provider number and the dates', () => {
    expect(problems(opleiding({ odbNumber: '' })).odbNumber).toMatch(/^Vul het ODB-nummer van de opleiding in/);
    expect(problems(opleiding({ odbNumber: 'ABC' })).odbNumber).toMatch(/alleen cijfers/);
    expect(problems(opleiding({ providerNumber: '0403.170.702' })).providerNumber).toMatch(/^Dit nummer klopt niet/);
    expect(opleiding({ providerNumber: 'INST-4711' }).data?.providerNumber).toBe('INST-4711');
    expect(problems(opleiding({ endDate: '30/09/2025' })).endDate).toBe(
      'De einddatum moet op of na de startdatum liggen.',
    );
    expect(problems(opleiding({ startDate: '31/02/2026' })).startDate).toBe(
      'De startdatum is geen bestaande datum. Vul ze in als dd/mm/jjjj, bijvoorbeeld 01/09/2025.',
    );
    expect(problems(opleiding({ startDate: '' })).startDate).toBe(
      'Vul de startdatum in als dd/mm/jjjj, bijvoorbeeld 01/09/2025.',
    );
  });

  it('refuses a second request for the same employee, training and school year', () => {
    const prior: PriorDossier = {
      dossiernummer: 'VOV-2025-000007',
      trainingKey: 'odb:12345',
      odbNumber: '12345',
      schoolYearStart: 2025,
      initiative: 'werknemer',
      vovHours: 40,
    };
    expect(problems(opleiding({}, {}, [prior])).odbNumber).toBe(
      'Voor deze werknemer is er al een aanvraag voor deze opleiding in het schooljaar 2025-2026 (dossier VOV-2025-000007). Per werknemer, opleiding en schooljaar kunt u maar één aanvraag indienen.',
    );
    expect(opleiding({}, {}, [{ ...prior, schoolYearStart: 2024 }]).ok).toBe(true);
    expect(opleiding({ odbNumber: '54321' }, {}, [prior]).ok).toBe(true);
  });
});

describe('step 4 Initiatief en akkoord', () => {
  const training = (overrides: Partial<typeof validInput.opleiding> = {}): OpleidingData => {
    const result = opleiding(overrides);
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data;
  };
  const prior = (p: Partial<PriorDossier>): PriorDossier => ({
    dossiernummer: 'VOV-2025-000001',
    trainingKey: 'odb:999',
    odbNumber: '999',
    schoolYearStart: 2025,
    initiative: 'werknemer',
    vovHours: 0,
    ...p,
  });
  const parse = (
    input: Partial<typeof validInput.initiatief>,
    priorDossiers: PriorDossier[] = [],
    opleiding = training(),
    werknemer = fullTime,
  ) =>
    outcome(
      judgeInitiatief(
        pickFields(INITIATIEF_FIELDS, { ...validInput.initiatief, ...input }),
        { priorDossiers, rules },
        { werknemer, opleiding },
      ),
    );

  it('computes the personal maximum, the hours and the indicative amount', () => {
    expect(parse({}).data?.calculation).toEqual({
      schoolYearStart: 2025,
      trainingHours: 40,
      sharedInitiative: false,
      personalMaximumHours: 125,
      hoursAlreadyUsed: 0,
      remainingHours: 125,
      vovHours: 40,
      forfaitCents: 1491,
      amountCents: 59640,
    });
  });

  it('gives the worked example: 125 h × € 21,30 = € 2.662,50 in 2024-2025, capped at the personal maximum', () => {
    const big = training({ startDate: '15/07/2025', sizeAmount: '200' });
    expect(parse({}, [], big).data?.calculation).toMatchObject({
      trainingHours: 200,
      personalMaximumHours: 125,
      vovHours: 125,
      forfaitCents: 2130,
      amountCents: 266250,
    });
  });

  it('doubles the maximum under the shared initiative right (other initiative, other ODB number, same school year)', () => {
    const c = parse({ initiative: 'werkgever' }, [prior({ initiative: 'werknemer', vovHours: 125 })]).data?.calculation;
    expect(c).toMatchObject({
      sharedInitiative: true,
      personalMaximumHours: 250,
      hoursAlreadyUsed: 125,
      remainingHours: 125,
      vovHours: 40,
    });
    // Same initiative, or another school year: no doubling.
    expect(parse({ initiative: 'werknemer' }, [prior({ vovHours: 100 })]).data?.calculation).toMatchObject({
      sharedInitiative: false,
      remainingHours: 25,
      vovHours: 25,
      amountCents: 25 * 1491,
    });
    expect(
      parse({ initiative: 'werkgever' }, [prior({ schoolYearStart: 2024, vovHours: 125 })]).data?.calculation,
    ).toMatchObject({ sharedInitiative: false, hoursAlreadyUsed: 0 });
  });

  it('refuses the request when the personal maximum is used up, at the initiative', () => {
    expect(problems(parse({ initiative: 'werknemer' }, [prior({ vovHours: 125 })])).initiative).toBe(
      'De werknemer heeft in het schooljaar 2025-2026 het persoonlijk maximum van 125 uur al opgebruikt in andere aanvragen. Voor deze opleiding kunt u geen uren meer aanvragen.',
    );
  });

  it('needs the initiative and the employee’s agreement', () => {
    const p = problems(parse({ initiative: '', employeeAgreement: '' }));
    expect(p.initiative).toBe('Kies wie het initiatief voor de opleiding nam: de werknemer of de werkgever.');
    expect(p.employeeAgreement).toMatch(/^Vink aan dat de werknemer akkoord gaat/);
  });
});

describe('step 5 Bijlagen and step 6 Overzicht', () => {
  const loopbaan = { type: 'loopbaan' } as OpleidingData;
  const odb = { type: 'odb' } as OpleidingData;

  it('needs the career-guidance attest for a loopbaangerichte opleiding only', () => {
    const bijlagen = (opleiding: OpleidingData, attachmentKinds: DraftContext['attachmentKinds']) =>
      outcome(judgeBijlagen({}, { attachmentKinds }, { opleiding }));
    expect(problems(bijlagen(loopbaan, ['inschrijvingsattest'])).loopbaanattest).toMatch(
      /^Voeg het attest van loopbaanbegeleiding toe/,
    );
    expect(bijlagen(loopbaan, ['loopbaanattest']).ok).toBe(true);
    expect(bijlagen(odb, []).ok).toBe(true);
  });

  it('needs the declaration on honour', () => {
    expect(problems(outcome(judgeOverzicht({}))).declaration).toBe(
      'Vink aan dat u verklaart dat alle gegevens juist en volledig zijn.',
    );
    expect(judgeOverzicht({ declaration: 'ja' }).ok).toBe(true);
  });
});

describe('evaluating a draft step by step', () => {
  const ctx: DraftContext = {
    today: '2025-10-15',
    units: [flemishUnit],
    priorDossiers: [],
    attachmentKinds: [],
    rules,
  };
  const complete = {
    werkgever: validInput.werkgever('7'),
    werknemer: validInput.werknemer,
    opleiding: validInput.opleiding,
    initiatief: validInput.initiatief,
    bijlagen: {},
  };

  it('finds the first step that is not posted or not valid; later steps are blocked', () => {
    expect(evaluateDraft({}, ctx).firstIncomplete?.id).toBe('werkgever');
    const partial = evaluateDraft(
      { werkgever: complete.werkgever, werknemer: { ...validInput.werknemer, insz: '1' } },
      ctx,
    );
    expect(partial.firstIncomplete?.id).toBe('werknemer');
    expect(partial.states.map((s) => s.status)).toEqual([
      'complete',
      'invalid',
      'blocked',
      'blocked',
      'blocked',
      'blocked',
    ]);
    expect(evaluateDraft(complete, ctx).firstIncomplete?.id).toBe('overzicht');
    expect(evaluateDraft({ ...complete, overzicht: { declaration: 'ja' } }, ctx).firstIncomplete).toBeNull();
  });

  it('makes a later step incomplete again when an earlier answer changes its rules', () => {
    const changed = evaluateDraft({ ...complete, werknemer: { ...validInput.werknemer, twp: '60' } }, ctx);
    expect(changed.firstIncomplete?.id).toBe('opleiding');
    expect(changed.states[2].errors[0]).toMatchObject({ href: '#startDate' });
  });

  it('has six steps in the order of the form', () => {
    expect(STEPS.map((s) => s.title)).toEqual([
      'Werkgever',
      'Werknemer',
      'Opleiding',
      'Initiatief en akkoord',
      'Bijlagen',
      'Overzicht',
    ]);
  });
});
