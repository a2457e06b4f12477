/**
 * The few sentences that tell the user what to do in the form ("Vink aan", "stap 2"). The rules are the same
 * everywhere; another channel (the CSV upload in src/bulk) passes its own advice through the DraftContext.
 */
export interface Wording {
  /** Appended to "U kunt deze aanvraag pas indienen vanaf …". */
  tooEarlyAdvice: string;
  /** Appended to a refusal because the start date is too long ago (not already counted from a new employer). */
  tooLateAdvice: string;
  /** Appended to an eligibility problem told at the start date. */
  eligibilityAdvice: string;
  /**
   * Where an eligibility problem is told: at the start date (the form: its step 3 has no employee fields), or at
   * the employee's own field it is about, the percentage or the hours (the CSV upload: each is a column).
   */
  eligibilityAt: 'startDate' | 'employeeField';
  agreementRequired: string;
}

export const FORM_WORDING: Wording = {
  tooEarlyAdvice: ' Bewaar de aanvraag met "Opslaan en later verdergaan" en dien ze in vanaf die datum.',
  tooLateAdvice:
    ' Een aanvraag na die datum is niet meer mogelijk, tenzij de werknemer tijdens het schooljaar bij u in dienst kwam: ' +
    'kies dan in stap 2 "Ja" en vul de datum van indiensttreding in. De termijn telt dan ook vanaf die datum.',
  eligibilityAdvice: ' Kloppen de gegevens van de werknemer niet? Pas ze aan in stap 2.',
  eligibilityAt: 'startDate',
  agreementRequired:
    'Vink aan dat de werknemer akkoord gaat met de aanvraag. Zonder dat akkoord kunt u niet aanvragen.',
};
