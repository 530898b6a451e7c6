/**
 * The mapping key `dagr.lookup.foreignNationals` (docs/mappings.md): the shipped residence mapping
 * uses it; the schema requires the minimum data set's fields; it is refused where it cannot apply
 * (not eidas-national, not a natural person); its fields must exist in the dataset definition.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sandboxDefinitions } from '../../../src/mapping-store/definitions-source.js';
import { parseMappingSource } from '../../../src/mapping/parse.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, 'schemas/mapping.schema.json'), 'utf8')) as object;
const RESIDENCE = readFileSync(path.join(ROOT, 'mappings/lv-declared-residence.yaml'), 'utf8');
const definitions = sandboxDefinitions();

const parse = (text: string) => parseMappingSource(text, 'lv-declared-residence.yaml', SCHEMA, { definitions });
const problems = (text: string) => {
  const r = parse(text);
  return r.ok ? [] : r.problems.map((p) => `${p.field}: ${p.message}`);
};

test('the shipped residence mapping searches foreign nationals by the minimum data set', () => {
  const r = parse(RESIDENCE);
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.mapping.dagr.lookup.foreignNationals).toEqual({
    by: 'attributes',
    person: 'PersonCode',
    fields: {
      FamilyName: 'FamilyName',
      GivenName: 'GivenName',
      DateOfBirth: 'DateOfBirth',
      PlaceOfBirth: 'BirthPlace',
      CountryOfBirth: 'BirthCountry',
    },
  });
});

test('the minimum data set fields are required', () => {
  const text = RESIDENCE.replace(/\n {8}DateOfBirth: DateOfBirth/, '');
  expect(text).not.toBe(RESIDENCE);
  expect(problems(text).join('\n')).toMatch(/dagr\.lookup\.foreignNationals\.fields.*DateOfBirth/);
});

test('only with from: eidas-national', () => {
  const text = RESIDENCE.replace('from: eidas-national', 'from: eidas-full');
  expect(problems(text)).toContain(
    'dagr.lookup.foreignNationals: foreignNationals is only used with from: eidas-national and subject: NaturalPerson',
  );
});

test('its fields must be defined in the dataset', () => {
  const text = RESIDENCE.replace('PlaceOfBirth: BirthPlace', 'PlaceOfBirth: BirthPlaec');
  expect(problems(text).join('\n')).toMatch(
    /dagr\.lookup\.foreignNationals\.fields\.PlaceOfBirth: DAGR dataset pmlp_declared_residence has no field BirthPlaec/,
  );
});
