import { NO_SHAPING, pdfFontkit, SIMPLE_TEXT } from '../../../src/render/pdf-fonts.js';
import { readPdfAssets } from '../../../src/resources/fonts.js';
import { LATVIAN_LETTERS } from './fixtures.js';

const assets = readPdfAssets();
type Font = Extract<Awaited<ReturnType<typeof pdfFontkit.create>>, { characterSet: number[] }>;
type Layout = (this: unknown, text: string, features: unknown) => { glyphs: ({ id: number } | null)[] };
const fonts = Object.entries(assets).map(([name, bytes]) => [name, pdfFontkit.create(bytes) as Font] as const);

/** What `layout` returns for `text` now (the fast path where it applies). */
const layoutGlyphIds = (font: Font, text: string): number[] =>
  (font as unknown as { layout: Layout }).layout(text, NO_SHAPING).glyphs.map((g) => g?.id ?? -1);
/** fontkit's own layout of `text` (the prototype's method, bypassing the fast path). */
const shapedGlyphIds = (font: Font, text: string): number[] =>
  (Object.getPrototypeOf(font) as { layout: Layout }).layout
    .call(font, text, NO_SHAPING)
    .glyphs.map((g) => g?.id ?? -1);

const simple: string[] = [];
for (let cp = 0; cp <= 0x2ff; cp++) {
  const c = String.fromCodePoint(cp);
  if (SIMPLE_TEXT.test(c)) simple.push(c);
}

describe.each(fonts)('%s: the fast layout is fontkit layout without shaping', (_name, font) => {
  test('one font object per bytes object', () => {
    expect(pdfFontkit.create(assets.regular)).toBe(pdfFontkit.create(assets.regular));
  });

  test('outlines are decoded once per glyph (static font)', () => {
    const glyphs = font as unknown as { numGlyphs: number; getGlyph(id: number): { _decode(): unknown } };
    expect(glyphs.numGlyphs).toBeGreaterThan(1000);
    const z = font.glyphForCodePoint('Ž'.codePointAt(0)!) as unknown as { id: number };
    for (const id of [z.id, glyphs.numGlyphs - 1]) {
      const first = glyphs.getGlyph(id)._decode();
      expect(first).not.toBeNull();
      expect(glyphs.getGlyph(id)._decode()).toBe(first);
    }
  });

  test('every simple character on its own', () => {
    expect(simple.length).toBeGreaterThan(500);
    for (const c of simple) expect([c, layoutGlyphIds(font, c)]).toEqual([c, shapedGlyphIds(font, c)]);
  });

  test('every pair of common characters (contextual substitutions would show here)', () => {
    const common = [...new Set(`${LATVIAN_LETTERS}abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-–/()&'"ÄÖÜßéèàç`)];
    for (const a of common)
      for (const b of common) {
        const pair = a + b;
        if (!SIMPLE_TEXT.test(pair)) continue;
        expect([pair, layoutGlyphIds(font, pair)]).toEqual([pair, shapedGlyphIds(font, pair)]);
      }
  });

  test('other text still goes through fontkit layout (soft hyphen, zero-width space, Cyrillic, astral)', () => {
    for (const text of ['a\u00ADb', 'a\u200Bb', 'Ёжик', 'x🇱🇻y𝄞', 'e\u0301']) {
      expect(SIMPLE_TEXT.test(text)).toBe(false);
      expect(layoutGlyphIds(font, text)).toEqual(shapedGlyphIds(font, text));
    }
    // The soft hyphen is the reason it is excluded: fontkit hides it as a space glyph.
    expect(layoutGlyphIds(font, '\u00AD')).toEqual(layoutGlyphIds(font, ' '));
  });
});
