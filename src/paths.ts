/** Every URL path of the portal in one table, so routes, views, mails and tests agree. */
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

export type Paths = typeof paths;
