/**
 * Training types, size kinds and initiatives of a refund request, with their Dutch labels.
 * Ids are stable (stored in the database and used in CSV uploads); labels can change freely.
 */

export const TRAINING_TYPES = ['odb', 'loopbaan', 'examencommissie', 'evc'] as const;
export type TrainingType = (typeof TRAINING_TYPES)[number];

export const trainingTypeLabels: Readonly<Record<TrainingType, string>> = Object.freeze({
  odb: 'ODB-opleiding (opleidingsdatabank)',
  loopbaan: 'Loopbaangerichte opleiding',
  examencommissie: 'Examen bij de examencommissie',
  evc: 'EVC-examen',
});

export const SIZE_KINDS = ['contacturen', 'studiepunten', 'lestijden'] as const;
export type SizeKind = (typeof SIZE_KINDS)[number];

export const sizeKindLabels: Readonly<Record<SizeKind, string>> = Object.freeze({
  contacturen: 'Contacturen',
  studiepunten: 'Studiepunten',
  lestijden: 'Lestijden',
});

/** Singular and plural unit names, for sentences like '1 studiepunt' / '30 contacturen'. */
export const sizeKindUnits: Readonly<Record<SizeKind, { readonly one: string; readonly other: string }>> =
  Object.freeze({
    contacturen: Object.freeze({ one: 'contactuur', other: 'contacturen' }),
    studiepunten: Object.freeze({ one: 'studiepunt', other: 'studiepunten' }),
    lestijden: Object.freeze({ one: 'lestijd', other: 'lestijden' }),
  });

export const INITIATIVES = ['werknemer', 'werkgever'] as const;
export type Initiative = (typeof INITIATIVES)[number];

export const initiativeLabels: Readonly<Record<Initiative, string>> = Object.freeze({
  werknemer: 'Werknemer',
  werkgever: 'Werkgever',
});
