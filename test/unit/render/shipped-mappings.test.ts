/**
 * Every shipped mapping rendered against the first record of its sandbox dataset: the XML
 * distributions against golden files (regenerate with UPDATE_GOLDEN=1 and review the diff), the
 * PDF distributions read back with `pdftotext` (every label of a present field, the titles, the
 * Latvian text of the record).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { XMLValidator } from 'fast-xml-parser';

import type { RenderInput } from '../../../src/render/port.js';
import type { EvidenceMapping } from '../../../src/mapping/model.js';
import { createRenderer } from '../../../src/render/renderer.js';
import { isAbsent, readPath } from '../../../src/render/record-path.js';
import { readPdfAssets } from '../../../src/resources/fonts.js';
import { loadMappings } from '../../../src/resources/mappings.js';
import { loadSandboxDatasets } from '../../../src/sandbox/dagr-data-loader.js';

const GOLDEN = path.join('test', 'golden', 'render');
const mappings = loadMappings();
const { datasets } = loadSandboxDatasets();
const renderer = createRenderer(readPdfAssets());
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'render-shipped-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function firstRecord(mapping: EvidenceMapping): Record<string, unknown> {
  const dataset = [...datasets.values()].find((d) => d.service_name === mapping.dagr.service);
  if (dataset === undefined) throw new Error(`no sandbox dataset for ${mapping.dagr.service}`);
  const record = dataset.records[0];
  if (record === undefined) throw new Error(`dataset ${mapping.dagr.service} has no record`);
  return record;
}

function renderInput(mapping: EvidenceMapping, format: string): RenderInput {
  const fields = firstRecord(mapping);
  const distribution = mapping.distributions.find((d) => d.format === format)!;
  const text = (attribute: string): string | undefined => {
    const field = mapping.dagr.match.find((m) => m.attribute === attribute)?.field;
    const value = field === undefined ? undefined : readPath(fields, field);
    return typeof value === 'string' ? value : undefined;
  };
  const name = [text('GivenName'), text('FamilyName'), text('LegalName')].filter((p) => p !== undefined).join(' ');
  return {
    mapping,
    distribution,
    record: { fields, fetchedAt: '2025-04-01T12:00:00Z' },
    issuingDate: '2025-04-01',
    subjectLabel: { name: name === '' ? 'Test subject' : name, identifier: 'LV/DE/test' },
    languages: ['lv', 'en'],
    renderedAt: '2025-04-01T12:00:05Z',
  };
}

const cases = (format: string): [string, EvidenceMapping][] =>
  mappings.filter((m) => m.distributions.some((d) => d.format === format)).map((m) => [m.id, m]);

test('the shipped mappings include the four Latvian evidence types, with XML and PDF distributions', () => {
  expect(cases('application/xml').length).toBeGreaterThanOrEqual(4);
  expect(cases('application/pdf').length).toBeGreaterThanOrEqual(4);
});

test.each(cases('application/xml'))('%s: XML evidence matches its golden file', async (id, mapping) => {
  const xml = new TextDecoder('utf-8', { fatal: true }).decode(
    await renderer.render(renderInput(mapping, 'application/xml')),
  );
  expect(XMLValidator.validate(xml)).toBe(true);
  const target = path.join(GOLDEN, `${id}.xml`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(target, xml);
  expect(xml).toBe(readFileSync(target, 'utf8'));
});

test.each(cases('application/pdf'))('%s: PDF evidence carries its titles, labels and values', async (id, mapping) => {
  const input = renderInput(mapping, 'application/pdf');
  const file = path.join(dir, `${id}.pdf`);
  writeFileSync(file, await renderer.render(input));
  const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
  // Long values may wrap: compare without white space.
  const flat = text.replace(/\s+/g, '');
  const has = (s: string): void => expect(flat).toContain(s.normalize('NFC').replace(/\s+/g, ''));
  has(mapping.title.lv);
  has(mapping.title.en);
  has(mapping.issuingAuthority.name.lv);
  const distribution = input.distribution;
  if (distribution.format !== 'application/pdf') throw new Error('not a PDF distribution');
  for (const section of distribution.pdf.sections) {
    has(`${section.title.lv} / ${section.title.en}`);
    for (const field of section.fields) {
      const value = readPath(input.record.fields, field.from);
      if (isAbsent(value)) continue;
      // A wrapped label's lines interleave with its value's in reading order: check it word by word.
      for (const word of `${field.label.lv} ${field.label.en}`.split(/\s+/)) has(word);
      if (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(value)) has(value);
    }
  }
});
