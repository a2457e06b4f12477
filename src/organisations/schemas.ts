import { z } from 'zod';

/** The value of the "own name" choice on the organisation choice page. */
export const OWN_NAME = 'eigen-naam';

export const chooseOrganisationSchema = z.object({
  keuze: z
    .string({ error: 'Kies voor wie u wilt werken.' })
    .trim()
    .regex(new RegExp(`^(${OWN_NAME}|[1-9][0-9]{0,15})$`), 'Kies voor wie u wilt werken.')
    .transform((v) => (v === OWN_NAME ? null : Number(v))),
});
