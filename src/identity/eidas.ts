/**
 * eIDAS person identifiers `XX/YY/ZZZ` (eIDAS SAML attribute profile): issuing country, destination
 * country, national part. Latvia issues `LV/<dest>/<personal code or registration number>`.
 */

export type EidasIdentifier = {
  readonly ok: true;
  /** ISO 3166-1 alpha-2 (Greece `EL`), upper case. */
  readonly issuingCountry: string;
  readonly destinationCountry: string;
  /** The national part as written (may itself contain `/`). */
  readonly national: string;
};

export type EidasFailure = { readonly ok: false; readonly reason: 'malformed'; readonly detail: string };

export function parseEidasIdentifier(value: string): EidasIdentifier | EidasFailure {
  const m = /^([A-Za-z]{2})\/([A-Za-z]{2})\/(\S(?:.*\S)?)$/s.exec(value.trim());
  if (!m) return { ok: false, reason: 'malformed', detail: 'expected XX/YY/national-identifier' };
  return { ok: true, issuingCountry: m[1]!.toUpperCase(), destinationCountry: m[2]!.toUpperCase(), national: m[3]! };
}
