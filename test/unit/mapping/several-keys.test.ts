/** The mapping keys of several evidences, languages and associated documents (docs/mappings.md). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseMappingSource } from '../../../src/mapping/parse.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, 'schemas/mapping.schema.json'), 'utf8')) as object;
const DIPLOMA = readFileSync(path.join(ROOT, 'mappings/lv-higher-education-diploma.yaml'), 'utf8');
const withoutPdf = (text: string): string => text.replace(/\n {2}- format: application\/pdf[\s\S]*?(?=\npreview:)/, '');

test('the shipped diploma mapping reads with its records, languages and associated documents', () => {
  const r = parseMappingSource(DIPLOMA, 'lv-higher-education-diploma.yaml', SCHEMA);
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.mapping.records).toEqual({ several: true, orderBy: 'GraduationDate' });
  expect(r.mapping.languages).toEqual(['lv', 'en']);
  expect(r.mapping.associatedDocuments).toEqual(['HumanReadableVersion', 'Translation']);
});

test('associated documents need a PDF distribution', () => {
  const r = parseMappingSource(withoutPdf(DIPLOMA), 'lv-higher-education-diploma.yaml', SCHEMA);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.problems.map((p) => [p.field, p.message])).toEqual([
    ['associatedDocuments', expect.stringContaining('no application/pdf distribution')],
  ]);
});

test.each([
  ['languages: [lv, de]', 'languages'],
  ['associatedDocuments: [Annex]', 'associatedDocuments'],
  ['records: { order: newest }', 'records'],
])('%s is refused', (line, field) => {
  const text = DIPLOMA.replace(/\n(languages|associatedDocuments|records):[^\n]*(\n {2}[^\n]*)*/g, '') + `\n${line}\n`;
  const r = parseMappingSource(text, 'lv-higher-education-diploma.yaml', SCHEMA);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.problems.some((p) => p.field.startsWith(field))).toBe(true);
});
