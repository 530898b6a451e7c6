/**
 * Which records are about the subject (src/exchange/find-record.ts): by identifier, or by
 * attributes for a foreign national under a mapping that allows it; what "not Latvian" means;
 * every record found must pass the identity match. The DAGR port here is a recording stand-in:
 * the real client against the real sandbox is in test/integration/foreign-nationals.test.ts.
 */
import type { NaturalPerson } from '../../../src/edm/model.js';
import { findRecords, noRecordDetail } from '../../../src/exchange/find-record.js';
import type { DagrLookupResult, DagrPort, DagrSearchRequest } from '../../../src/exchange/ports.js';
import type { EvidenceMapping } from '../../../src/mapping/model.js';
import type { DagrRecord } from '../../../src/mapping/record-path.js';
import { loadMappings } from '../../../src/resources/mappings.js';

const residence = loadMappings().find((m) => m.id === 'lv-declared-residence')!;
const withoutForeign: EvidenceMapping = {
  ...residence,
  dagr: { ...residence.dagr, lookup: { from: 'eidas-national' } },
};

function person(over: Partial<NaturalPerson> = {}): NaturalPerson {
  return {
    kind: 'NaturalPerson',
    levelOfAssurance: 'High',
    identifier: { value: 'DE/LV/9B15E8A6C277', schemeID: 'eidas' },
    familyName: 'Weber',
    givenName: 'Thomas',
    dateOfBirth: '1979-03-15',
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

const rec = (fields: Record<string, unknown>): DagrRecord => ({ fields, fetchedAt: '2026-01-01T00:00:00Z' });
const weber = (code: string, place: string): DagrRecord =>
  rec({ PersonCode: code, FamilyName: 'Weber', GivenName: 'Thomas', DateOfBirth: '1979-03-15', BirthPlace: place });
const BERLIN = weber('33918264705', 'Berlin');
const HAMBURG = weber('38256031947', 'Hamburg');

/** Answers searches with `candidates` and lookups with `byKey`; records what it was asked. */
function port(
  candidates: DagrRecord[],
  byKey: DagrRecord[] = [],
): DagrPort & { searches: DagrSearchRequest[]; keys: string[] } {
  const result = (records: DagrRecord[]): DagrLookupResult => {
    const [first, ...rest] = records;
    return first === undefined ? { kind: 'not-found' } : { kind: 'found', records: [first, ...rest] };
  };
  const p = {
    searches: [] as DagrSearchRequest[],
    keys: [] as string[],
    lookup: (r: { key: string }) => {
      p.keys.push(r.key);
      return Promise.resolve(result(byKey));
    },
    search: (r: DagrSearchRequest) => {
      p.searches.push(r);
      return Promise.resolve(result(candidates));
    },
  };
  return p;
}

describe('findRecords: foreign nationals by attributes', () => {
  test('one person fits: found by attributes; DAGR was asked by the minimum data set, with the mapping permission', async () => {
    const dagr = port([BERLIN]);
    const found = await findRecords(person(), residence, 'ref-1', dagr);
    expect(found).toEqual({ kind: 'found', records: [BERLIN], by: 'attributes' });
    expect(dagr.keys).toEqual([]);
    expect(dagr.searches).toEqual([
      {
        service: 'pmlp_declared_residence',
        permission: '22792',
        correlationId: 'ref-1',
        criteria: [
          { field: 'FamilyName', value: 'Weber' },
          { field: 'GivenName', value: 'Thomas' },
          { field: 'DateOfBirth', value: '1979-03-15' },
        ],
      },
    ]);
  });

  test('two namesakes: ambiguous, nobody chosen', async () => {
    expect(await findRecords(person(), residence, 'ref', port([BERLIN, HAMBURG]))).toEqual({
      kind: 'none',
      reason: 'ambiguous',
    });
  });

  test('two namesakes, the request says where he was born: that one (even if DAGR returned both)', async () => {
    const dagr = port([HAMBURG, BERLIN]);
    const found = await findRecords(person({ placeOfBirth: 'Berlin' }), residence, 'ref', dagr);
    expect(found).toEqual({ kind: 'found', records: [BERLIN], by: 'attributes' });
    expect(dagr.searches[0]!.criteria).toContainEqual({ field: 'BirthPlace', value: 'Berlin' });
  });

  test('nobody, or a candidate that the mapping match refuses (DAGR is not trusted to be strict)', async () => {
    expect(await findRecords(person(), residence, 'ref', port([]))).toEqual({ kind: 'none', reason: 'no-candidate' });
    const other = rec({ PersonCode: '1', FamilyName: 'Webers', GivenName: 'Thomas', DateOfBirth: '1979-03-15' });
    expect(await findRecords(person(), residence, 'ref', port([other]))).toEqual({ kind: 'none', reason: 'mismatch' });
  });

  test('a request without the minimum data set is not searched', async () => {
    const dagr = port([BERLIN]);
    expect(await findRecords(person({ dateOfBirth: undefined }), residence, 'ref', dagr)).toEqual({
      kind: 'none',
      reason: 'missing-attributes',
    });
    expect(dagr.searches).toEqual([]);
  });

  test('a mapping without foreignNationals does not search: not-issued-by-latvia', async () => {
    const dagr = port([BERLIN]);
    expect(await findRecords(person(), withoutForeign, 'ref', dagr)).toEqual({
      kind: 'none',
      reason: 'not-issued-by-latvia',
    });
    expect(dagr.searches).toEqual([]);
  });

  test('a port that cannot search: search-unavailable', async () => {
    const full = port([BERLIN]);
    const lookupOnly: DagrPort = { lookup: (r) => full.lookup(r) };
    expect(await findRecords(person(), residence, 'ref', lookupOnly)).toEqual({
      kind: 'none',
      reason: 'search-unavailable',
    });
  });
});

describe('findRecords: what "not Latvian" means', () => {
  test.each<[string, NaturalPerson['identifier'], string]>([
    ['no identifier at all', undefined, 'missing-identifier'],
    ['a malformed identifier', { value: 'Weber-1979', schemeID: 'eidas' }, 'invalid-identifier'],
    [
      'a Latvian identifier with an invalid code',
      { value: 'LV/DE/010190-12345', schemeID: 'eidas' },
      'invalid-identifier',
    ],
  ])('%s: no search by name (%s)', async (_what, identifier, reason) => {
    const dagr = port([BERLIN]);
    expect(await findRecords(person({ identifier }), residence, 'ref', dagr)).toEqual({ kind: 'none', reason });
    expect(dagr.searches).toEqual([]);
  });

  test('a Latvian identifier not found is not-found: never a fallback to attributes', async () => {
    const dagr = port([BERLIN]);
    const latvian = person({ identifier: { value: 'LV/DE/01010110014', schemeID: 'eidas' } });
    expect(await findRecords(latvian, residence, 'ref', dagr)).toEqual({ kind: 'none', reason: 'not-found' });
    expect(dagr.keys).toEqual(['01010110014']);
    expect(dagr.searches).toEqual([]);
  });

  test('by identifier: the records that pass the match; none passing is mismatch', async () => {
    const anna = rec({
      PersonCode: '12048814731',
      FamilyName: 'Bērziņa',
      GivenName: 'Anna',
      DateOfBirth: '1988-04-12',
    });
    const subject = person({
      identifier: { value: 'LV/DE/12048814731', schemeID: 'eidas' },
      familyName: 'BERZINA',
      givenName: 'Anna',
      dateOfBirth: '1988-04-12',
    });
    expect(await findRecords(subject, residence, 'ref', port([], [anna]))).toEqual({
      kind: 'found',
      records: [anna],
      by: 'identifier',
    });
    expect(await findRecords({ ...subject, dateOfBirth: '1988-04-13' }, residence, 'ref', port([], [anna]))).toEqual({
      kind: 'none',
      reason: 'mismatch',
    });
  });
});

test('the reason text names the reason and no personal data', () => {
  expect(noRecordDetail('ambiguous')).toBe(
    'no matching record (ambiguous: attribute search found several people; none chosen)',
  );
});
