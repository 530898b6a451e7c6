/**
 * Levels of assurance of the preview login: which OpenID `acr` values stand for which eIDAS level.
 * The login asks for a level with `acr_values` and reads the `acr` claim of the ID token back.
 *
 * The table (OIDC_ACR_VALUES) is written as space-separated `level=acr` pairs, e.g.
 * `substantial=urn:example:loa:2 high=urn:example:loa:3`. A level may have several acr values: the
 * first is the one asked for, the others are accepted too. Whatever the table says, the eIDAS URIs
 * and the plain words (`low`, `substantial`, `high`) are understood, so a broker that passes the
 * eIDAS node's level through needs no table at all. Pure: parsing and lookups only.
 */
import {
  EIDAS_LOA_URI,
  levelsFrom,
  parseLevelOfAssurance,
  type LevelOfAssurance,
} from '../edm/loa.js';

export interface AcrTable {
  /** Per level, its acr values; the first is sent in `acr_values`. */
  readonly byLevel: Readonly<Record<LevelOfAssurance, readonly string[]>>;
}

/** The eIDAS URIs only: the default of OIDC_ACR_VALUES. */
export const EIDAS_ACR_TABLE: AcrTable = {
  byLevel: { Low: [EIDAS_LOA_URI.Low], Substantial: [EIDAS_LOA_URI.Substantial], High: [EIDAS_LOA_URI.High] },
};

export class AcrTableError extends Error {
  override readonly name = 'AcrTableError';
}

/** Parses OIDC_ACR_VALUES; an empty text is the eIDAS table. Throws AcrTableError on a bad pair. */
export function parseAcrTable(text: string): AcrTable {
  const pairs = text.trim() === '' ? [] : text.trim().split(/\s+/);
  if (pairs.length === 0) return EIDAS_ACR_TABLE;
  const byLevel: Record<LevelOfAssurance, string[]> = { Low: [], Substantial: [], High: [] };
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const level = at > 0 ? parseLevelOfAssurance(pair.slice(0, at)) : undefined;
    const acr = at > 0 ? pair.slice(at + 1) : '';
    if (level === undefined || acr === '')
      throw new AcrTableError(`"${pair}" is not a level=acr pair (level: low, substantial or high)`);
    byLevel[level].push(acr);
  }
  // A level the table leaves out is asked for by its eIDAS URI.
  for (const level of Object.keys(byLevel) as LevelOfAssurance[])
    if (byLevel[level].length === 0) byLevel[level].push(EIDAS_LOA_URI[level]);
  return { byLevel };
}

/**
 * The level an `acr` claim asserts: the table first (exact match), then the eIDAS URIs and plain
 * words. Undefined when the claim is missing or unknown: such a login satisfies no level.
 */
export function levelOfAcr(acr: string | undefined, table: AcrTable): LevelOfAssurance | undefined {
  if (acr === undefined || acr.trim() === '') return undefined;
  const value = acr.trim();
  // The highest level wins if a broker's table names one value twice.
  for (const level of ['High', 'Substantial', 'Low'] as const)
    if (table.byLevel[level].includes(value)) return level;
  return parseLevelOfAssurance(value);
}

/**
 * The `acr_values` of a login that needs at least `minimum`: the acr of each level that satisfies
 * it, the minimum first (OpenID Connect Core 3.1.2.1: space-separated, in order of preference).
 */
export function acrValuesFor(minimum: LevelOfAssurance, table: AcrTable): string {
  return levelsFrom(minimum)
    .map((l) => table.byLevel[l][0]!)
    .join(' ');
}
