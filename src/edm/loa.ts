/**
 * eIDAS levels of assurance (Regulation (EU) 910/2014, Art. 8), as the OOTS EDM writes them
 * (`sdg:LevelOfAssurance`, code list LevelsOfAssurance-CodeList: Low, Substantial, High) and as
 * identity providers assert them (`http://eidas.europa.eu/LoA/low|substantial|high`). Ordered
 * low < substantial < high: a level satisfies every level at or below it.
 */

export type LevelOfAssurance = 'Low' | 'Substantial' | 'High';

/** From the lowest to the highest. */
export const LEVELS_OF_ASSURANCE: readonly LevelOfAssurance[] = ['Low', 'Substantial', 'High'];

/** The eIDAS URI of each level (eIDAS SAML attribute profile, lower case as eIDAS nodes send them). */
export const EIDAS_LOA_URI: Readonly<Record<LevelOfAssurance, string>> = {
  Low: 'http://eidas.europa.eu/LoA/low',
  Substantial: 'http://eidas.europa.eu/LoA/substantial',
  High: 'http://eidas.europa.eu/LoA/high',
};

/**
 * The level a text names: the code-list word or the eIDAS URI, in any letter case; the code
 * list's own misspelt URI (`…/LoA/Substiantial`) counts too. Undefined for anything else.
 */
export function parseLevelOfAssurance(text: string | undefined): LevelOfAssurance | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  const word = t.startsWith('http://eidas.europa.eu/loa/') ? t.slice('http://eidas.europa.eu/loa/'.length) : t;
  if (word === 'low') return 'Low';
  if (word === 'substantial' || word === 'substiantial') return 'Substantial';
  if (word === 'high') return 'High';
  return undefined;
}

/** The rank of a level: 0 = Low, 1 = Substantial, 2 = High. */
export function loaRank(level: LevelOfAssurance): number {
  return LEVELS_OF_ASSURANCE.indexOf(level);
}

/** True when `level` is `minimum` or higher. */
export function meetsLevel(level: LevelOfAssurance, minimum: LevelOfAssurance): boolean {
  return loaRank(level) >= loaRank(minimum);
}

/** The levels that satisfy `minimum`, from `minimum` up. */
export function levelsFrom(minimum: LevelOfAssurance): LevelOfAssurance[] {
  return LEVELS_OF_ASSURANCE.filter((l) => meetsLevel(l, minimum));
}
