/**
 * The synthetic people of the sandbox identity provider: the same invented people as the DAGR
 * sandbox (src/sandbox/dagr-data/README.md), so a preview started for one of them can be completed
 * by logging in as them, and one person DAGR does not know.
 */

export interface SandboxPerson {
  /** Stable subject identifier at the sandbox provider (opaque, not the personal code). */
  readonly sub: string;
  readonly givenName: string;
  readonly familyName: string;
  /** xsd:date. */
  readonly birthDate: string;
  /** Latvian personal code `DDMMYY-CNNNN` (claim `personal_code`), for Latvians. */
  readonly personalCode?: string;
  /** eIDAS identifier as an eIDAS node would assert it (claim `person_identifier`). */
  readonly personIdentifier: string;
}

export const SANDBOX_PEOPLE: readonly SandboxPerson[] = [
  {
    sub: 'sandbox-anna',
    givenName: 'Anna',
    familyName: 'Bērziņa',
    birthDate: '1988-04-12',
    personalCode: '120488-14731',
    personIdentifier: 'LV/LV/12048814731',
  },
  {
    sub: 'sandbox-janis',
    givenName: 'Jānis',
    familyName: 'Kalniņš',
    birthDate: '1975-11-23',
    personalCode: '231175-10621',
    personIdentifier: 'LV/LV/23117510621',
  },
  {
    sub: 'sandbox-ilze',
    givenName: 'Ilze',
    familyName: 'Ūdre',
    birthDate: '1955-07-03',
    personalCode: '030755-11352',
    personIdentifier: 'LV/LV/03075511352',
  },
  {
    // Her eID still carries her maiden name; the register has Ozoliņa-Kalniņa (dagr-data README):
    // a login that matches a request saying Ozoliņa, whose DAGR record does not.
    sub: 'sandbox-liga',
    givenName: 'Līga',
    familyName: 'Ozoliņa',
    birthDate: '1990-03-08',
    personalCode: '080390-19275',
    personIdentifier: 'LV/LV/08039019275',
  },
  {
    // Projectathon 2023 TC06–TC09 (preview cases): a German citizen logging in through eIDAS.
    sub: 'sandbox-jonas',
    givenName: 'Jonas',
    familyName: 'Smith',
    birthDate: '1999-03-01',
    personIdentifier: 'DE/LV/123456787',
  },
  {
    // A German who lives in Latvia: found in the residence register by attributes (docs/matching.md).
    sub: 'sandbox-lukas',
    givenName: 'Lukas',
    familyName: 'Schneider',
    birthDate: '1984-09-14',
    personIdentifier: 'DE/LV/4F7A2C91D03B',
  },
  {
    // One of two namesakes (same name and date of birth): found only when the request says where he was born.
    sub: 'sandbox-thomas',
    givenName: 'Thomas',
    familyName: 'Weber',
    birthDate: '1979-03-15',
    personIdentifier: 'DE/LV/9B15E8A6C277',
  },
  {
    // Valid personal code that belongs to nobody in the DAGR sandbox.
    sub: 'sandbox-roberts',
    givenName: 'Roberts',
    familyName: 'Nezināmais',
    birthDate: '1901-01-01',
    personalCode: '010101-10014',
    personIdentifier: 'LV/LV/01010110014',
  },
];
