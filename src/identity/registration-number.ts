/**
 * Latvian registration number (reģistrācijas numurs) of legal persons, dagr-notes A4: 11 digits,
 * `Σ dᵢ·wᵢ mod 11 == 3` with w = [9,1,4,8,3,10,2,5,7,6,1]. Companies usually start with 4 or 5,
 * state and municipal institutions with 9. The checksum for 9-numbers is not confirmed by UR (jsvat
 * has a special case for them), so a failure there is a warning, not a rejection.
 */

const WEIGHTS = [9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1] as const;

export type RegistrationNumber = {
  readonly ok: true;
  /** 11 digits. */
  readonly number: string;
  /** `checksum-unconfirmed`: a 9-number whose checksum fails; accepted, worth a log line. */
  readonly warnings: readonly 'checksum-unconfirmed'[];
};

export type RegistrationNumberFailure = {
  readonly ok: false;
  readonly reason: 'malformed' | 'checksum';
  readonly detail: string;
};

/** Strips whitespace and an optional `LV` prefix (VAT form `LV40003521600`); undefined if not 11 digits. */
export function normaliseRegistrationNumber(input: string): string | undefined {
  const m = /^(?:LV)?(\d{11})$/i.exec(input.replace(/\s+/g, ''));
  return m ? m[1] : undefined;
}

export function registrationChecksumOk(number11: string): boolean {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum += Number(number11[i]) * WEIGHTS[i]!;
  return sum % 11 === 3;
}

export function parseRegistrationNumber(input: string): RegistrationNumber | RegistrationNumberFailure {
  const number = normaliseRegistrationNumber(input);
  if (number === undefined) return { ok: false, reason: 'malformed', detail: 'expected 11 digits' };
  if (registrationChecksumOk(number)) return { ok: true, number, warnings: [] };
  if (number.startsWith('9')) return { ok: true, number, warnings: ['checksum-unconfirmed'] };
  return { ok: false, reason: 'checksum', detail: 'the checksum of the registration number does not match' };
}
