import { existsSync, readFileSync } from 'node:fs';

import { PDFDocument, PDFName } from '@cantoo/pdf-lib';

import type { Distribution } from '../../../src/mapping/model.js';
import { RenderError } from '../../../src/render/errors.js';
import { createRenderer } from '../../../src/render/renderer.js';
import { FONT_FILES, readPdfAssets } from '../../../src/resources/fonts.js';
import { input, pdfDistribution, xmlDistribution } from './fixtures.js';

const renderer = createRenderer(readPdfAssets());

test('application/xml renders the structured evidence', async () => {
  const bytes = await renderer.render(input(xmlDistribution));
  expect(new TextDecoder().decode(bytes)).toContain('<BirthCertificate xmlns="urn:lv:oots:evidence:birth:1.0">');
});

test('application/pdf renders a PDF', async () => {
  const bytes = await renderer.render(input(pdfDistribution));
  expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe('%PDF-');
});

test('the pdfa option switches PDF/A off', async () => {
  const plain = await createRenderer(readPdfAssets(), { pdfa: false, producer: 'test-producer' }).render(
    input(pdfDistribution),
  );
  const doc = await PDFDocument.load(plain, { updateMetadata: false });
  expect(doc.catalog.get(PDFName.of('OutputIntents'))).toBeUndefined();
  expect(doc.catalog.get(PDFName.of('Metadata'))).toBeUndefined();
  expect(doc.getProducer()).toBe('test-producer');
});

test.each(['text/html', 'application/json', ''])('format %p is EDM:ERR:0007, as a rejection', async (format) => {
  const distribution = { ...pdfDistribution, format } as unknown as Distribution;
  const error = (await renderer.render(input(distribution)).catch((e: unknown) => e)) as RenderError;
  expect(error).toBeInstanceOf(RenderError);
  expect(error.code).toBe('ERR_RENDER_UNSUPPORTED_FORMAT');
  expect(error.edmCode).toBe('EDM:ERR:0007');
});

test('rendering errors are rejections, not synchronous throws', async () => {
  const broken = input(xmlDistribution, { record: { fields: {}, fetchedAt: '2024-03-01T10:15:00Z' } });
  let promise: Promise<Uint8Array> | undefined;
  expect(() => {
    promise = renderer.render(broken);
  }).not.toThrow();
  await expect(promise).rejects.toMatchObject({ code: 'ERR_RENDER_FIELD_MISSING', edmCode: 'EDM:ERR:0008' });
});

test('the shipped fonts are TrueType files and their licence ships beside them', () => {
  const assets = readPdfAssets();
  for (const bytes of [assets.regular, assets.bold])
    expect(Buffer.from(bytes.subarray(0, 4)).toString('hex')).toBe('00010000');
  expect(FONT_FILES.regular).toBe('assets/fonts/DejaVuSans.ttf');
  expect(existsSync('assets/fonts/LICENSE-DejaVu.txt')).toBe(true);
  expect(readFileSync('assets/fonts/LICENSE-DejaVu.txt', 'utf8')).toContain('Bitstream Vera');
});

test('the port lists the preview fields of the PDF layout, whatever format was asked', () => {
  const fields = renderer.previewFields(input(xmlDistribution));
  expect(fields[0]).toEqual({ label: { lv: 'Vārds', en: 'Given name' }, value: 'Ģirts Ēriks' });
  expect(fields).toContainEqual({ label: { lv: 'Dzimšanas datums', en: 'Date of birth' }, value: '01.01.1990' });
  // An optional field with no value in the record is left out, not shown empty.
  expect(fields.map((f) => f.label.en)).not.toContain('Father');
});
