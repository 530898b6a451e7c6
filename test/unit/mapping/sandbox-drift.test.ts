/**
 * Mappings and the DAGR sandbox data must not drift apart: every record field a mapping reads
 * (`from`, match fields, the updated-at field, the lookup key) is defined in its dataset, every
 * required field has a value in every record, and the dataset's permission is the mapping's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { valueAt } from '../../../src/mapping/record-path.js';
import type { EvidenceMapping } from '../../../src/mapping/model.js';
import { loadMappings } from '../../../src/resources/mappings.js';
import { loadSandboxDatasets } from '../../../src/sandbox/dagr-data-loader.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const DATA = path.join(ROOT, 'src/sandbox/dagr-data');

interface Dataset {
  service_name: string;
  key: string;
  updated_at_field?: string | null;
  fields: { name: string; type: string; description: string }[];
  records: Record<string, unknown>[];
}

// Through the sandbox's loader: records kept in files of their own (`extends`) are checked too.
const datasets = new Map<string, Dataset>(
  loadSandboxDatasets().datasets.map((d) => [d.service_name, d as unknown as Dataset] as const),
);
const permissions = JSON.parse(readFileSync(path.join(DATA, 'permissions.json'), 'utf8')) as {
  service_name: string;
  permission_number: string;
}[];

function readsOf(m: EvidenceMapping): { from: string; optional: boolean }[] {
  const reads: { from: string; optional: boolean }[] = m.dagr.match.map((x) => ({ from: x.field, optional: false }));
  if (m.dagr.updatedAtField !== undefined) reads.push({ from: m.dagr.updatedAtField, optional: false });
  const foreign = m.dagr.lookup.foreignNationals;
  if (foreign !== undefined) {
    // Place and country of birth are held for foreign nationals only.
    reads.push({ from: foreign.person, optional: false });
    for (const [attribute, field] of Object.entries(foreign.fields))
      reads.push({ from: field, optional: attribute === 'PlaceOfBirth' || attribute === 'CountryOfBirth' });
  }
  for (const d of m.distributions) {
    if (d.format === 'application/xml')
      d.xml.fields.forEach((f) => reads.push({ from: f.from, optional: f.optional === true }));
    else
      d.pdf.sections.forEach((s) =>
        s.fields.forEach((f) => reads.push({ from: f.from, optional: f.optional === true })),
      );
  }
  return reads;
}

describe.each(loadMappings().map((m) => [m.id, m] as const))('%s and its sandbox dataset', (_id, mapping) => {
  const dataset = datasets.get(mapping.dagr.service);

  test('the dataset exists, with the mapping permission granted', () => {
    expect(dataset).toBeDefined();
    expect(permissions).toContainEqual(
      expect.objectContaining({ service_name: mapping.dagr.service, permission_number: mapping.dagr.permission }),
    );
  });

  test('every field the mapping reads is defined in the dataset', () => {
    const defined = new Set(dataset!.fields.map((f) => f.name));
    const missing = readsOf(mapping)
      .filter((r) => !defined.has(r.from))
      .map((r) => r.from);
    expect(missing).toEqual([]);
    if (mapping.dagr.updatedAtField !== undefined) expect(dataset!.updated_at_field).toBe(mapping.dagr.updatedAtField);
  });

  test('the lookup key matches the dataset key field', () => {
    const keyField = /^\s*([A-Za-z_][\w.]*)/.exec(dataset!.key)![1];
    const expected =
      mapping.dagr.lookup.from === 'eidas-full'
        ? 'Identifier'
        : mapping.subject === 'LegalPerson'
          ? 'RegistrationNumber'
          : 'PersonCode';
    expect(keyField).toBe(expected);
    expect(dataset!.fields.map((f) => f.name)).toContain(keyField);
  });

  test('every record holds every required field', () => {
    const gaps = dataset!.records.flatMap((r, i) =>
      readsOf(mapping)
        .filter((x) => !x.optional)
        .filter((x) => valueAt(r, x.from) === undefined)
        .map((x) => `records[${i}].${x.from}`),
    );
    expect(gaps).toEqual([]);
  });
});

test('every record field in the data is defined (no undocumented fields)', () => {
  const leaves = (value: unknown, prefix: string): string[] =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.entries(value).flatMap(([k, v]) => leaves(v, prefix === '' ? k : `${prefix}.${k}`))
      : [prefix];
  for (const d of datasets.values()) {
    const defined = new Set(d.fields.map((f) => f.name));
    const undocumented = [...new Set(d.records.flatMap((r) => leaves(r, '')))].filter((f) => !defined.has(f));
    expect({ dataset: d.service_name, undocumented }).toEqual({ dataset: d.service_name, undocumented: [] });
  }
});
