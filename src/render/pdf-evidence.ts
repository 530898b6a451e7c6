/**
 * PDF evidence: an A4 document a person can read and a machine can search, in Latvian and English.
 *
 * Layout, top to bottom: the title in both languages; a header table (issuing authority, subject,
 * date of issue, validity, the DAGR record's timestamp); then the mapping's sections, each a
 * bilingual heading over two columns (bilingual label | value). Long labels and values wrap, a
 * value longer than a page continues on the next one, and every page carries a footer saying the
 * data comes from DAGR, with `page / pages`.
 *
 * Text is set in DejaVu Sans (regular and bold; prepared once in ./pdf-fonts.ts), embedded as a
 * subset with a ToUnicode map, so every Latvian letter renders and `pdftotext` gets the text back.
 * The document is made PDF/A-2B shaped: XMP metadata mirroring the Info dictionary, an sRGB output
 * intent, embedded fonts only, no transparency, a file identifier. The tests check those parts; no PDF/A validator (veraPDF) runs
 * here, so conformance is claimed by the metadata, not proven.
 *
 * Deterministic: the same input gives the same bytes. Dates and the file identifier come from the
 * input (no clock, no randomness); the font subsets get fixed tags instead of pdf-lib's random ones.
 */
import { PDFDocument, PDFHexString, rgb } from '@cantoo/pdf-lib';
import type { PDFFont, PDFPage } from '@cantoo/pdf-lib';
import { createHash } from 'node:crypto';

import type { RenderInput } from './port.js';
import type { Bilingual, PdfDistribution } from '../mapping/model.js';
import { RenderError } from './errors.js';
import { NO_SHAPING, pdfFontkit } from './pdf-fonts.js';
import { displayText, formatDate, isAbsent, readField, recordTimestamp } from './record-path.js';
import type { Language } from './record-path.js';

/** The fonts the PDF is set in (TrueType bytes; read by src/resources/fonts.ts). */
export interface PdfAssets {
  readonly regular: Uint8Array;
  readonly bold: Uint8Array;
}

export interface PdfRenderOptions {
  /** Creation and modification date of the document (default: `input.renderedAt`, else the issue date at 00:00 UTC). */
  readonly createdAt?: Date;
  /** The 16-byte file identifier (`/ID`; default: a digest of the input). */
  readonly documentId?: Uint8Array;
  /** Written as Producer and Creator (default `oots-dagr-adapter`). */
  readonly producer?: string;
  /** Make the document PDF/A-2B shaped (default true). */
  readonly pdfa?: boolean;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56.7; // 20 mm
const FOOTER_HEIGHT = 34;
const LABEL_WIDTH = 190;
const COLUMN_GAP = 12;
const LABEL_SIZE = 8.5;
const VALUE_SIZE = 10;
const LINE = 13;
const ROW_GAP = 4;
const GREY = rgb(0.36, 0.36, 0.36);
const BLACK = rgb(0, 0, 0);
const RULE = rgb(0.6, 0.6, 0.6);

/** Fixed texts of the document, in both languages. */
const TEXT = {
  authority: { lv: 'Izdevējs', en: 'Issuing authority' },
  authorityId: { lv: 'Izdevēja identifikators', en: 'Authority identifier' },
  subject: { lv: 'Persona', en: 'Subject' },
  identifier: { lv: 'Identifikators', en: 'Identifier' },
  issued: { lv: 'Izdošanas datums', en: 'Date of issue' },
  validUntil: { lv: 'Derīgs līdz', en: 'Valid until' },
  dataAsOf: { lv: 'Datu stāvoklis DAGR', en: 'Data as of (DAGR)' },
  source: {
    lv: 'Dati iegūti no Datu izplatīšanas un pārvaldības platformas (DAGR).',
    en: "Data obtained from Latvia's Data Distribution and Management Platform (DAGR).",
  },
  page: { lv: 'Lapa', en: 'Page' },
  testBanner: {
    lv: 'TESTA DOKUMENTS: sistēmas pārbaude (procedūra 00). Tas nav īsts apliecinājums.',
    en: 'TEST DOCUMENT: system check (procedure 00). This is not a real evidence.',
  },
  testSource: {
    lv: 'Dati ir izdomāti sistēmas pārbaudei: tie nav iegūti no DAGR un neattiecas ne uz vienu personu.',
    en: 'The data is invented for a system check: it was not obtained from DAGR and concerns no one.',
  },
} as const satisfies Record<string, Bilingual>;

/** The fixed texts, for the test that holds the Latvian wording to the official terms. */
export const PDF_FIXED_TEXT: Readonly<Record<string, Bilingual>> = TEXT;

export async function renderPdfEvidence(
  input: RenderInput,
  assets: PdfAssets,
  options: PdfRenderOptions = {},
): Promise<Uint8Array> {
  const distribution = input.distribution;
  if (distribution.format !== 'application/pdf')
    throw new RenderError(
      'ERR_RENDER_UNSUPPORTED_FORMAT',
      `renderPdfEvidence got a ${distribution.format} distribution`,
    );
  const rows = sectionRows(input, distribution);

  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(pdfFontkit);
  const regular = await doc.embedFont(assets.regular, {
    subset: true,
    customName: 'DJVAAA+DejaVuSans',
    features: NO_SHAPING,
  });
  const bold = await doc.embedFont(assets.bold, {
    subset: true,
    customName: 'DJVAAB+DejaVuSans-Bold',
    features: NO_SHAPING,
  });

  const languages = input.languages.length > 0 ? input.languages : (['lv', 'en'] as const);
  const layout = new Layout(doc, regular, bold, languages, input.testDocument === true);
  const { mapping } = input;
  const title = input.testDocument === true ? testTitle(mapping.title) : mapping.title;

  layout.title(title);
  layout.rows(headerRows(input, languages));
  for (const section of rows) {
    layout.sectionTitle(section.title);
    layout.rows(section.rows);
  }
  layout.footers();

  const createdAt = options.createdAt ?? defaultDate(input);
  const producer = options.producer ?? 'oots-dagr-adapter';
  doc.setTitle(languages.map((l) => title[l]).join(' / '), { showInWindowTitleBar: true });
  doc.setAuthor(mapping.issuingAuthority.name[languages[0] ?? 'lv']);
  doc.setSubject(`${title.en} (${mapping.id} ${mapping.version})`);
  doc.setKeywords(
    input.testDocument === true
      ? ['OOTS', 'TEST', 'system check', 'procedure 00', ...mapping.evidenceTypes]
      : ['OOTS', 'DAGR', ...mapping.evidenceTypes],
  );
  doc.setProducer(producer);
  doc.setCreator(producer);
  doc.setLanguage(languages[0] === 'en' ? 'en' : 'lv');
  doc.setCreationDate(createdAt);
  doc.setModificationDate(createdAt);

  const id = PDFHexString.fromBytes(options.documentId ?? documentDigest(input));
  doc.context.trailerInfo.ID = doc.context.obj([id, id]);
  if (options.pdfa !== false) doc.convertToPDFA({ conformance: '2B' });

  return doc.save({ useObjectStreams: false });
}

/** The title of a test document: `TESTS` / `TEST` before the evidence type's own. */
function testTitle(title: Bilingual): Bilingual {
  return { lv: `TESTS: ${title.lv}`, en: `TEST: ${title.en}` };
}

interface Row {
  readonly label: string;
  readonly value: string;
}

function bilingual(text: Bilingual, languages: readonly Language[]): string {
  const parts = languages.map((l) => text[l]);
  return parts.every((p) => p === parts[0]) ? (parts[0] ?? '') : parts.join(' / ');
}

function headerRows(input: RenderInput, languages: readonly Language[]): Row[] {
  const { mapping } = input;
  const primary = languages[0] ?? 'lv';
  const rows: Row[] = [
    { label: bilingual(TEXT.authority, languages), value: bilingual(mapping.issuingAuthority.name, languages) },
    { label: bilingual(TEXT.authorityId, languages), value: mapping.issuingAuthority.id },
    { label: bilingual(TEXT.subject, languages), value: input.subjectLabel.name },
  ];
  if (input.subjectLabel.identifier !== undefined && input.subjectLabel.identifier !== '')
    rows.push({ label: bilingual(TEXT.identifier, languages), value: input.subjectLabel.identifier });
  rows.push({
    label: bilingual(TEXT.issued, languages),
    value: formatDate(input.issuingDate, primary) ?? input.issuingDate,
  });
  // A test document is valid for nothing and has no DAGR state to date.
  if (input.testDocument === true) return rows;
  if (mapping.validityDays !== undefined) {
    const until = addDays(input.issuingDate, mapping.validityDays);
    if (until !== undefined)
      rows.push({ label: bilingual(TEXT.validUntil, languages), value: formatDate(until, primary) ?? until });
  }
  const stamp = recordTimestamp(input);
  rows.push({ label: bilingual(TEXT.dataAsOf, languages), value: formatDate(stamp, primary) ?? stamp });
  return rows;
}

function sectionRows(input: RenderInput, distribution: PdfDistribution): { title: string; rows: Row[] }[] {
  const languages = input.languages.length > 0 ? input.languages : (['lv', 'en'] as const);
  return distribution.pdf.sections.map((section) => ({
    title: bilingual(section.title, languages),
    rows: section.fields.flatMap((field): Row[] => {
      const value = readField(input, field.from);
      if (isAbsent(value)) {
        if (field.optional === true) return [];
        throw new RenderError(
          'ERR_RENDER_FIELD_MISSING',
          `mapping ${input.mapping.id}: the record has no value for "${field.from}" (PDF field "${field.label.en}")`,
          { field: field.from },
        );
      }
      return [{ label: bilingual(field.label, languages), value: displayText(value, languages) }];
    }),
  }));
}

/** Draws top to bottom, opening pages as it goes. */
class Layout {
  private page: PDFPage;
  private y: number;
  private readonly pages: PDFPage[] = [];
  private readonly contentWidth = A4[0] - 2 * MARGIN;
  private readonly valueX = MARGIN + LABEL_WIDTH + COLUMN_GAP;
  private readonly valueWidth = A4[0] - 2 * MARGIN - LABEL_WIDTH - COLUMN_GAP;
  private readonly bottom = MARGIN + FOOTER_HEIGHT;
  private readonly measureRegular: Measure;
  private readonly measureBold: Measure;

  constructor(
    private readonly doc: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
    private readonly languages: readonly Language[],
    private readonly testDocument = false,
  ) {
    this.measureRegular = measurer(regular);
    this.measureBold = measurer(bold);
    this.page = this.newPage();
    this.y = A4[1] - MARGIN;
  }

  title(title: Bilingual): void {
    const [first, ...others] = this.languages;
    for (const line of wrap(title[first ?? 'lv'], this.measureBold, 16, this.contentWidth))
      this.text(line, MARGIN, 16, this.bold, BLACK, 21);
    for (const language of others)
      for (const line of wrap(title[language], this.measureRegular, 12, this.contentWidth))
        this.text(line, MARGIN, 12, this.regular, GREY, 16);
    if (this.testDocument)
      for (const language of this.languages)
        for (const line of wrap(TEXT.testBanner[language], this.measureBold, 11, this.contentWidth))
          this.text(line, MARGIN, 11, this.bold, BLACK, 15);
    this.y -= 6;
    this.rule();
    this.y -= 10;
  }

  sectionTitle(title: string): void {
    const lines = wrap(title, this.measureBold, 11, this.contentWidth);
    // Keep the heading with at least one line of its first row.
    if (this.y - lines.length * 15 - 8 - LINE < this.bottom) this.breakPage();
    this.y -= 8;
    for (const line of lines) this.text(line, MARGIN, 11, this.bold, BLACK, 15);
    this.y -= 3;
  }

  rows(rows: readonly Row[]): void {
    for (const row of rows) {
      const labelLines = wrap(row.label, this.measureRegular, LABEL_SIZE, LABEL_WIDTH);
      const valueLines = wrap(row.value, this.measureRegular, VALUE_SIZE, this.valueWidth);
      const count = Math.max(labelLines.length, valueLines.length);
      // A row that fits on a page is not split; a longer one starts where it is and flows on.
      if (count <= this.linesPerPage() && this.y - count * LINE < this.bottom) this.breakPage();
      for (let i = 0; i < count; i++) {
        if (this.y - LINE < this.bottom) this.breakPage();
        const baseline = this.y - VALUE_SIZE;
        const label = labelLines[i];
        const value = valueLines[i];
        if (label !== undefined)
          this.page.drawText(label, { x: MARGIN, y: baseline, size: LABEL_SIZE, font: this.regular, color: GREY });
        if (value !== undefined)
          this.page.drawText(value, {
            x: this.valueX,
            y: baseline,
            size: VALUE_SIZE,
            font: this.regular,
            color: BLACK,
          });
        this.y -= LINE;
      }
      this.y -= ROW_GAP;
    }
  }

  /** Footer on every page: where the data comes from, and `page / pages`. */
  footers(): void {
    const total = this.pages.length;
    this.pages.forEach((page, index) => {
      page.drawLine({
        start: { x: MARGIN, y: MARGIN + FOOTER_HEIGHT - 8 },
        end: { x: A4[0] - MARGIN, y: MARGIN + FOOTER_HEIGHT - 8 },
        thickness: 0.5,
        color: RULE,
      });
      let y = MARGIN + FOOTER_HEIGHT - 20;
      const pageText = `${bilingual(TEXT.page, this.languages)} ${index + 1} / ${total}`;
      const pageWidth = this.measureRegular(pageText) * 7.5;
      for (const language of this.languages) {
        const source = this.testDocument ? TEXT.testSource : TEXT.source;
        const lines = wrap(source[language], this.measureRegular, 7.5, this.contentWidth - pageWidth - 12);
        for (const line of lines) {
          page.drawText(line, { x: MARGIN, y, size: 7.5, font: this.regular, color: GREY });
          y -= 10;
        }
      }
      page.drawText(pageText, {
        x: A4[0] - MARGIN - pageWidth,
        y: MARGIN + FOOTER_HEIGHT - 20,
        size: 7.5,
        font: this.regular,
        color: GREY,
      });
    });
  }

  private linesPerPage(): number {
    return Math.floor((A4[1] - MARGIN - this.bottom) / LINE);
  }

  private text(
    line: string,
    x: number,
    size: number,
    font: PDFFont,
    color: ReturnType<typeof rgb>,
    height: number,
  ): void {
    if (this.y - height < this.bottom) this.breakPage();
    this.page.drawText(line, { x, y: this.y - size, size, font, color });
    this.y -= height;
  }

  private rule(): void {
    this.page.drawLine({
      start: { x: MARGIN, y: this.y },
      end: { x: A4[0] - MARGIN, y: this.y },
      thickness: 0.75,
      color: RULE,
    });
  }

  private breakPage(): void {
    this.page = this.newPage();
    this.y = A4[1] - MARGIN;
  }

  private newPage(): PDFPage {
    const page = this.doc.addPage(A4);
    this.pages.push(page);
    return page;
  }
}

/** Text width at size 1, memoised: shaping a string is the costliest step of a render. */
export type Measure = (text: string) => number;

export function measurer(font: PDFFont): Measure {
  const widths = new Map<string, number>();
  return (text) => {
    let width = widths.get(text);
    if (width === undefined) {
      width = font.widthOfTextAtSize(text, 1);
      widths.set(text, width);
    }
    return width;
  };
}

/**
 * Lines of at most `width` points: breaks at spaces, keeps explicit line breaks, and cuts a word
 * longer than the line (an IBAN, a URL) where it must. A line's width is the sum of its words'
 * widths and the spaces between (kerning across a space is ignored: DejaVu has none that matters).
 */
export function wrap(text: string, measure: Measure, size: number, width: number): string[] {
  const lines: string[] = [];
  const limit = width / size;
  const space = measure(' ');
  // NFC: a letter stored decomposed (a + U+0304) is drawn as the precomposed glyph (ā).
  const paragraphs = text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ').split('\n');
  for (const paragraph of paragraphs) {
    let line = '';
    let lineWidth = 0;
    for (const word of paragraph.split(/ +/)) {
      if (word === '') continue;
      const wordWidth = measure(word);
      if (line !== '' && lineWidth + space + wordWidth <= limit) {
        line = `${line} ${word}`;
        lineWidth += space + wordWidth;
        continue;
      }
      if (line !== '') lines.push(line);
      let rest = word;
      let restWidth = wordWidth;
      while (restWidth > limit) {
        let cut = rest.length - 1;
        while (cut > 1 && measure(rest.slice(0, cut)) > limit) cut--;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
        restWidth = measure(rest);
      }
      line = rest;
      lineWidth = restWidth;
    }
    lines.push(line);
  }
  return lines;
}

function defaultDate(input: RenderInput): Date {
  const stamp = input.renderedAt ?? `${input.issuingDate}T00:00:00Z`;
  const date = new Date(stamp);
  if (Number.isNaN(date.getTime()))
    throw new RenderError('ERR_RENDER_FIELD_INVALID', 'the render date is not an xsd:dateTime');
  return date;
}

function addDays(isoDate: string, days: number): string | undefined {
  const date = new Date(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return undefined;
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** A file identifier that changes with anything that changes the document, and only then. */
function documentDigest(input: RenderInput): Uint8Array {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify([
      input.mapping.id,
      input.mapping.version,
      input.issuingDate,
      input.renderedAt ?? null,
      input.languages,
      input.subjectLabel,
    ]),
  );
  hash.update(JSON.stringify(input.record));
  hash.update(JSON.stringify(input.distribution));
  return new Uint8Array(hash.digest().subarray(0, 16));
}
