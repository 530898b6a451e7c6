/**
 * Name normalisation for matching a request against a register record.
 *
 * Both modes: Unicode NFC, trim, whitespace runs collapsed to one space, dash variants (‐ ‑ ‒ – — −)
 * written `-` with no space around them, apostrophe variants (’ ‘ ʼ ` ´) written `'`, quotation marks
 * („ “ ” « ») written `"`, and full case folding that does not depend on the host locale (`ß` = `SS`).
 *
 * `fold-diacritics` also removes diacritics (NFD, combining marks dropped; ø, ł, đ, æ, œ, ı folded by
 * hand as they do not decompose), treats a hyphen as a space and drops apostrophes and quotation
 * marks, because foreign registers and travel documents write `Bērziņa-Kalniņa` as `BERZINA KALNINA`,
 * `O'Brien` as `OBRIEN` and SIA „Zaļā Birzs” as `SIA ZALA BIRZS`. So `Bērziņa` = `BERZINA` and `Ķēniņš` = `kenins` there, but not in `exact`.
 * It also accepts the ICAO two-letter transliteration (transliteration.ts): `Müller` = `MUELLER`
 * (and = `MULLER`), `Jürgen` = `JUERGEN`, but `Mueller` ≠ `Muller`.
 */
import { icaoTwoLetterForms } from './transliteration.js';

export type NameMatching = 'exact' | 'fold-diacritics';

const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE63\uFF0D]/g;
const APOSTROPHES = /[\u2018\u2019\u02BC\u0060\u00B4\u02B9\u2032]/g;
const QUOTES = /[\u201C\u201D\u201E\u201F\u00AB\u00BB\u2033]/g;
const UNDECOMPOSED: Readonly<Record<string, string>> = {
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  æ: 'ae',
  œ: 'oe',
  ı: 'i',
  ŧ: 't',
  ħ: 'h',
};

export function normaliseName(value: string, mode: NameMatching): string {
  let s = value.normalize('NFC').replace(DASHES, '-').replace(APOSTROPHES, "'").replace(QUOTES, '"');
  // toUpperCase/toLowerCase (not the Locale variants) are locale-independent; upper first folds ß → ss.
  s = s.toUpperCase().toLowerCase();
  if (mode === 'fold-diacritics') {
    s = s
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .replace(/[øłđðþæœıŧħ]/g, (c) => UNDECOMPOSED[c] ?? c)
      .replace(/-/g, ' ')
      .replace(/['"]/g, '')
      .normalize('NFC');
  }
  return s.replace(/\s+/gu, ' ').replace(/ ?- ?/g, '-').trim();
}

export function namesEqual(a: string, b: string, mode: NameMatching): boolean {
  const na = normaliseName(a, mode);
  if (na.length > 0 && na === normaliseName(b, mode)) return true;
  if (mode === 'exact') return false;
  // Either side may be the ICAO machine-readable form (Müller = MUELLER): compare those forms too.
  const ta = normaliseName(icaoTwoLetterForms(caseFolded(a)), mode);
  return ta.length > 0 && ta === normaliseName(icaoTwoLetterForms(caseFolded(b)), mode);
}

function caseFolded(value: string): string {
  return value.normalize('NFC').toUpperCase().toLowerCase();
}
