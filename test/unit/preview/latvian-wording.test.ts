/**
 * The Latvian texts people read call OOTS evidence "apliecinājums", as VRAA (the Latvian OOTS
 * coordinator) does on its public pages ("Vienreizes principa tehniskā sistēma", "apliecinājumu
 * apmaiņa"), never "pierādījums". This holds every Latvian user-facing string to that: the preview
 * pages, the fixed PDF texts, the mapping starters, the shipped mappings, the sandbox permission
 * texts and the Latvian docs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { toDatasetDefinition, type DatasetDefinition } from '../../../src/mapping/definitions.js';
import { starterMapping } from '../../../src/mapping/starter.js';
import { messages, type Messages } from '../../../src/preview/i18n.js';
import { loginEvidenceText } from '../../../src/preview/login-evidence-text.js';
import { PDF_FIXED_TEXT } from '../../../src/render/pdf-evidence.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const OLD_TERM = /pierādījum/i;
const SANDBOX = path.join(ROOT, 'src/sandbox/dagr-data');

/** Every text of the Latvian message table; the templated ones filled with a sample. */
function latvianMessages(): string[] {
  const lv: Messages = messages('lv');
  return Object.values(lv).map((v: unknown) => (typeof v === 'function' ? String(v('X')) : String(v)));
}

/** Every string under an `lv` key, at any depth of a parsed YAML/JSON value. */
function lvStrings(value: unknown, underLv = false): string[] {
  if (typeof value === 'string') return underLv ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => lvStrings(v, underLv));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => lvStrings(v, k === 'lv'));
  }
  return [];
}

function offending(texts: readonly string[]): string[] {
  return texts.filter((t) => OLD_TERM.test(t));
}

test('the preview pages use the official term', () => {
  const texts = latvianMessages();
  expect(offending(texts)).toEqual([]);
  const lv = messages('lv');
  expect(lv.siteTitle).toBe('Apliecinājuma priekšskatījums');
  expect(lv.evidenceHeading).toBe('Nosūtāmie apliecinājumi');
  expect(lv.lede).toContain('oficiālu apliecinājumu par jums');
});

test('the pages of the evidence produced at the login use the official term', () => {
  const texts = Object.values(loginEvidenceText('lv'));
  expect(texts.length).toBeGreaterThan(0);
  expect(offending(texts)).toEqual([]);
  expect(loginEvidenceText('lv').noneTitle).toBe('Apliecinājums netika atrasts');
});

test('the fixed PDF texts use the official term', () => {
  const texts = Object.values(PDF_FIXED_TEXT).map((t) => t.lv);
  expect(texts.length).toBeGreaterThan(0);
  expect(offending(texts)).toEqual([]);
});

test('the mapping starters use the official term', () => {
  const datasets: DatasetDefinition[] = readdirSync(SANDBOX)
    .filter((f) => f.endsWith('.json') && f !== 'permissions.json')
    .map((f) => toDatasetDefinition(JSON.parse(readFileSync(path.join(SANDBOX, f), 'utf8')), f)!);
  expect(datasets.length).toBeGreaterThan(0);
  for (const d of datasets) {
    expect(offending(starterMapping(d, {}).split('\n'))).toEqual([]);
  }
});

test('the shipped mappings use the official term in every Latvian text', () => {
  const dir = path.join(ROOT, 'mappings');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) {
    const texts = lvStrings(parse(readFileSync(path.join(dir, f), 'utf8')));
    expect(texts.length).toBeGreaterThan(0);
    expect({ file: f, offending: offending(texts) }).toEqual({ file: f, offending: [] });
  }
});

test('the sandbox permission texts use the official term', () => {
  const permissions = JSON.parse(readFileSync(path.join(SANDBOX, 'permissions.json'), 'utf8')) as {
    purpose_of_use?: string;
  }[];
  const texts = permissions.map((p) => p.purpose_of_use ?? '');
  expect(offending(texts)).toEqual([]);
});

test('the Latvian docs use the official term', () => {
  for (const f of ['docs/mappings.md', 'docs/preview.md', 'mappings/README.md']) {
    const lines = readFileSync(path.join(ROOT, f), 'utf8').split('\n');
    expect({ file: f, offending: offending(lines) }).toEqual({ file: f, offending: [] });
  }
});
