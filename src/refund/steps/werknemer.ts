import type { IsoDate } from '../../domain/dates.js';
import { normaliseInsz } from '../../domain/insz.js';
import { FieldReader, type StepResult } from './fields.js';

/** Step 2 Werknemer: who the employee is, and the employment the eligibility rules look at. */

export const WERKNEMER_FIELDS = [
  'insz',
  'firstName',
  'lastName',
  'email',
  'twp',
  'weeklyHours',
  'schedule',
  'newEmployee',
  'employmentStartDate',
] as const;

export const SCHEDULES = ['vast', 'variabel'] as const;

export interface WerknemerData {
  insz: string;
  firstName: string;
  lastName: string;
  email: string | null;
  twpPercent: number;
  weeklyHours: number;
  schedule: (typeof SCHEDULES)[number];
  /** Set when the employee started with this employer during the school year (extends the deadline). */
  employmentStartDate: IsoDate | null;
}

export function judgeWerknemer(input: Record<(typeof WERKNEMER_FIELDS)[number], string>): StepResult<WerknemerData> {
  const f = new FieldReader(input);
  const insz = f.identifier('insz', normaliseInsz, {
    required: 'Vul het INSZ-nummer van de werknemer in: het rijksregisternummer of het BIS-nummer.',
    invalid:
      'Dit INSZ-nummer klopt niet. Vul de 11 cijfers in zoals op de identiteitskaart, bijvoorbeeld 85.07.30-033.28, en controleer ze.',
  });
  const firstName = f.text('firstName', 'Vul de voornaam van de werknemer in.', 100);
  const lastName = f.text('lastName', 'Vul de achternaam van de werknemer in.', 100);
  const email = f.optionalEmail('email', 'het e-mailadres van de werknemer');
  const twpPercent = f.decimal('twp', 'het tewerkstellingspercentage', { min: 0, max: 100, minExclusive: true });
  const weeklyHours = f.decimal('weeklyHours', 'het gemiddeld aantal arbeidsuren per week', {
    min: 0,
    max: 168,
    minExclusive: true,
  });
  const schedule = f.choice('schedule', SCHEDULES, 'Kies of de werknemer een vast of een variabel uurrooster heeft.');
  const newEmployee = f.choice(
    'newEmployee',
    ['ja', 'nee'] as const,
    'Kies of de werknemer tijdens het schooljaar bij u in dienst kwam.',
  );
  const employmentStartDate =
    newEmployee === 'ja' ? f.date('employmentStartDate', 'de datum waarop de werknemer bij u in dienst kwam') : null;
  return f.result({ insz, firstName, lastName, email, twpPercent, weeklyHours, schedule, employmentStartDate });
}
