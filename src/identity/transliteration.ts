/**
 * ICAO Doc 9303 (part 3, section 6) transliteration of the Latin letters whose machine-readable
 * form is two letters rather than the bare letter: travel documents, and the registers that copy
 * names from them, write `Müller` as `MUELLER` and `Åsa` as `AASA`, where dropping the diacritic
 * gives `MULLER` and `ASA`. Letters that fold to one letter (é → E, ł → L) need nothing here:
 * names.ts removes their diacritics.
 */

const TWO_LETTER: Readonly<Record<string, string>> = {
  ä: 'ae',
  å: 'aa',
  ö: 'oe',
  ø: 'oe',
  ü: 'ue',
};

/** `value` (already NFC and lower case) with the ICAO two-letter forms written out. */
export function icaoTwoLetterForms(value: string): string {
  return value.replace(/[äåöøü]/g, (c) => TWO_LETTER[c] ?? c);
}
