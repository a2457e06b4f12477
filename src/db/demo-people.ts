/**
 * The demo people of development mode, shown by the development IdP (and seeded by src/db/seed.ts).
 * Their INSZ numbers are made up but pass the mod-97 check.
 */
export interface DemoPerson {
  key: string;
  insz: string;
  firstName: string;
  lastName: string;
  email: string;
  /** What this person shows in the demo, for the development IdP's list. */
  role: string;
}

export const demoPeople: readonly DemoPerson[] = [
  {
    key: 'an',
    insz: '75041212353',
    firstName: 'An',
    lastName: 'Beheerder',
    email: 'an.beheerder@demeeuw.example',
    role: 'lokale beheerder van Bouwbedrijf De Meeuw NV',
  },
  {
    key: 'jan',
    insz: '68110304512',
    firstName: 'Jan',
    lastName: 'Werkgever',
    email: 'jan.werkgever@demeeuw.example',
    role: 'werkgever met het recht DWSE organisatieverantwoordelijke',
  },
  {
    key: 'eva',
    insz: '90062117857',
    firstName: 'Eva',
    lastName: 'Werknemer',
    email: 'eva.werknemer@demeeuw.example',
    role: 'werknemer zonder gebruikersrecht',
  },
  {
    key: 'piet',
    insz: '01021426657',
    firstName: 'Piet',
    lastName: 'Zondermeer',
    email: 'piet.zondermeer@example.org',
    role: 'persoon zonder organisatie',
  },
];

/** The demo organisation: a Flemish private employer with one establishment unit in the Flemish Region. */
export const demoOrganisation = {
  kbo: '0403170701',
  name: 'Bouwbedrijf De Meeuw NV',
  street: 'Vismijnstraat 12',
  postcode: '8400',
  city: 'Oostende',
  establishmentUnits: [
    {
      number: '2147812701',
      name: 'Bouwbedrijf De Meeuw – werf Oostende',
      street: 'Vismijnstraat 12',
      postcode: '8400',
      city: 'Oostende',
    },
  ],
} as const;

/** Who is what in the demo organisation, by DemoPerson key. Piet has no organisation at all. */
export const demoMemberships: readonly { key: string; isLocalAdmin: boolean; hasVovRight: boolean }[] = [
  { key: 'an', isLocalAdmin: true, hasVovRight: false },
  { key: 'jan', isLocalAdmin: false, hasVovRight: true },
  { key: 'eva', isLocalAdmin: false, hasVovRight: false },
];
