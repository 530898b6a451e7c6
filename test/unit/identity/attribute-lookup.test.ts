/**
 * Finding a foreign national by attributes, the pure part (src/identity/attribute-lookup.ts): the
 * criteria a request gives, whether a candidate fits them (diacritics, ICAO transliteration, dates,
 * countries), and whether exactly one person remains. Synthetic people (src/sandbox/dagr-data).
 */
import type { NaturalPerson } from '../../../src/edm/model.js';
import {
  fitsCriteria,
  onePerson,
  searchCriteria,
  type SearchCriterion,
} from '../../../src/identity/attribute-lookup.js';
import { namesEqual } from '../../../src/identity/names.js';
import type { ForeignLookup } from '../../../src/mapping/model.js';
import type { DagrRecord } from '../../../src/mapping/record-path.js';

function person(over: Partial<NaturalPerson> = {}): NaturalPerson {
  return {
    kind: 'NaturalPerson',
    levelOfAssurance: 'High',
    identifier: { value: 'DE/LV/4F7A2C91D03B', schemeID: 'eidas' },
    familyName: 'Schneider',
    givenName: 'Lukas',
    dateOfBirth: '1984-09-14',
    birthName: undefined,
    placeOfBirth: undefined,
    currentAddress: undefined,
    gender: undefined,
    nationality: undefined,
    countryOfBirth: undefined,
    townOfBirth: undefined,
    countryOfResidence: undefined,
    phoneNumber: undefined,
    emailAddress: undefined,
    sectorSpecificAttributes: [],
    ...over,
  };
}

const SPEC: ForeignLookup = {
  by: 'attributes',
  person: 'PersonCode',
  fields: {
    FamilyName: 'FamilyName',
    GivenName: 'GivenName',
    DateOfBirth: 'DateOfBirth',
    PlaceOfBirth: 'Birth.Place',
    CountryOfBirth: 'Birth.Country',
  },
};
const MDS_ONLY: ForeignLookup = {
  ...SPEC,
  fields: { FamilyName: 'FamilyName', GivenName: 'GivenName', DateOfBirth: 'DateOfBirth' },
};

const record = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  PersonCode: '36120458173',
  FamilyName: 'Schneider',
  GivenName: 'Lukas',
  DateOfBirth: '1984-09-14',
  Birth: { Place: 'München', Country: 'DE' },
  ...over,
});
const dagr = (fields: Record<string, unknown>): DagrRecord => ({ fields, fetchedAt: '2026-01-01T00:00:00Z' });

describe('searchCriteria', () => {
  test('the eIDAS minimum data set, the date as a calendar date', () => {
    expect(searchCriteria(person({ dateOfBirth: '1984-09-14Z' }), SPEC)).toEqual({
      ok: true,
      criteria: [
        { attribute: 'FamilyName', field: 'FamilyName', value: 'Schneider' },
        { attribute: 'GivenName', field: 'GivenName', value: 'Lukas' },
        { attribute: 'DateOfBirth', field: 'DateOfBirth', value: '1984-09-14' },
      ],
    });
  });

  test.each<[string, Partial<NaturalPerson>]>([
    ['no family name', { familyName: undefined }],
    ['a blank given name', { givenName: '  ' }],
    ['no date of birth', { dateOfBirth: undefined }],
    ['an impossible date of birth', { dateOfBirth: '1984-02-30' }],
  ])('%s: missing-attributes (never a search by part of the data set)', (_what, over) => {
    expect(searchCriteria(person(over), SPEC)).toEqual({ ok: false, reason: 'missing-attributes' });
  });

  test('place (or town) and country of birth are added when the request carries them and the mapping has a field', () => {
    const withPlace = searchCriteria(person({ placeOfBirth: 'München', countryOfBirth: 'DE' }), SPEC);
    expect(withPlace.ok && withPlace.criteria.map((c) => [c.attribute, c.field, c.value])).toEqual([
      ['FamilyName', 'FamilyName', 'Schneider'],
      ['GivenName', 'GivenName', 'Lukas'],
      ['DateOfBirth', 'DateOfBirth', '1984-09-14'],
      ['PlaceOfBirth', 'Birth.Place', 'München'],
      ['CountryOfBirth', 'Birth.Country', 'DE'],
    ]);
    const town = searchCriteria(person({ townOfBirth: 'Bonn' }), SPEC);
    expect(town.ok && town.criteria.at(-1)).toEqual({ attribute: 'PlaceOfBirth', field: 'Birth.Place', value: 'Bonn' });
    const notMapped = searchCriteria(person({ placeOfBirth: 'München', countryOfBirth: 'DE' }), MDS_ONLY);
    expect(notMapped.ok && notMapped.criteria).toHaveLength(3);
  });
});

describe('fitsCriteria', () => {
  const criteria = (p: Partial<NaturalPerson>): readonly SearchCriterion[] => {
    const c = searchCriteria(person(p), SPEC);
    if (!c.ok) throw new Error('no criteria');
    return c.criteria;
  };

  test('the same person fits; another date of birth, name or place does not', () => {
    expect(fitsCriteria(record(), criteria({}), 'fold-diacritics')).toBe(true);
    expect(fitsCriteria(record({ DateOfBirth: '1984-09-15' }), criteria({}), 'fold-diacritics')).toBe(false);
    expect(fitsCriteria(record({ GivenName: 'Lucas' }), criteria({}), 'fold-diacritics')).toBe(false);
    expect(fitsCriteria(record(), criteria({ placeOfBirth: 'Berlin' }), 'fold-diacritics')).toBe(false);
    expect(
      fitsCriteria(record(), criteria({ placeOfBirth: 'MUENCHEN', countryOfBirth: 'de' }), 'fold-diacritics'),
    ).toBe(true);
  });

  test('a record lacking a searched attribute does not fit (it cannot be confirmed)', () => {
    expect(fitsCriteria(record({ Birth: undefined }), criteria({ placeOfBirth: 'München' }), 'fold-diacritics')).toBe(
      false,
    );
  });

  test('diacritics and transliteration as for names: Wiśniewska = WISNIEWSKA, Müller = MUELLER, under fold-diacritics only', () => {
    const polish = record({ FamilyName: 'Wiśniewska', GivenName: 'Małgorzata' });
    expect(
      fitsCriteria(polish, criteria({ familyName: 'WISNIEWSKA', givenName: 'MALGORZATA' }), 'fold-diacritics'),
    ).toBe(true);
    expect(fitsCriteria(polish, criteria({ familyName: 'WISNIEWSKA', givenName: 'MALGORZATA' }), 'exact')).toBe(false);
    const mrz = record({ FamilyName: 'MUELLER', GivenName: 'JUERGEN' });
    expect(fitsCriteria(mrz, criteria({ familyName: 'Müller', givenName: 'Jürgen' }), 'fold-diacritics')).toBe(true);
    expect(fitsCriteria(mrz, criteria({ familyName: 'Müller', givenName: 'Jürgen' }), 'exact')).toBe(false);
    expect(fitsCriteria(mrz, criteria({ familyName: 'Muller', givenName: 'Jurgen' }), 'fold-diacritics')).toBe(false);
  });
});

describe('ICAO two-letter transliteration in namesEqual (fold-diacritics)', () => {
  test.each<[string, string, boolean]>([
    ['Müller', 'MUELLER', true],
    ['MUELLER', 'Müller', true],
    ['Müller', 'MULLER', true],
    ['Mueller', 'Muller', false],
    ['Åsa', 'AASA', true],
    ['Øyvind', 'OEYVIND', true],
    ['Øyvind', 'OYVIND', true],
    ['Jürgen Günther', 'JUERGEN GUNTHER', false],
    ['Jürgen-Günther', 'juergen guenther', true],
    ['Straße', 'STRASSE', true],
  ])('%s vs %s → %s', (a, b, equal) => {
    expect(namesEqual(a, b, 'fold-diacritics')).toBe(equal);
  });

  test('exact mode is untouched: Müller ≠ MUELLER', () => {
    expect(namesEqual('Müller', 'MUELLER', 'exact')).toBe(false);
    expect(namesEqual('Müller', 'MÜLLER', 'exact')).toBe(true);
  });
});

describe('onePerson', () => {
  const all = (): boolean => true;

  test('no candidate', () => {
    expect(onePerson([], 'PersonCode', all)).toEqual({ kind: 'none', reason: 'no-candidate' });
  });

  test('candidates of which none fits: mismatch', () => {
    expect(onePerson([dagr(record())], 'PersonCode', () => false)).toEqual({ kind: 'none', reason: 'mismatch' });
  });

  test('two people (different person codes): ambiguous, nobody chosen', () => {
    const namesakes = [dagr(record({ PersonCode: '33918264705' })), dagr(record({ PersonCode: '38256031947' }))];
    expect(onePerson(namesakes, 'PersonCode', all)).toEqual({ kind: 'none', reason: 'ambiguous' });
  });

  test('two people, one of whom fits (e.g. by place of birth): that one', () => {
    const berlin = dagr(record({ PersonCode: '33918264705', Birth: { Place: 'Berlin' } }));
    const hamburg = dagr(record({ PersonCode: '38256031947', Birth: { Place: 'Hamburg' } }));
    expect(onePerson([hamburg, berlin], 'PersonCode', (r) => r === berlin)).toEqual({ kind: 'one', records: [berlin] });
  });

  test('one person with several records: all of them, in order', () => {
    const a = dagr(record({ Diploma: 'A' }));
    const b = dagr(record({ Diploma: 'B' }));
    expect(onePerson([a, b], 'PersonCode', all)).toEqual({ kind: 'one', records: [a, b] });
  });

  test('records without the person field cannot be told apart: one is one person, two are ambiguous', () => {
    const a = dagr(record({ PersonCode: undefined }));
    const b = dagr(record({ PersonCode: '' }));
    expect(onePerson([a], 'PersonCode', all)).toEqual({ kind: 'one', records: [a] });
    expect(onePerson([a, b], 'PersonCode', all)).toEqual({ kind: 'none', reason: 'ambiguous' });
    expect(onePerson([dagr(record()), a], 'PersonCode', all)).toEqual({ kind: 'none', reason: 'ambiguous' });
  });
});
