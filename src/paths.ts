/** Every URL path of the portal in one module, so routes, views, mails and tests agree. */
export const paths = {
  home: '/',
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
  assets: '/assets',
  sessionExpired: '/sessie-verlopen',
  accessibility: '/toegankelijkheidsverklaring',
  privacy: '/privacyverklaring',

  login: '/aanmelden',
  logout: '/afmelden',
  loggedOut: '/afgemeld',
  samlAcs: '/auth/saml/acs',
  samlMetadata: '/auth/saml/metadata',
  samlSlo: '/auth/saml/slo',
  devIdp: '/dev-idp',

  chooseOrganisation: '/organisatie-kiezen',
  personalHome: '/persoonlijk',
  aanvraag: '/aanvraag',
  rightRequest: '/gebruikersrecht-aanvragen',
  rightRequestSent: '/gebruikersrecht-aanvragen/verstuurd',
  rightRequestWithdraw: '/gebruikersrecht-aanvragen/intrekken',
  admin: '/gebruikersbeheer',
  devMailbox: '/dev/mailbox',

  refund: '/terugbetaling',
  /** Step 1 of a new refund request (nothing is saved until it is posted). */
  refundNew: '/terugbetaling/nieuw/werkgever',
  dossiers: '/mijn-dossiers',
  dossiersExport: '/mijn-dossiers/export.csv',
  /** The back-office JSON API (docs/api.md). */
  api: '/api/v1',
  /** Several refund requests at once from a CSV file: explanation, template and upload. */
  bulk: '/meerdere-aanvragen',
  bulkTemplate: '/meerdere-aanvragen/sjabloon.csv',

  help: '/hulp',
  helpAdmin: '/hulp/lokale-beheerders',
  faq: '/veelgestelde-vragen',
  contact: '/contact',
} as const;

/** `path` as a router mounted at `prefix` sees it: `within(paths.bulk, paths.bulkTemplate)` is '/sjabloon.csv'. */
export const within = (prefix: string, path: string): string => path.slice(prefix.length) || '/';

/** A saved draft's id, or 'nieuw' for a request whose first step is not saved yet. */
export type DraftRef = number | 'nieuw';

export const NEW_DRAFT = 'nieuw' as const;

export function stepPath(draft: DraftRef, slug: string, options: { backToOverview?: boolean } = {}): string {
  return `${paths.refund}/${draft}/${slug}${options.backToOverview ? '?terug=overzicht' : ''}`;
}

export const draftPath = (draftId: number) => `${paths.refund}/${draftId}`;
export const deleteDraftPath = (draftId: number) => `${draftPath(draftId)}/verwijderen`;
export const attachmentPath = (draftId: number, attachmentId: number) =>
  `${draftPath(draftId)}/bijlagen/${attachmentId}`;
export const removeAttachmentPath = (draftId: number, attachmentId: number) =>
  `${attachmentPath(draftId, attachmentId)}/verwijderen`;

/** A dossier's page (its receipt and history) and its PDF receipt. */
export const receiptPath = (dossiernummer: string) => `${paths.dossiers}/${dossiernummer}`;
export const receiptPdfPath = (dossiernummer: string) => `${receiptPath(dossiernummer)}/ontvangstbevestiging.pdf`;
/** An employer action's page of a dossier: /mijn-dossiers/<nummer>/annuleren, …/stopzetting, …/aanvulling. */
export const actionPath = (dossiernummer: string, slug: string) => `${receiptPath(dossiernummer)}/${slug}`;

/** The pages of one CSV upload, all under /meerdere-aanvragen/<id>. */
export const uploadPath = (id: number) => `${paths.bulk}/${id}`;
export const invalidRowsCsvPath = (id: number) => `${uploadPath(id)}/fouten.csv`;
export const confirmPath = (id: number) => `${uploadPath(id)}/bevestigen`;
export const discardPath = (id: number) => `${uploadPath(id)}/verwijderen`;
export const bulkReceiptPath = (id: number) => `${uploadPath(id)}/ontvangstbevestiging`;
export const bulkReceiptPdfPath = (id: number) => `${uploadPath(id)}/ontvangstbevestiging.pdf`;
export const bulkReceiptCsvPath = (id: number) => `${uploadPath(id)}/dossiers.csv`;

/** The development IdP's SAML endpoints (auth/dev-idp). */
export const devIdpPaths = {
  metadata: `${paths.devIdp}/metadata`,
  sso: `${paths.devIdp}/sso`,
  slo: `${paths.devIdp}/slo`,
} as const;

/** The pages and actions under gebruikersbeheer (paths.admin); e-mails link to `request`. */
export const adminPaths = {
  overview: paths.admin,
  request: (id: number | string) => `${paths.admin}/aanvragen/${id}`,
  grantRequest: (id: number | string) => `${paths.admin}/aanvragen/${id}/toekennen`,
  refuseRequest: (id: number | string) => `${paths.admin}/aanvragen/${id}/weigeren`,
  newUser: `${paths.admin}/gebruikers/nieuw`,
  users: `${paths.admin}/gebruikers`,
  user: (personId: number | string) => `${paths.admin}/gebruikers/${personId}`,
  grantRight: (personId: number | string) => `${paths.admin}/gebruikers/${personId}/recht`,
  revokeRight: (rightId: number | string) => `${paths.admin}/rechten/${rightId}/intrekken`,
  auditLog: `${paths.admin}/logboek`,
} as const;
