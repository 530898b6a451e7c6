import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  definesField,
  indexDefinitions,
  toDatasetDefinition,
  type DatasetDefinition,
} from '../../../src/mapping/definitions.js';
import { dsdRegistration, formatDsdText } from '../../../src/mapping/dsd.js';
import { parseMappingSource } from '../../../src/mapping/parse.js';
import { starterMapping } from '../../../src/mapping/starter.js';
import { readMappingSchema } from '../../../src/resources/mappings.js';

const schema = readMappingSchema();
const DIR = 'src/sandbox/dagr-data';
const datasets: DatasetDefinition[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && f !== 'permissions.json')
  .map((f) => toDatasetDefinition(JSON.parse(readFileSync(path.join(DIR, f), 'utf8')), f)!);
const definitions = indexDefinitions(datasets);

/** What a controller does: every TODO replaced by a real value. */
function filled(text: string): string {
  return text
    .replace(
      /evidencetypeclassifications\/LV\/TODO-evidence-type-uuid/,
      'evidencetypeclassifications/LV/0b7c2b8e-3f6a-4e61-9d1a-6c2f4b1e9a01',
    )
    .replace(/datamodels\/TODO-/g, 'datamodels/')
    .replace(/'TODO'/g, "'12345'")
    .replace(/TODO[^,}\n]*/g, 'Teksts');
}

describe.each(datasets.map((d) => [d.service, d] as const))('starter for %s', (_service, d) => {
  const text = starterMapping(d, {});

  test('parses, and fails only on the placeholders', () => {
    const r = parseMappingSource(text, 'starter.yaml', schema, { definitions });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.length).toBeGreaterThan(0);
    for (const p of r.problems) expect(p.message).toBe('is still a placeholder (TODO)');
    expect(r.problems.every((p) => p.line !== undefined && p.field !== '')).toBe(true);
  });

  test('once filled in it is valid and reads only fields of the dataset', () => {
    const r = parseMappingSource(filled(text), 'starter.yaml', schema, { definitions });
    expect(r.ok ? [] : r.problems).toEqual([]);
  });
});

describe('dataset definitions', () => {
  const birth = definitions.get('pmlp_birth_records')!;

  test('fields by path, list indexes, and below object fields', () => {
    expect(definesField(birth, 'Birth.Place')).toBe(true);
    expect(definesField(birth, 'Birth.Plac')).toBe(false);
    expect(definesField(birth, 'Birth.Place.Extra')).toBe(false); // below a string
    const withList = toDatasetDefinition(
      {
        service_name: 's',
        fields: [
          { name: 'Persons', type: 'array' },
          { name: 'Owners.Name', type: 'string' },
        ],
      },
      'x',
    )!;
    expect(definesField(withList, 'Persons.0.Name')).toBe(true);
    expect(definesField(withList, 'Owners.1.Name')).toBe(true);
  });

  test('a service_list entry without fields is no definition', () => {
    expect(toDatasetDefinition({ service_name: 's' }, 'DAGR service_list')).toBeUndefined();
  });

  test('an unknown field is reported with a did-you-mean hint', () => {
    const text = readFileSync('mappings/lv-birth-certificate.yaml', 'utf8').replace(
      'from: Birth.Place }',
      'from: Birth.Plase }',
    );
    const r = parseMappingSource(text, 'mappings/lv-birth-certificate.yaml', schema, { definitions });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      expect.objectContaining({
        line: text.split('\n').findIndex((l) => l.includes('Birth.Plase')) + 1,
        field: 'distributions[0].pdf.sections[0].fields[5].from',
        message: 'DAGR dataset pmlp_birth_records has no field Birth.Plase (definition: pmlp_birth_records.json)',
        hint: expect.stringMatching(/^did you mean `Birth.Place`\?/),
      }),
    ]);
  });
});

describe('dsd', () => {
  test('the registration names the classification, the distributions and the access service', () => {
    const r = parseMappingSource(
      readFileSync('mappings/lv-higher-education-diploma.yaml', 'utf8'),
      'lv-higher-education-diploma.yaml',
      schema,
    );
    if (!r.ok) throw new Error('shipped mapping invalid');
    const dsd = dsdRegistration(
      r.mapping,
      { partyId: 'AP_LV', partyIdType: 'urn:x', conformsTo: ['oots-edm:v1.0'], country: 'LV' },
      '00000000-0000-4000-8000-000000000000',
    );
    expect(dsd.dataServiceEvidenceType.evidenceTypeClassification).toBe(r.mapping.evidenceTypes[0]);
    expect(dsd.dataServiceEvidenceType.distributedAs.find((d) => d.format === 'application/xml')?.conformsTo).toMatch(
      /^https:\/\/sr\.oots\.tech\.ec\.europa\.eu\/datamodels\//,
    );
    expect(dsd.dataServiceEvidenceType.accessService.publisher).toMatchObject({
      identifier: { value: r.mapping.issuingAuthority.id },
      classification: 'EP',
    });
    expect(formatDsdText(dsd)).toMatch(/ConformsTo\s+oots-edm:v1\.0/);
  });
});

describe('docs/mappings.md', () => {
  test('the complete example passes validate, fields checked against its dataset', () => {
    const doc = readFileSync('docs/mappings.md', 'utf8');
    const example = /```yaml\n(# Izziņa[\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const r = parseMappingSource(example!, 'lv-residence-certificate.yaml', schema, { definitions });
    expect(r.ok ? [] : r.problems).toEqual([]);
  });
});
