import { z } from 'zod';
import 'zod-openapi';
import { DECISIONS, DOSSIER_STATUSES } from '../decisions/transitions.js';

/**
 * The API's contract: these zod schemas validate the requests, describe the answers, and are the source of
 * the OpenAPI document (src/api/openapi.ts). Field names are Dutch, like the rest of the domain.
 */

export const dossiernummerParam = z
  .string()
  .regex(/^VOV-\d{4}-\d{6,}$/)
  .meta({ description: 'The dossiernummer, e.g. VOV-2025-000123.', example: 'VOV-2025-000123' });

export const dossierPath = z.object({ dossiernummer: dossiernummerParam });
export const attachmentPath = z.object({
  dossiernummer: dossiernummerParam,
  bijlageId: z.coerce.number().int().positive().meta({ description: 'The attachment id from the dossier.' }),
});

export const feedQuery = z.object({
  na: z
    .string()
    .regex(/^\d{1,19}\.\d{1,15}$/)
    .optional()
    .meta({
      description: 'The cursor `volgende` of the previous page; absent for the first page.',
      example: '1234.56',
    }),
  aantal: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(50)
    .meta({ description: 'Dossiers per page (1–200, default 50).' }),
});

export const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(8)
    .max(200)
    .regex(/^[\x21-\x7e]+$/)
    .optional()
    .meta({
      description:
        'A unique key per decision (e.g. a UUID): a retried call with the same key and body changes nothing and gets the first answer again.',
    }),
});

const version = z.number().int().positive().meta({
  description: 'The dossier version the decision is based on (`versie` of the dossier); another version gives 409.',
});
const isoDate = z.iso.date().meta({ description: 'A date, YYYY-MM-DD.' });
const text = (description: string) => z.string().trim().min(1).max(2000).meta({ description });

export const decisionBody = z
  .discriminatedUnion('beslissing', [
    z.strictObject({ beslissing: z.literal('in_behandeling'), versie: version }),
    z.strictObject({
      beslissing: z.literal('aanvulling_gevraagd'),
      versie: version,
      vraag: text('The question to the employer.'),
      antwoordTegen: isoDate.meta({ description: 'The date by which the employer should answer, YYYY-MM-DD.' }),
    }),
    z.strictObject({
      beslissing: z.literal('goedgekeurd'),
      versie: version,
      uren: z.number().positive().max(250).multipleOf(0.01).meta({ description: 'The approved hours.' }),
      bedragCent: z.number().int().min(0).max(100_000_000).optional().meta({
        description: 'The approved amount in euro cents; default: approved hours × the forfait of the school year.',
      }),
    }),
    z.strictObject({
      beslissing: z.literal('geweigerd'),
      versie: version,
      reden: text('The reason, shown to the employer and the employee.'),
    }),
  ])
  .meta({ id: 'Beslissing', description: `A decision of the back office: one of ${DECISIONS.join(', ')}.` });
export type DecisionBody = z.infer<typeof decisionBody>;

const status = z.enum(DOSSIER_STATUSES).meta({ id: 'Status' });
const dateTime = z.iso.datetime({ offset: true });

export const dossierState = z
  .object({
    dossiernummer: z.string(),
    status,
    versie: z.number().int(),
    statusSinds: dateTime.meta({ description: 'When the status last changed (the filing for ingediend).' }),
    goedgekeurdeUren: z.number().nullable(),
    goedgekeurdBedragCent: z.number().int().nullable(),
    stopzettingsdatum: isoDate.nullable().meta({ description: 'The date the employer reported the training stopped.' }),
  })
  .meta({ id: 'DossierStatus', description: 'The state of a dossier after filing.' });

export const attachment = z
  .object({
    id: z.number().int(),
    soort: z.enum(['inschrijvingsattest', 'loopbaanattest', 'aanvulling']),
    bestandsnaam: z.string(),
    type: z.enum(['application/pdf', 'image/png', 'image/jpeg']),
    grootte: z.number().int().meta({ description: 'Size in bytes.' }),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    ontvangenOp: dateTime,
    href: z.string().meta({ description: 'Where to download the file (same authentication).' }),
  })
  .meta({ id: 'Bijlage' });

export const event = z
  .object({
    op: dateTime,
    soort: z.enum([...DECISIONS, 'geannuleerd', 'stopgezet', 'antwoord']),
    statusVoor: status,
    statusNa: status,
    door: z.object({ soort: z.enum(['werkgever', 'backoffice', 'cli']), naam: z.string() }),
    details: z.looseObject({
      vraag: z.string().optional(),
      antwoordTegen: isoDate.optional(),
      uren: z.number().optional(),
      bedragCent: z.number().int().optional(),
      reden: z.string().optional(),
      stopzettingsdatum: isoDate.optional(),
      antwoord: z.string().optional(),
      bijlagen: z.array(z.number().int()).optional(),
    }),
  })
  .meta({ id: 'Gebeurtenis', description: 'One change in the dossier’s history.' });

const unit = z.object({
  nummer: z.string(),
  naam: z.string().nullable(),
  straat: z.string().nullable(),
  postcode: z.string().nullable(),
  gemeente: z.string().nullable(),
});

export const dossier = dossierState
  .extend({
    ingediendOp: dateTime,
    ingediendDoor: z.string(),
    werkgever: z.object({
      kbo: z.string().regex(/^\d{10}$/),
      naam: z.string(),
      vestigingseenheid: unit,
      contactpersoon: z.object({ naam: z.string(), telefoon: z.string(), email: z.string() }),
      iban: z.string(),
      bic: z.string().nullable(),
    }),
    werknemer: z.object({
      insz: z.string().regex(/^\d{11}$/),
      voornaam: z.string(),
      achternaam: z.string(),
      email: z.string().nullable(),
      tewerkstellingspercentage: z.number(),
      urenPerWeek: z.number(),
    }),
    opleiding: z.object({
      soort: z.string(),
      naam: z.string(),
      odbNummer: z.string().nullable(),
      verstrekker: z.string(),
      startdatum: isoDate,
      einddatum: isoDate,
      schooljaar: z.string().regex(/^\d{4}-\d{4}$/),
      initiatief: z.enum(['werknemer', 'werkgever']),
    }),
    bedragen: z.object({
      opleidingsuren: z.number(),
      aangevraagdeUren: z.number(),
      forfaitCent: z.number().int(),
      indicatiefBedragCent: z.number().int(),
      goedgekeurdeUren: z.number().nullable(),
      goedgekeurdBedragCent: z.number().int().nullable(),
    }),
    bijlagen: z.array(attachment),
    geschiedenis: z.array(event),
    snapshot: z
      .record(z.string(), z.unknown())
      .meta({ description: 'What was filed at Bevestigen, exactly as stored (never changes).' }),
  })
  .meta({ id: 'Dossier' });

export const dossierPage = z
  .object({
    dossiers: z.array(dossier),
    volgende: z
      .string()
      .nullable()
      .meta({ description: 'The cursor for the next call (`?na=`); keep it even when `meer` is false.' }),
    meer: z.boolean().meta({ description: 'True when more dossiers are ready now.' }),
  })
  .meta({ id: 'DossierPagina' });

export const attachmentList = z.object({ bijlagen: z.array(attachment) }).meta({ id: 'Bijlagen' });

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Each invalid field (400).' }),
    dossier: dossierState.optional().meta({ description: 'The current state (409).' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' });
