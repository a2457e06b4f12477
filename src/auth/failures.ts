/** Why a login was refused: stored in the audit log (never the XML, never the INSZ). */
export type LoginFailureReason =
  | 'missing_response'
  | 'malformed_response'
  | 'weak_algorithm'
  | 'response_signature_invalid'
  | 'signature_invalid'
  | 'wrong_destination'
  | 'wrong_recipient'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'unsolicited_response'
  | 'unknown_in_response_to'
  | 'other_browser'
  | 'not_yet_valid'
  | 'expired'
  | 'subject_confirmation_invalid'
  | 'missing_expiry'
  | 'replayed_assertion'
  | 'missing_attribute'
  | 'invalid_insz'
  | 'multiple_values'
  | 'idp_cancelled'
  | 'idp_denied'
  | 'idp_no_passive'
  | 'idp_error'
  | 'invalid_response';

export class LoginFailure extends Error {
  constructor(
    readonly reason: LoginFailureReason,
    /** The IdP's second-level status code (e.g. AuthnFailed), only for IdP errors. */
    readonly idpStatus?: string,
  ) {
    super(`login refused: ${reason}`);
    this.name = 'LoginFailure';
  }
}

const NODE_SAML_MESSAGES: [RegExp, LoginFailureReason][] = [
  [/InResponseTo is missing/, 'unsolicited_response'],
  [/InResponseTo/, 'unknown_in_response_to'],
  [/not yet valid/, 'not_yet_valid'],
  [/expired/, 'expired'],
  [/No valid subject confirmation/, 'subject_confirmation_invalid'],
  [/audience|AudienceRestriction/i, 'wrong_audience'],
  [/signature|signed|Referenced node|ID cannot refer|multiple assertions|transforms/i, 'signature_invalid'],
  [/Missing SAML assertion/, 'invalid_response'],
];

const STATUS_PREFIX = 'urn:oasis:names:tc:SAML:2.0:status:';

/** A response whose Status is not Success, from its top-level and second-level status codes. */
export function statusFailure(code: string | null, subCode: string | null): LoginFailure {
  const status = (subCode ?? code ?? 'unknown').replace(STATUS_PREFIX, '');
  const reasons: Record<string, LoginFailureReason> = {
    AuthnFailed: 'idp_cancelled',
    RequestDenied: 'idp_denied',
    NoPassive: 'idp_no_passive',
  };
  return new LoginFailure(reasons[status] ?? 'idp_error', status.slice(0, 60));
}

/** Turns whatever the SAML stack threw into a LoginFailure with a reason we can log and explain. */
export function toLoginFailure(err: unknown): LoginFailure {
  if (err instanceof LoginFailure) return err;
  const message = err instanceof Error ? err.message : String(err);
  const reason = NODE_SAML_MESSAGES.find(([pattern]) => pattern.test(message))?.[1] ?? 'invalid_response';
  return new LoginFailure(reason);
}

/** The explanation on the failure page, in plain Dutch; the IdP's own refusals get their own words. */
export function failureMessage(failure: LoginFailure): { title: string; text: string } {
  switch (failure.reason) {
    case 'idp_cancelled':
      return {
        title: 'U hebt het aanmelden afgebroken',
        text: 'U bent niet aangemeld: het aanmelden met uw digitale sleutel werd afgebroken of is niet gelukt. U kunt het opnieuw proberen, eventueel met een andere digitale sleutel.',
      };
    case 'idp_denied':
      return {
        title: 'De aanmeldingsdienst weigerde het aanmelden',
        text: 'De aanmeldingsdienst van de overheid heeft het aanmelden geweigerd. Probeer het opnieuw of kies een andere digitale sleutel.',
      };
    case 'idp_no_passive':
    case 'idp_error':
      return {
        title: 'De aanmeldingsdienst meldt een fout',
        text: 'De aanmeldingsdienst van de overheid kon u niet aanmelden. Probeer het over enkele minuten opnieuw.',
      };
    case 'invalid_insz':
    case 'missing_attribute':
    case 'multiple_values':
      return {
        title: 'Uw gegevens konden niet gelezen worden',
        text: 'De aanmeldingsdienst gaf geen geldig rijksregisternummer of naam door. Probeer het opnieuw; lukt het niet, neem dan contact op met de infolijn 1700.',
      };
    case 'unknown_in_response_to':
    case 'unsolicited_response':
    case 'expired':
    case 'subject_confirmation_invalid':
    case 'replayed_assertion':
      return {
        title: 'Uw aanmelding is verlopen of werd al gebruikt',
        text: 'Deze aanmelding is niet (meer) geldig, bijvoorbeeld omdat ze te lang duurde of omdat u de pagina opnieuw liet laden. Meld u opnieuw aan.',
      };
    case 'other_browser':
      return {
        title: 'Deze aanmelding begon niet in deze browser',
        text:
          'U bent niet aangemeld: het antwoord van de aanmeldingsdienst hoort bij een aanmelding die in een andere ' +
          'browser of op een andere website begon. Meld u opnieuw aan via het WSE-loket.',
      };
    default:
      return {
        title: 'Het antwoord van de aanmeldingsdienst klopt niet',
        text: 'Het antwoord van de aanmeldingsdienst kon niet gecontroleerd worden. Uit voorzorg bent u niet aangemeld. Meld u opnieuw aan.',
      };
  }
}

/** HTTP status of the failure page: 403 when the IdP refused, 401 for everything else. */
export function failureStatus(failure: LoginFailure): number {
  return failure.reason === 'idp_denied' ? 403 : 401;
}
