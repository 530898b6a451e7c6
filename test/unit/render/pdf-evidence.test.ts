/**
 * PDF evidence, checked the way a reader would: text extracted with poppler's `pdftotext`
 * (Debian package poppler-utils; CI installs it), metadata read back with pdf-lib and `pdfinfo`,
 * fonts listed with `pdffonts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream } from '@cantoo/pdf-lib';
import type { PDFHexString } from '@cantoo/pdf-lib';

import type { PdfDistribution } from '../../../src/mapping/model.js';
import { RenderError } from '../../../src/render/errors.js';
import { renderPdfEvidence, wrap } from '../../../src/render/pdf-evidence.js';
import { readPdfAssets } from '../../../src/resources/fonts.js';
import { LATVIAN_LETTERS, input, mapping, pdfDistribution, record, xmlDistribution } from './fixtures.js';

const assets = readPdfAssets();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'render-pdf-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function poppler(tool: 'pdftotext' | 'pdfinfo' | 'pdffonts', pdf: Uint8Array, args: string[] = []): string {
  const file = path.join(dir, `doc-${++counter}.pdf`);
  writeFileSync(file, pdf);
  const out = tool === 'pdftotext' ? [file, '-'] : [file];
  return execFileSync(tool, [...args, ...out], { encoding: 'utf8' });
}

/** pdftotext output with line layout kept (two columns stay on one line). */
const text = (pdf: Uint8Array): string => poppler('pdftotext', pdf, ['-layout', '-enc', 'UTF-8']);

describe('a one-page evidence', () => {
  let pdf: Uint8Array;
  let extracted: string;
  beforeAll(async () => {
    pdf = await renderPdfEvidence(input(pdfDistribution), assets);
    extracted = text(pdf);
  });

  test('is a PDF of one A4 page', () => {
    expect(new TextDecoder().decode(pdf.subarray(0, 8))).toBe('%PDF-1.7');
    const info = poppler('pdfinfo', pdf);
    expect(info).toMatch(/^Pages:\s+1$/m);
    expect(info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);
  });

  test('every Latvian letter comes back from the text layer', () => {
    expect(extracted).toContain(LATVIAN_LETTERS);
    for (const letter of LATVIAN_LETTERS.replace(' ', '')) expect(extracted).toContain(letter);
  });

  test('title, authority, subject, dates and the DAGR line', () => {
    for (const expected of [
      'Dzimšanas apliecība',
      'Birth certificate',
      'Izdevējs / Issuing authority',
      'Pilsonības un migrācijas lietu pārvalde (tests)',
      'Persona / Subject',
      'Ģirts Ēriks Žvīgule-Ņikitina',
      'LV/DE/010190-10005',
      'Izdošanas datums / Date of issue',
      '01.03.2024',
      'Derīgs līdz / Valid until',
      '30.05.2024', // 2024-03-01 + 90 days
      'Datu stāvoklis DAGR / Data as of (DAGR)',
      '29.02.2024 09:30 UTC', // the record's UpdatedAt, not the fetch time
      'Dati iegūti no Datu izplatīšanas un pārvaldības platformas (DAGR).',
      "Data obtained from Latvia's Data Distribution and Management Platform (DAGR).",
      'Lapa / Page 1 / 1',
    ])
      expect(extracted).toContain(expected);
  });

  test('every section title and bilingual label, with its value on the same line', () => {
    for (const section of pdfDistribution.pdf.sections)
      expect(extracted).toContain(`${section.title.lv} / ${section.title.en}`);
    const line = (label: string): string => extracted.split('\n').find((l) => l.includes(label)) ?? '';
    expect(line('Vārds / Given name')).toContain('Ģirts Ēriks');
    expect(line('Uzvārds / Family name')).toContain('Žvīgule-Ņikitina');
    expect(line('Dzimšanas datums / Date of birth')).toContain('01.01.1990');
    expect(line('Vieta / Place')).toContain('Ķekava, Ļaudonas iela 7 & <Šķūnis>');
    expect(line('Māte / Mother')).toContain('Čaklā Ūna');
    expect(line('Reģistrēts / Registered')).toContain('jā / yes');
    expect(line('Sējums / Volume')).toContain('42');
    expect(extracted).toContain('Notes (every');
  });

  test('missing optional fields leave no row', () => {
    expect(extracted).not.toContain('Tēvs / Father');
    expect(extracted).not.toContain('Atzīme / Remark');
  });

  test('fonts are embedded subsets with a Unicode map', () => {
    const fonts = poppler('pdffonts', pdf).split('\n').slice(2).filter(Boolean);
    expect(fonts).toHaveLength(2);
    for (const row of fonts)
      expect(row).toMatch(/^DJVAA[AB]\+DejaVuSans(-Bold)?\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes\s/);
  });

  test('document metadata, dates from the input and PDF/A-2B identification', async () => {
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    expect(doc.getTitle()).toBe('Dzimšanas apliecība / Birth certificate');
    expect(doc.getAuthor()).toBe(mapping.issuingAuthority.name.lv);
    expect(doc.getSubject()).toBe('Birth certificate (test-birth 1.0.0)');
    expect(doc.getProducer()).toBe('oots-dagr-adapter');
    expect(doc.getCreationDate()?.toISOString()).toBe('2024-03-01T10:15:30.000Z');
    expect(doc.getModificationDate()?.toISOString()).toBe('2024-03-01T10:15:30.000Z');
    expect(doc.catalog.get(PDFName.of('Lang'))?.toString()).toBe('(lv)');

    const intents = doc.catalog.lookup(PDFName.of('OutputIntents'), PDFArray);
    const intent = intents.lookup(0, PDFDict);
    expect(intent.get(PDFName.of('S'))?.toString()).toBe('/GTS_PDFA1');
    expect(intent.lookup(PDFName.of('DestOutputProfile'))).toBeInstanceOf(PDFRawStream);

    const metadata = doc.catalog.lookup(PDFName.of('Metadata'));
    expect(metadata).toBeInstanceOf(PDFRawStream);
    const xmp = new TextDecoder().decode((metadata as PDFRawStream).contents);
    expect(xmp).toContain('<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>');
    expect(xmp).toContain('<rdf:li xml:lang="x-default">Dzimšanas apliecība / Birth certificate</rdf:li>');
    expect(xmp).toContain('<xmp:CreateDate>2024-03-01T10:15:30Z</xmp:CreateDate>');

    const id = doc.context.trailerInfo.ID as PDFArray;
    expect(id.size()).toBe(2);
    expect((id.get(0) as PDFHexString).asString()).toMatch(/^[0-9A-F]{32}$/i);
  });

  test('the same input gives the same bytes; another render date gives other bytes', async () => {
    const again = await renderPdfEvidence(input(pdfDistribution), assets);
    expect(Buffer.from(again).equals(Buffer.from(pdf))).toBe(true);
    const later = await renderPdfEvidence(input(pdfDistribution, { renderedAt: '2024-03-02T08:00:00Z' }), assets);
    expect(Buffer.from(later).equals(Buffer.from(pdf))).toBe(false);
  });
});

test('dates and the file identifier can be passed in; without renderedAt the issue date is used', async () => {
  const documentId = new Uint8Array(16).fill(0xab);
  const given = await renderPdfEvidence(input(pdfDistribution), assets, {
    createdAt: new Date('2025-01-02T03:04:05Z'),
    documentId,
  });
  const doc = await PDFDocument.load(given, { updateMetadata: false });
  expect(doc.getCreationDate()?.toISOString()).toBe('2025-01-02T03:04:05.000Z');
  expect(((doc.context.trailerInfo.ID as PDFArray).get(0) as PDFHexString).asString().toUpperCase()).toBe(
    'AB'.repeat(16),
  );

  const fallback = await renderPdfEvidence(input(pdfDistribution, { renderedAt: undefined }), assets);
  expect((await PDFDocument.load(fallback, { updateMetadata: false })).getCreationDate()?.toISOString()).toBe(
    '2024-03-01T00:00:00.000Z',
  );
});

test('English first: English date format and English document language', async () => {
  const pdf = await renderPdfEvidence(input(pdfDistribution, { languages: ['en', 'lv'] }), assets);
  const extracted = text(pdf);
  expect(extracted).toContain('Given name / Vārds');
  expect(extracted).toContain('1990-01-01');
  expect(extracted).toContain('yes / jā');
  expect((await PDFDocument.load(pdf, { updateMetadata: false })).catalog.get(PDFName.of('Lang'))?.toString()).toBe(
    '(en)',
  );
});

test('many fields and a very long value flow onto more pages, nothing lost', async () => {
  const fields: Record<string, unknown> = { ...record.fields };
  const many: PdfDistribution['pdf']['sections'][number]['fields'][number][] = [];
  for (let i = 1; i <= 90; i++) {
    fields[`F${i}`] = `Vērtība ${i} ar garumzīmēm ${LATVIAN_LETTERS}`;
    many.push({ from: `F${i}`, label: { lv: `Lauks ${i}`, en: `Field ${i}` } });
  }
  const longWords = Array.from({ length: 400 }, (_, i) => `vārds${i}`).join(' ');
  fields.Long = `${longWords} LV80BANK0000435195001${'X'.repeat(150)}`;
  const distribution: PdfDistribution = {
    format: 'application/pdf',
    pdf: {
      sections: [
        { title: { lv: 'Daudz lauku', en: 'Many fields' }, fields: many },
        {
          title: { lv: 'Garš teksts', en: 'Long text' },
          fields: [{ from: 'Long', label: { lv: 'Apraksts', en: 'Description' } }],
        },
      ],
    },
  };
  const pdf = await renderPdfEvidence(input(distribution, { record: { ...record, fields } }), assets);
  const pages = Number(/^Pages:\s+(\d+)$/m.exec(poppler('pdfinfo', pdf))?.[1]);
  expect(pages).toBeGreaterThanOrEqual(3);
  const extracted = text(pdf);
  for (let i = 1; i <= 90; i++) expect(extracted).toContain(`Lauks ${i} / Field ${i} `);
  expect(extracted).toContain(`Vērtība 90 ar garumzīmēm ${LATVIAN_LETTERS}`);
  expect(extracted).toContain('vārds0 ');
  expect(extracted).toContain('vārds399');
  expect(extracted.replace(/\s+/g, '')).toContain(`LV80BANK0000435195001${'X'.repeat(150)}`);
  for (let p = 1; p <= pages; p++) expect(extracted).toContain(`Lapa / Page ${p} / ${pages}`);
  // Page text per page: every page carries the DAGR line.
  expect(extracted.split('\f').filter((page) => page.includes('(DAGR).')).length).toBe(pages);
});

test('a missing required field throws ERR_RENDER_FIELD_MISSING without any value in the message', async () => {
  const fields = { ...record.fields, GivenName: undefined };
  const error = (await renderPdfEvidence(input(pdfDistribution, { record: { ...record, fields } }), assets).catch(
    (e: unknown) => e,
  )) as RenderError;
  expect(error).toBeInstanceOf(RenderError);
  expect(error.code).toBe('ERR_RENDER_FIELD_MISSING');
  expect(error.edmCode).toBe('EDM:ERR:0008');
  expect(error.field).toBe('GivenName');
  expect(error.message).not.toMatch(/Žvīgule|010190/);
});

test('an XML distribution is not rendered as PDF', async () => {
  await expect(renderPdfEvidence(input(xmlDistribution), assets)).rejects.toMatchObject({
    code: 'ERR_RENDER_UNSUPPORTED_FORMAT',
  });
});

test('decomposed letters (a + combining macron) are drawn and extracted as the precomposed letter', async () => {
  const fields = { ...record.fields, GivenName: 'Ga\u0304rsa Ilze\u030C' };
  const extracted = text(await renderPdfEvidence(input(pdfDistribution, { record: { ...record, fields } }), assets));
  expect(extracted).toContain('Gārsa Ilzě');
});

test('a letter first met as part of a composite (Z in Ž) keeps its text in later documents', async () => {
  // One assets object for both renders: the parsed font is shared between them.
  const shared = { regular: assets.regular.slice(), bold: assets.bold.slice() };
  const withValue = (value: string) =>
    input(pdfDistribution, { record: { ...record, fields: { ...record.fields, Notes: value } } });
  expect(text(await renderPdfEvidence(withValue('Žžŗ Ķķ Ņņ'), shared))).toContain('Žžŗ Ķķ Ņņ');
  expect(text(await renderPdfEvidence(withValue('QZqzK zn'), shared))).toContain('QZqzK zn');
});

describe('wrap', () => {
  const measure = (s: string): number => s.length; // one unit per character at size 1
  test.each([
    ['short', 10, ['short']],
    ['one two three four', 9, ['one two', 'three', 'four']],
    ['line\nbreak kept', 20, ['line', 'break kept']],
    ['abcdefghijkl', 5, ['abcde', 'fghij', 'kl']],
    ['a  b\tc', 20, ['a b c']],
    ['', 5, ['']],
  ])('%p in %p', (input, width, lines) => {
    expect(wrap(input, measure, 1, width)).toEqual(lines);
  });
});
