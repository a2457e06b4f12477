import { describe, expect, it } from 'vitest';
import type { ColumnKey } from '../../src/bulk/columns.js';
import type { ParsedRow } from '../../src/bulk/parser.js';
import {
  ATTEST_IN_FILE_MESSAGE,
  validateRows,
  type RowResult,
  type ValidationContext,
} from '../../src/bulk/validate.js';
import { defaultRules } from '../../src/domain/rules-data.js';
import type { PriorDossier } from '../../src/refund/repository.js';
import { evaluateEachStep, evaluateDraft, STEPS } from '../../src/refund/steps.js';
import { EMPLOYEES, validRow, type Cells } from './fixtures.js';

const UNIT = { id: 7, number: '2147812701', name: 'Werf', street: 'Werfstraat 1', postcode: '8400', city: 'Oostende' };

function context(priorDossiers: Record<string, PriorDossier[]> = {}, units = [UNIT]): ValidationContext {
  return { today: '2025-10-15', units, priorDossiers: new Map(Object.entries(priorDossiers)), rules: defaultRules };
}

/** Rows from line 2 on, as the parser gives them. */
function rows(...cells: Cells[]): ParsedRow[] {
  return cells.map((c, i) => ({ line: i + 2, cells: validRow(c), rowProblem: null }));
}

function errorsOf(result: RowResult): [ColumnKey | null, string][] {
  return result.errors.map((e) => [e.column, e.message]);
}

function only(cells: Cells, ctx = context()): RowResult {
  return validateRows(rows(cells), ctx)[0];
}

describe('a row is checked with the form’s schemas and rules', () => {
  it('accepts a valid row and computes school year, hours and the indicative amount', () => {
    const [r] = validateRows(rows({}), context());
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.summary).toEqual({
      employee: 'Eva Peeters',
      inszMasked: '85.07.30-***.**',
      training: 'Veiligheidscoördinator niveau A',
      startDate: '01/10/2025',
      schoolYear: '2025-2026',
      vovHours: 40,
      trainingHoursWhenCapped: null,
      amountCents: 59640,
    });
    // A unit of the organisation becomes the form's radio choice; the typed values go to the form's fields.
    expect(r.inputs.werkgever?.unitChoice).toBe('7');
    expect(r.outputs.werkgever?.unit.id).toBe(7);
  });

  it.each<[string, Cells, ColumnKey, RegExp]>([
    ['a wrong INSZ check number', { insz: '85.07.30-033.29' }, 'insz', /^Dit INSZ-nummer klopt niet/],
    ['a wrong IBAN', { iban: 'BE68 5390 0754 7035' }, 'iban', /^Dit rekeningnummer klopt niet/],
    ['a foreign IBAN', { iban: 'NL91 ABNA 0417 1643 00' }, 'iban', /alleen op een Belgische rekening/],
    ['a wrong BIC', { bic: 'GEB' }, 'bic', /^Deze BIC klopt niet/],
    [
      'another unit in Wallonia',
      { unitNumber: '2.000.000.042', unitStreet: 'Rue 1', unitPostcode: '5000', unitCity: 'Namur' },
      'unitPostcode',
      /ligt in het Waals Gewest|Wallonië|Waals/,
    ],
    ['a wrong phone number', { contactPhone: 'bel me' }, 'contactPhone', /^Vul een telefoonnummer in/],
    ['a wrong e-mail address of the employee', { email: 'eva@' }, 'email', /naam@voorbeeld\.be/],
    ['a percentage over 100', { twp: '120' }, 'twp', /hoogstens 100/],
    [
      'weekly hours as text',
      { weeklyHours: 'veel' },
      'weeklyHours',
      /^Vul het gemiddeld aantal arbeidsuren per week in als een getal/,
    ],
    ['an unknown schedule', { schedule: 'soms' }, 'schedule', /^"soms" kennen we niet\. Vul vast of variabel in\.$/],
    [
      'a new employee without the date',
      { newEmployee: 'ja' },
      'employmentStartDate',
      /^Vul de datum waarop de werknemer bij u in dienst kwam in/,
    ],
    ['no training type', { trainingType: '' }, 'trainingType', /^Vul odb, loopbaan, examencommissie of evc in\.$/],
    ['an ODB training without ODB number', { odbNumber: '' }, 'odbNumber', /^Vul het ODB-nummer van de opleiding in/],
    [
      'a provider number with a typing error',
      { providerNumber: '0403.170.702' },
      'providerNumber',
      /^Dit nummer klopt niet/,
    ],
    ['a date that does not exist', { startDate: '31/02/2026' }, 'startDate', /geen bestaande datum/],
    [
      'an end date before the start date',
      { endDate: '30/09/2025' },
      'endDate',
      /^De einddatum moet op of na de startdatum liggen/,
    ],
    [
      'a start date too long ago (the deadline window)',
      { startDate: '01/06/2025', endDate: '30/06/2025' },
      'startDate',
      /^De aanvraag moest ten laatste op 01\/09\/2025 ingediend zijn/,
    ],
    [
      'a start date too far ahead (the deadline window)',
      { startDate: '01/03/2026' },
      'startDate',
      /^U kunt deze aanvraag pas indienen vanaf 01\/12\/2025 .* Dien deze aanvraag in vanaf die datum, in een nieuw bestand of met het formulier\.$/,
    ],
    [
      'an employee under 80 % in 2025-2026',
      { twp: '60' },
      'twp',
      /^Het tewerkstellingspercentage van de werknemer \(60 %\) is te laag\. Voor het schooljaar 2025-2026 moet de werknemer minstens 80 %/,
    ],
    [
      'an employee under 28 hours a week in 2025-2026',
      { weeklyHours: '20' },
      'weeklyHours',
      /^De werknemer werkt gemiddeld 20 uur per week; dat is te weinig\. Voor het schooljaar 2025-2026/,
    ],
    ['a training below the minimum size', { sizeAmount: '20' }, 'sizeAmount', /^De opleiding is te klein/],
    [
      'an unknown size unit',
      { sizeKind: 'dagen' },
      'sizeKind',
      /^"dagen" kennen we niet\. Vul contacturen, studiepunten of lestijden in\.$/,
    ],
    [
      'an unknown initiative',
      { initiative: 'baas' },
      'initiative',
      /^"baas" kennen we niet\. Vul werknemer of werkgever in\.$/,
    ],
    [
      'no agreement of the employee',
      { employeeAgreement: 'nee' },
      'employeeAgreement',
      /^Vul ja in als de werknemer akkoord gaat met de aanvraag/,
    ],
  ])('reports %s at its column', (_what, cells, column, message) => {
    const r = only(cells);
    expect(r.valid).toBe(false);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].column).toBe(column);
    expect(r.errors[0].message).toMatch(message);
  });

  it('a unit that is not one of the organisation’s needs its address; no unit at all is asked for first', () => {
    expect(errorsOf(only({ unitNumber: '2.000.000.042' })).map(([c]) => c)).toEqual([
      'unitStreet',
      'unitPostcode',
      'unitCity',
    ]);
    const none = errorsOf(only({ unitNumber: '' }));
    expect(none[0]).toEqual(['unitNumber', 'Vul het nummer van de vestigingseenheid in.']);
    expect(
      only({ unitNumber: '2.000.000.042', unitStreet: 'Kaai 2', unitPostcode: '9000', unitCity: 'Gent' }).outputs
        .werkgever?.unit,
    ).toEqual({
      id: null,
      number: '2000000042',
      name: null,
      street: 'Kaai 2',
      postcode: '9000',
      city: 'Gent',
    });
  });

  it('a loopbaangerichte opleiding needs the attest, which a file can not carry: said at the training type', () => {
    const r = only({ trainingType: 'loopbaan', careerGuidanceAttestDate: '01/02/2024' });
    expect(errorsOf(r)).toEqual([['trainingType', ATTEST_IN_FILE_MESSAGE]]);
  });

  it('reads the spellings people type: capitals, labels, a % sign, a decimal comma or point', () => {
    const r = only({
      trainingType: 'ODB-opleiding',
      schedule: 'Vast',
      sizeKind: 'Contacturen',
      initiative: 'WERKGEVER',
      employeeAgreement: 'Ja',
      twp: '80 %',
      weeklyHours: '30.4',
      newEmployee: '',
    });
    expect(r.errors).toEqual([]);
    expect(r.outputs.werknemer).toMatchObject({
      twpPercent: 80,
      weeklyHours: 30.4,
      schedule: 'vast',
      employmentStartDate: null,
    });
  });

  it('reports every problem of a row at once, also across steps', () => {
    const r = only({ iban: 'BE00', insz: '1', startDate: '', initiative: '' });
    // An invalid employee does not hide the training's problems, nor an invalid training the initiative's.
    expect(errorsOf(r).map(([c]) => c)).toEqual(['iban', 'insz', 'startDate', 'initiative']);
    const r2 = only({ iban: 'BE00', startDate: 'morgen', initiative: 'x' });
    expect(errorsOf(r2).map(([c]) => c)).toEqual(['iban', 'startDate', 'initiative']);
    const r3 = only({ iban: 'BE00', initiative: 'x', employeeAgreement: '' });
    expect(errorsOf(r3).map(([c]) => c)).toEqual(['iban', 'initiative', 'employeeAgreement']);
  });

  it('a line with more values than columns is a problem of the row', () => {
    const [r] = validateRows(
      [{ line: 5, cells: validRow(), rowProblem: 'Deze regel heeft 36 waarden, maar de kopregel heeft 35 kolommen.' }],
      context(),
    );
    expect(r.valid).toBe(false);
    expect(errorsOf(r)).toEqual([[null, 'Deze regel heeft 36 waarden, maar de kopregel heeft 35 kolommen.']]);
  });
});

describe('rows are checked together with the other rows of the file and the existing dossiers', () => {
  it('a duplicate row (same employee, training and school year) is refused with the line it repeats', () => {
    const results = validateRows(
      rows({}, { ...EMPLOYEES[1] }, { trainingName: 'Andere naam, zelfde ODB-nummer' }),
      context(),
    );
    expect(results.map((r) => r.valid)).toEqual([true, true, false]);
    expect(errorsOf(results[2])).toEqual([
      [
        'odbNumber',
        'Voor deze werknemer is er al een aanvraag voor deze opleiding in het schooljaar 2025-2026 (regel 2 van dit bestand). Per werknemer, opleiding en schooljaar kunt u maar één aanvraag indienen.',
      ],
    ]);
  });

  it('a training without ODB number is the same training by type, name and provider, without case or accents', () => {
    const exam = {
      trainingType: 'examencommissie',
      odbNumber: '',
      sizeKind: '',
      sizeAmount: '',
      examCount: '1',
      trainingName: 'Examen Wiskunde',
    };
    const results = validateRows(rows(exam, { ...exam, trainingName: 'examen wiskunde' }), context());
    expect(results[1].errors[0]).toMatchObject({
      column: 'trainingName',
      message: expect.stringContaining('(regel 2 van dit bestand)'),
    });
  });

  it('a row for a training that already has a dossier is refused with that dossiernummer', () => {
    const prior: PriorDossier = {
      dossiernummer: 'VOV-2025-000042',
      trainingKey: 'odb:12345',
      odbNumber: '12345',
      schoolYearStart: 2025,
      initiative: 'werkgever',
      vovHours: 40,
    };
    const r = only({}, context({ '85073003328': [prior] }));
    expect(errorsOf(r)).toEqual([
      [
        'odbNumber',
        'Voor deze werknemer is er al een aanvraag voor deze opleiding in het schooljaar 2025-2026 (dossier VOV-2025-000042). Per werknemer, opleiding en schooljaar kunt u maar één aanvraag indienen.',
      ],
    ]);
    // Another school year of the same training is another request.
    expect(only({}, context({ '85073003328': [{ ...prior, schoolYearStart: 2024 }] })).valid).toBe(true);
  });

  it('shares the personal maximum of an employee over the rows of the file, in file order', () => {
    // TWP 100 %: 125 hours in 2025-2026, on the employer's initiative only (no doubling).
    const results = validateRows(
      rows(
        { odbNumber: '1', sizeAmount: '100' },
        { odbNumber: '2', sizeAmount: '100' },
        { odbNumber: '3', sizeAmount: '40' },
        { ...EMPLOYEES[1], odbNumber: '4', sizeAmount: '100' },
      ),
      context(),
    );
    expect(results.map((r) => [r.line, r.valid, r.summary.vovHours])).toEqual([
      [2, true, 100],
      [3, true, 25],
      [4, false, null],
      [5, true, 100],
    ]);
    expect(results[1].summary.amountCents).toBe(37275); // 25 h × € 14,91
    expect(errorsOf(results[2])).toEqual([
      [
        'initiative',
        'De werknemer heeft in het schooljaar 2025-2026 het persoonlijk maximum van 125 uur al opgebruikt in andere aanvragen. Voor deze opleiding kunt u geen uren meer aanvragen.',
      ],
    ]);
  });

  it('counts the existing dossiers of the employee in the personal maximum', () => {
    const prior: PriorDossier = {
      dossiernummer: 'VOV-2025-000001',
      trainingKey: 'odb:999',
      odbNumber: '999',
      schoolYearStart: 2025,
      initiative: 'werkgever',
      vovHours: 110,
    };
    const r = only({}, context({ '85073003328': [prior] }));
    expect(r.valid).toBe(true);
    expect(r.summary.vovHours).toBe(15);
    const full = only({}, context({ '85073003328': [{ ...prior, vovHours: 125 }] }));
    expect(errorsOf(full)[0][0]).toBe('initiative');
  });

  it('doubles the maximum when rows of the file give the shared initiative right', () => {
    const results = validateRows(
      rows({ odbNumber: '1', sizeAmount: '125' }, { odbNumber: '2', sizeAmount: '125', initiative: 'werknemer' }),
      context(),
    );
    expect(results.map((r) => r.summary.vovHours)).toEqual([125, 125]);
  });

  it('rows with problems are not filed, so they take no hours and block no duplicate', () => {
    const results = validateRows(
      rows({ odbNumber: '1', sizeAmount: '125', iban: 'BE00' }, { odbNumber: '1', sizeAmount: '125' }),
      context(),
    );
    expect(results.map((r) => r.valid)).toEqual([false, true]);
    expect(results[1].summary.vovHours).toBe(125);
  });
});

describe('evaluateEachStep (the form’s step table, judged without stopping at the first invalid step)', () => {
  it('judges every step whose prerequisites are complete; the form’s evaluateDraft stops at the first problem', () => {
    const ctx = { today: '2025-10-15', units: [UNIT], priorDossiers: [], attachmentKinds: [], rules: defaultRules };
    const inputs = { werkgever: { unitChoice: '7' }, werknemer: { insz: '1' }, opleiding: {}, initiatief: {} };
    const each = evaluateEachStep(inputs, ctx);
    expect(each.states.map((s) => s.status)).toEqual([
      'invalid',
      'invalid',
      'blocked',
      'blocked',
      'blocked',
      'not-started',
    ]);
    expect(each.firstIncomplete?.id).toBe('werkgever');
    expect(evaluateDraft(inputs, ctx).states.map((s) => s.status)).toEqual([
      'invalid',
      'blocked',
      'blocked',
      'blocked',
      'blocked',
      'blocked',
    ]);
    expect(STEPS.find((s) => s.id === 'initiatief')?.needs).toEqual(['werknemer', 'opleiding']);
  });
});
