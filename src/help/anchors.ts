import type nunjucks from 'nunjucks';
import { paths } from '../paths.js';

/*
 * The section anchors (element ids) of the help pages, all in this one module (see helpPageAnchors). Other pages
 * link to a section with `helpLink('stepWerknemer')` (or adminHelpLink / faqLink / contactLink); the help views
 * print the same ids, so a renamed section cannot leave a dangling link. The ids are part of public URLs (mails
 * carry them too): change a value only deliberately.
 */

/** Hulp bij aanmelden en aanvragen (paths.help). */
export const helpAnchors = {
  overview: 'overzicht',
  login: 'aanmelden',
  digitalKey: 'digitale-sleutel',
  chooseOrganisation: 'organisatie-kiezen',
  ownNameOnly: 'eigen-naam',
  aanvraagButton: 'aanvraag',
  rightRequest: 'gebruikersrecht',
  afterRightRequest: 'na-uw-aanvraag',
  missingRight: 'geen-recht',
  form: 'formulier',
  stepWerkgever: 'stap-werkgever',
  stepWerknemer: 'stap-werknemer',
  stepOpleiding: 'stap-opleiding',
  stepInitiatief: 'stap-initiatief',
  stepBijlagen: 'stap-bijlagen',
  stepOverzicht: 'stap-overzicht',
  drafts: 'ontwerpen',
  bulk: 'meerdere-aanvragen',
  receipt: 'ontvangstbevestiging',
  dossiers: 'mijn-dossiers',
  sessionExpired: 'sessie-verlopen',
  formTrouble: 'problemen-met-het-formulier',
} as const;

/** Hulp voor lokale beheerders (paths.helpAdmin). */
export const adminHelpAnchors = {
  whoIsAdmin: 'wie-is-lokale-beheerder',
  openUserManagement: 'gebruikersbeheer-openen',
  addUser: 'gebruiker-toevoegen',
  grantRight: 'recht-toekennen',
  pendingRequests: 'aanvragen-behandelen',
  refuseRequest: 'aanvraag-weigeren',
  endDate: 'einddatum',
  revokeRight: 'recht-intrekken',
  auditLog: 'logboek',
  adminMail: 'e-mails',
} as const;

/** Veelgestelde vragen (paths.faq). */
export const faqAnchors = {
  eligibleEmployer: 'welke-werkgever',
  eligibleEmployee: 'welke-werknemer',
  trainings: 'welke-opleidingen',
  deadline: 'termijn',
  personalMaximum: 'maximum-uren',
  sharedInitiative: 'gemeenschappelijk-initiatiefrecht',
  hoursPerType: 'uren-per-opleiding',
  amount: 'bedrag-per-uur',
  receipt: 'ontvangstbevestiging',
  afterSubmission: 'na-het-indienen',
  bulk: 'veel-aanvragen-tegelijk',
} as const;

/** Contact (paths.contact). */
export const contactAnchors = {
  phone: 'infolijn-1700',
  email: 'e-mail',
  reference: 'referentie',
} as const;

/** Every help page with its anchors, keyed like `paths`: the one table the links and the tests read. */
export const helpPageAnchors = {
  help: helpAnchors,
  helpAdmin: adminHelpAnchors,
  faq: faqAnchors,
  contact: contactAnchors,
} as const;

export type HelpPage = keyof typeof helpPageAnchors;
export type HelpAnchorKey = keyof typeof helpAnchors;

function linker<P extends HelpPage>(page: P) {
  const anchors: Record<string, string> = helpPageAnchors[page];
  return (key: keyof (typeof helpPageAnchors)[P]): string => {
    const id = Object.hasOwn(anchors, key as string) ? anchors[key as string] : undefined;
    // Loud on purpose: a typo in a template becomes a 500 that the link-crawl test catches, not a dead link.
    if (!id) throw new Error(`unknown ${page} anchor: ${String(key)}`);
    return `${paths[page]}#${id}`;
  };
}

/** '/hulp#…' for a section of "Hulp bij aanmelden en aanvragen". */
export const helpLink = linker('help');
/** '/hulp/lokale-beheerders#…' for a section of "Hulp voor lokale beheerders". */
export const adminHelpLink = linker('helpAdmin');
/** '/veelgestelde-vragen#…' for a question of "Veelgestelde vragen". */
export const faqLink = linker('faq');
/** '/contact#…' for a section of "Contact". */
export const contactLink = linker('contact');

/** Makes the links and the table available to every view: `{{ helpLink('stepWerknemer') }}`. */
export function registerHelpGlobals(env: nunjucks.Environment): void {
  env.addGlobal('helpAnchors', helpAnchors);
  env.addGlobal('adminHelpAnchors', adminHelpAnchors);
  env.addGlobal('faqAnchors', faqAnchors);
  env.addGlobal('contactAnchors', contactAnchors);
  env.addGlobal('helpLink', helpLink);
  env.addGlobal('adminHelpLink', adminHelpLink);
  env.addGlobal('faqLink', faqLink);
  env.addGlobal('contactLink', contactLink);
}
