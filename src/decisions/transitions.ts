/**
 * A dossier's statuses after Bevestigen and which change may follow which. The one table the API, the CLI and
 * the employer's pages obey (documented in docs/api.md).
 */
export const DOSSIER_STATUSES = [
  'ingediend',
  'in_behandeling',
  'aanvulling_gevraagd',
  'goedgekeurd',
  'geweigerd',
  'stopgezet',
  'geannuleerd',
] as const;
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];

/** The back office's decisions (API and CLI). */
export const DECISIONS = ['in_behandeling', 'aanvulling_gevraagd', 'goedgekeurd', 'geweigerd'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

/** The employer's actions on the dossier page. */
export type EmployerActionKind = 'geannuleerd' | 'stopgezet' | 'antwoord';
export type ChangeKind = DecisionKind | EmployerActionKind;

const OPEN: readonly DossierStatus[] = ['ingediend', 'in_behandeling', 'aanvulling_gevraagd'];

/** From which statuses each change is allowed. goedgekeurd, geweigerd, geannuleerd and stopgezet are final for the back office. */
export const ALLOWED_FROM: Record<ChangeKind, readonly DossierStatus[]> = {
  in_behandeling: ['ingediend', 'aanvulling_gevraagd'],
  aanvulling_gevraagd: OPEN,
  goedgekeurd: OPEN,
  geweigerd: OPEN,
  // Withdrawing is only possible before the back office started on the request.
  geannuleerd: ['ingediend'],
  // A training can stop while the request is open or after its approval (the refund then stops at that date).
  stopgezet: [...OPEN, 'goedgekeurd'],
  // An answer is only awaited while a question is open; it puts the dossier back in treatment.
  antwoord: ['aanvulling_gevraagd'],
};

/** The status a change leads to. */
export function statusAfter(kind: ChangeKind): DossierStatus {
  return kind === 'antwoord' ? 'in_behandeling' : kind;
}

export function isAllowed(kind: ChangeKind, from: string): boolean {
  return (ALLOWED_FROM[kind] as readonly string[]).includes(from);
}
