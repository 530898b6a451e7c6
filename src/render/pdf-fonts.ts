/**
 * The fontkit pdf-lib is given: each font parsed once and prepared so that documents cost as
 * little as possible, with output byte-for-byte what plain fontkit would give.
 *
 * - Parsed once per bytes object (parsing cost more than the rest of a render) and warmed up:
 *   fontkit caches glyph objects with the code points of their first request, and the subsetter
 *   requests the parts of composite glyphs (Z in Ž, K in Ķ) with none; a later document drawing a
 *   plain Z would then get a glyph with no Unicode mapping and lose it from its text layer.
 *   Creating every mapped glyph from the cmap first, lowest code point first, then every other
 *   glyph, makes the cache's state independent of what was rendered before.
 * - No shaping (`NO_SHAPING`, passed by the renderer to pdf-lib): GSUB/GPOS buy nothing for
 *   Latvian and English in DejaVu (precomposed letters; text is NFC-normalised), and without
 *   kerning widths differ by about 0.1 %.
 * - pdf-lib lays out every string twice (width, then drawing), and fontkit's layout runs its whole
 *   shaping pipeline even with every feature off. For text made only of `SIMPLE_TEXT` characters
 *   (Latin, incl. every Latvian letter) that pipeline maps each character to its cmap glyph and
 *   nothing else, so `layout` returns exactly that directly; other text takes fontkit's layout.
 *   A test compares the two for every simple character and every pair of common ones.
 * - The subsetter decodes a glyph's outline each time a document uses it, only to learn whether it
 *   is composite; the decoded outline of a static font never changes, so it is decoded once.
 */
import fontkit from '@cantoo/fontkit';
import type { PDFDocument } from '@cantoo/pdf-lib';

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
type FontkitFont = Extract<Awaited<ReturnType<Fontkit['create']>>, { characterSet: number[] }>;
type Glyph = ReturnType<FontkitFont['glyphForCodePoint']>;

/** The default OpenType features, all off (see the module comment). */
export const NO_SHAPING: Readonly<Record<string, boolean>> = Object.fromEntries(
  ['ccmp', 'locl', 'rlig', 'mark', 'mkmk', 'calt', 'clig', 'liga', 'rclt', 'curs', 'kern', 'rvrn'].map((f) => [
    f,
    false,
  ]),
);

/**
 * Strings fontkit lays out as one cmap glyph per character once shaping is off: printable Basic
 * Latin, Latin-1, Latin Extended-A and -B, minus the soft hyphen (default-ignorable: fontkit
 * replaces it with a zero-width space).
 */
export const SIMPLE_TEXT = /^[\u0020-\u007E\u00A0-\u00AC\u00AE-\u024F]*$/;

/** The parts of fontkit's internals this module relies on; where one is missing, `prepare` leaves fontkit's own behaviour. */
interface FontInternals {
  getGlyph(id: number): Glyph & { _decode?: () => unknown };
  numGlyphs: number;
  _variationProcessor?: unknown;
  layout: (text: string, ...rest: unknown[]) => { glyphs: Glyph[] };
  glyphsForString(text: string): Glyph[];
}

const prepared = new WeakMap<Uint8Array, FontkitFont>();

export const pdfFontkit: Fontkit = {
  create(buffer: Uint8Array) {
    let font = prepared.get(buffer);
    if (font === undefined) {
      font = prepare(fontkit.create(buffer) as FontkitFont);
      prepared.set(buffer, font);
    }
    return font;
  },
};

function prepare(font: FontkitFont): FontkitFont {
  const inner = font as unknown as FontInternals;
  for (const codePoint of [...font.characterSet].sort((a, b) => a - b)) font.glyphForCodePoint(codePoint);
  const staticOutlines = inner._variationProcessor === undefined || inner._variationProcessor === null;
  const glyphCount = typeof inner.numGlyphs === 'number' ? inner.numGlyphs : 0;
  for (let id = 0; id < glyphCount; id++) {
    const glyph = inner.getGlyph(id);
    const decode = glyph._decode;
    if (staticOutlines && typeof decode === 'function') {
      let decoded: { value: unknown } | undefined;
      glyph._decode = function (this: unknown) {
        decoded ??= { value: decode.call(this) };
        return decoded.value;
      };
    }
  }
  if (typeof inner.layout !== 'function' || typeof inner.glyphsForString !== 'function') return font;
  const shaped = inner.layout.bind(font);
  inner.layout = (text: string, ...rest: unknown[]) =>
    typeof text === 'string' && SIMPLE_TEXT.test(text)
      ? { glyphs: inner.glyphsForString(text) }
      : shaped(text, ...rest);
  return font;
}
