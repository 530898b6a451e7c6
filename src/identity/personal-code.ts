/**
 * Latvian personal code (personas kods), dagr-notes A4.
 *
 * - Legacy codes (issued until 30 June 2017): `DDMMYY-CNNNX`, birth date in the first six digits,
 *   century in the seventh (0 = 1800s, 1 = 1900s, 2 = 2000s), check digit X.
 * - New codes (from 1 July 2017): `3[2-9]XXXX-XXXXX`, random digits, no birth date, no check digit.
 *
 * Old and new codes of the same person are different keys; nothing here converts between them.
 */

/** Check-digit weights over the first ten digits (java-personal-code; python-stdnum is equivalent). */
const WEIGHTS = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;

export type PersonalCode =
  | {
      readonly ok: true;
      readonly format: 'legacy';
      /** 11 digits, no hyphen (the form DAGR datasets are keyed by). */
      readonly code: string;
      /** `DDMMYY-CNNNN`. */
      readonly display: string;
      /** xsd:date. */
      readonly birthDate: string;
    }
  | {
      readonly ok: true;
      readonly format: 'new';
      readonly code: string;
      readonly display: string;
      readonly birthDate: undefined;
    };

export type PersonalCodeFailure = {
  readonly ok: false;
  /**
   * - `malformed`: not 11 digits (with an optional hyphen after the sixth),
   * - `invalid-date`: a legacy code whose date or century digit is impossible,
   * - `checksum`: a legacy code whose check digit does not match.
   */
  readonly reason: 'malformed' | 'invalid-date' | 'checksum';
  readonly detail: string;
};

/**
 * Accepts `DDMMYY-CNNNN` or 11 digits (surrounding whitespace ignored); returns the 11 digits, or
 * undefined when the text has another shape.
 */
export function normalisePersonalCode(input: string): string | undefined {
  const m = /^(\d{6})-?(\d{5})$/.exec(input.trim());
  return m ? `${m[1]}${m[2]}` : undefined;
}

/** The legacy check digit for the first ten digits. */
export function legacyCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(first10[i]) * WEIGHTS[i]!;
  return ((((1101 - sum) % 11) + 11) % 11) % 10;
}

/** New-format codes: first digit 3, second 2–9 (no legacy code starts so: day 32–39 does not exist). */
export function isNewFormat(code11: string): boolean {
  return /^3[2-9]\d{9}$/.test(code11);
}

export function parsePersonalCode(input: string): PersonalCode | PersonalCodeFailure {
  const code = normalisePersonalCode(input);
  if (code === undefined)
    return { ok: false, reason: 'malformed', detail: 'expected 11 digits, optionally written DDMMYY-CNNNN' };
  const display = `${code.slice(0, 6)}-${code.slice(6)}`;
  if (isNewFormat(code)) return { ok: true, format: 'new', code, display, birthDate: undefined };

  const birthDate = legacyBirthDate(code);
  if (birthDate === undefined)
    return {
      ok: false,
      reason: 'invalid-date',
      detail: 'the first seven digits are not a date with a century digit 0, 1 or 2',
    };
  const expected = legacyCheckDigit(code);
  if (expected !== Number(code[10]))
    return { ok: false, reason: 'checksum', detail: `the check digit does not match (expected ${expected})` };
  return { ok: true, format: 'legacy', code, display, birthDate };
}

/** Convenience: true for a valid legacy or new-format code. */
export function isValidPersonalCode(input: string): boolean {
  return parsePersonalCode(input).ok;
}

function legacyBirthDate(code: string): string | undefined {
  const day = Number(code.slice(0, 2));
  const month = Number(code.slice(2, 4));
  const yy = Number(code.slice(4, 6));
  const century = Number(code[6]);
  if (century > 2) return undefined;
  const year = 1800 + century * 100 + yy;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${String(year)}-${pad2(month)}-${pad2(day)}`;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
