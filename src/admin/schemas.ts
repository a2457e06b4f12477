import { z } from 'zod';
import { compareIso, parseDateNl, type IsoDate } from '../domain/dates.js';
import { isValidInsz, normaliseInsz } from '../domain/insz.js';

/** Gebruikersbeheer forms. Messages are the ones the user reads, in Dutch; the tests use the same schemas. */

const requiredText = (message: string, max = 100) =>
  z.string({ error: message }).trim().min(1, message).max(max, `Gebruik hoogstens ${max} tekens.`);

export const addUserSchema = z.object({
  insz: z
    .string({ error: 'Vul het INSZ-nummer in.' })
    .trim()
    .min(1, 'Vul het INSZ-nummer in.')
    .refine(
      isValidInsz,
      'Vul een geldig INSZ-nummer in, bijvoorbeeld 85.07.30-033.28. Controleer vooral de laatste twee cijfers.',
    )
    .transform((v) => normaliseInsz(v)!),
  firstName: requiredText('Vul de voornaam in.'),
  lastName: requiredText('Vul de achternaam in.'),
  email: z
    .string({ error: 'Vul het e-mailadres in.' })
    .trim()
    .min(1, 'Vul het e-mailadres in.')
    .pipe(
      z.email('Vul een geldig e-mailadres in, bijvoorbeeld naam@bedrijf.be.').max(254, 'Gebruik hoogstens 254 tekens.'),
    ),
});
export type AddUserInput = z.output<typeof addUserSchema>;

/** The optional end date of a right, dd/mm/jjjj; not in the past. */
export function grantRightSchema(today: IsoDate) {
  return z.object({
    validUntil: z
      .string({ error: 'Vul de einddatum in als dd/mm/jjjj, bijvoorbeeld 31/12/2026, of laat het veld leeg.' })
      .optional()
      .transform((value, ctx) => {
        const input = (value ?? '').trim();
        if (!input) return null;
        const iso = parseDateNl(input);
        if (!iso) {
          ctx.addIssue({
            code: 'custom',
            message: 'Vul de einddatum in als dd/mm/jjjj, bijvoorbeeld 31/12/2026, of laat het veld leeg.',
          });
          return z.NEVER;
        }
        if (compareIso(iso, today) < 0) {
          ctx.addIssue({ code: 'custom', message: 'De einddatum mag niet in het verleden liggen.' });
          return z.NEVER;
        }
        return iso;
      }),
  });
}

export const refuseRequestSchema = z.object({
  reason: requiredText('Vul de reden van de weigering in. De aanvrager krijgt ze te lezen.', 1000),
});
