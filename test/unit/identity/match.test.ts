import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { LegalPerson, NaturalPerson, Subject } from '../../../src/edm/model.js';
import { parseQueryRequest } from '../../../src/edm/parse-request.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { calendarDate, lookupKey, matchSubject } from '../../../src/identity/match.js';
import type { EvidenceMapping } from '../../../src/mapping/model.js';
import { createMappingRegistry } from '../../../src/mapping/registry.js';
import { loadMappings } from '../../../src/resources/mappings.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function person(over: Partial<NaturalPerson> = {}): NaturalPerson {
  return {
    kind: 'NaturalPerson',
    levelOfAssurance: 'High',
    identifier: { value: 'LV/DE/12048814731', schemeID: 'eidas' },
    familyName: 'Bērziņa',
    givenName: 'Anna',
    dateOfBirth: '1988-04-12',
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

function company(over: Partial<LegalPerson> = {}): LegalPerson {
  return {
    kind: 'LegalPerson',
    levelOfAssurance: 'High',
    legalPersonIdentifier: { value: 'LV/DE/40003527919', schemeID: 'eidas' },
    identifiers: [],
    legalName: 'SIA "Zaļā Birzs"',
    registeredAddress: undefined,
    sectorSpecificAttributes: [],
    ...over,
  };
}

const NATIONAL = { from: 'eidas-national' } as const;

describe('lookupKey', () => {
  test.each<[string, Subject, EvidenceMapping['dagr']['lookup'], ReturnType<typeof lookupKey>]>([
    ['legacy code', person(), NATIONAL, { ok: true, key: '12048814731' }],
    [
      'code with hyphen',
      person({ identifier: { value: 'LV/DE/120488-14731', schemeID: 'eidas' } }),
      NATIONAL,
      { ok: true, key: '12048814731' },
    ],
    [
      'new-format code',
      person({ identifier: { value: 'LV/FR/32951740286', schemeID: 'eidas' } }),
      NATIONAL,
      { ok: true, key: '32951740286' },
    ],
    [
      'lower-case country',
      person({ identifier: { value: 'lv/de/12048814731', schemeID: 'eidas' } }),
      NATIONAL,
      { ok: true, key: '12048814731' },
    ],
    [
      'issued by Germany',
      person({ identifier: { value: 'DE/LV/123456789', schemeID: 'eidas' } }),
      NATIONAL,
      { ok: false, reason: 'not-issued-by-latvia' },
    ],
    [
      'checksum fails',
      person({ identifier: { value: 'LV/DE/010190-12345', schemeID: 'eidas' } }),
      NATIONAL,
      { ok: false, reason: 'invalid-identifier' },
    ],
    [
      'not eIDAS shaped',
      person({ identifier: { value: '12048814731', schemeID: 'eidas' } }),
      NATIONAL,
      { ok: false, reason: 'invalid-identifier' },
    ],
    ['no identifier', person({ identifier: undefined }), NATIONAL, { ok: false, reason: 'missing-identifier' }],
    [
      'blank identifier',
      person({ identifier: { value: '  ', schemeID: 'eidas' } }),
      NATIONAL,
      { ok: false, reason: 'missing-identifier' },
    ],
    ['company', company(), NATIONAL, { ok: true, key: '40003527919' }],
    [
      'company 9-number, checksum unconfirmed',
      company({ legalPersonIdentifier: { value: 'LV/DE/90000091300', schemeID: 'eidas' } }),
      NATIONAL,
      { ok: true, key: '90000091300' },
    ],
    [
      'company checksum fails',
      company({ legalPersonIdentifier: { value: 'LV/DE/40003521601', schemeID: 'eidas' } }),
      NATIONAL,
      { ok: false, reason: 'invalid-identifier' },
    ],
    [
      'a personal code is not a registration number',
      company({ legalPersonIdentifier: { value: 'LV/DE/120488-14731', schemeID: 'eidas' } }),
      NATIONAL,
      { ok: false, reason: 'invalid-identifier' },
    ],
    [
      'eidas-full as written',
      person({ identifier: { value: ' DE/DE/123456789 ', schemeID: 'eidas' } }),
      { from: 'eidas-full' },
      { ok: true, key: 'DE/DE/123456789' },
    ],
    [
      'eidas-full, malformed',
      person({ identifier: { value: '123456789', schemeID: 'eidas' } }),
      { from: 'eidas-full' },
      { ok: false, reason: 'invalid-identifier' },
    ],
    [
      'eidas-full, missing',
      person({ identifier: undefined }),
      { from: 'eidas-full' },
      { ok: false, reason: 'missing-identifier' },
    ],
    [
      'VAT identifier',
      company({ identifiers: [{ value: 'LV40003527919', schemeID: 'VAT' }] }),
      { from: 'legal-identifier', scheme: 'VAT' },
      { ok: true, key: '40003527919' },
    ],
    [
      'VAT scheme case-insensitive',
      company({ identifiers: [{ value: '40003527919', schemeID: 'vat' }] }),
      { from: 'legal-identifier', scheme: 'VAT' },
      { ok: true, key: '40003527919' },
    ],
    [
      'foreign VAT',
      company({ identifiers: [{ value: 'SE730757727', schemeID: 'VAT' }] }),
      { from: 'legal-identifier', scheme: 'VAT' },
      { ok: false, reason: 'not-issued-by-latvia' },
    ],
    [
      'no identifier with the scheme',
      company({ identifiers: [{ value: 'LV40003527919', schemeID: 'TAX' }] }),
      { from: 'legal-identifier', scheme: 'VAT' },
      { ok: false, reason: 'missing-identifier' },
    ],
    [
      'legal-identifier for a person',
      person(),
      { from: 'legal-identifier', scheme: 'VAT' },
      { ok: false, reason: 'missing-identifier' },
    ],
  ])('%s', (_name, subject, lookup, expected) => {
    expect(lookupKey(subject, lookup)).toEqual(expected);
  });
});

const natural = (nameMatching: 'exact' | 'fold-diacritics'): Pick<EvidenceMapping, 'dagr'> => ({
  dagr: {
    service: 's',
    permission: '1',
    lookup: NATIONAL,
    match: [
      { attribute: 'FamilyName', field: 'Holder.FamilyName' },
      { attribute: 'GivenName', field: 'Holder.GivenName' },
      { attribute: 'DateOfBirth', field: 'Holder.DateOfBirth' },
    ],
    nameMatching,
  },
});
const RECORD = { Holder: { FamilyName: 'Bērziņa', GivenName: 'Anna', DateOfBirth: '1988-04-12' } };

describe('matchSubject', () => {
  test.each<[string, NaturalPerson, 'exact' | 'fold-diacritics', readonly string[]]>([
    ['same', person(), 'exact', []],
    ['upper case', person({ familyName: 'BĒRZIŅA', givenName: 'ANNA' }), 'exact', []],
    ['no diacritics, exact', person({ familyName: 'BERZINA' }), 'exact', ['FamilyName']],
    ['no diacritics, folded', person({ familyName: 'BERZINA' }), 'fold-diacritics', []],
    ['other family name', person({ familyName: 'Kalniņa' }), 'fold-diacritics', ['FamilyName']],
    ['other date', person({ dateOfBirth: '1988-04-13' }), 'exact', ['DateOfBirth']],
    ['date with timezone', person({ dateOfBirth: '1988-04-12+02:00' }), 'exact', []],
    ['impossible date', person({ dateOfBirth: '1988-02-30' }), 'exact', ['DateOfBirth']],
    ['missing given name', person({ givenName: undefined }), 'fold-diacritics', ['GivenName']],
    ['missing date of birth', person({ dateOfBirth: undefined }), 'exact', ['DateOfBirth']],
    [
      'everything different',
      person({ familyName: 'Smith', givenName: 'Jack', dateOfBirth: '1999-03-01' }),
      'exact',
      ['FamilyName', 'GivenName', 'DateOfBirth'],
    ],
  ])('%s', (_name, subject, mode, failed) => {
    expect(matchSubject(subject, RECORD, natural(mode))).toEqual({ matched: failed.length === 0, failed });
  });

  test('a field missing in the record fails the attribute', () => {
    expect(matchSubject(person(), { Holder: { FamilyName: 'Bērziņa', GivenName: 'Anna' } }, natural('exact'))).toEqual({
      matched: false,
      failed: ['DateOfBirth'],
    });
  });

  test('LegalName for a company; a natural-person attribute never matches a company', () => {
    const mapping: Pick<EvidenceMapping, 'dagr'> = {
      dagr: { ...natural('fold-diacritics').dagr, match: [{ attribute: 'LegalName', field: 'LegalName' }] },
    };
    expect(
      matchSubject(company({ legalName: 'SIA ZALA BIRZS' }), { LegalName: 'SIA "Zaļā Birzs"' }, mapping).matched,
    ).toBe(true);
    expect(
      matchSubject(company({ legalName: 'SIA Zaļā Pļava' }), { LegalName: 'SIA "Zaļā Birzs"' }, mapping).failed,
    ).toEqual(['LegalName']);
    expect(matchSubject(person(), { LegalName: 'Anna' }, mapping).failed).toEqual(['LegalName']);
    expect(matchSubject(company(), RECORD, natural('exact')).failed).toEqual([
      'FamilyName',
      'GivenName',
      'DateOfBirth',
    ]);
  });

  test('no match attributes: the identifier alone decides', () => {
    expect(matchSubject(person(), {}, { dagr: { ...natural('exact').dagr, match: [] } })).toEqual({
      matched: true,
      failed: [],
    });
  });

  test('calendarDate', () => {
    expect(calendarDate('1999-03-01')).toBe('1999-03-01');
    expect(calendarDate('1999-03-01Z')).toBe('1999-03-01');
    expect(calendarDate('1999-03-01T00:00:00+01:00')).toBe('1999-03-01');
    expect(calendarDate('01.03.1999')).toBeUndefined();
    expect(calendarDate('1999-13-01')).toBeUndefined();
  });
});

describe('the shipped example requests find and match their sandbox record', () => {
  const mappings = createMappingRegistry(loadMappings());
  const dir = path.join(ROOT, 'examples', 'requests');
  const datasets = new Map(
    readdirSync(path.join(ROOT, 'src/sandbox/dagr-data'))
      .filter((f) => f.endsWith('.json') && f !== 'permissions.json')
      .map((f) => {
        const d = JSON.parse(readFileSync(path.join(ROOT, 'src/sandbox/dagr-data', f), 'utf8'));
        return [d.service_name as string, d as { key: string; records: Record<string, unknown>[] }];
      }),
  );

  test.each(readdirSync(dir).filter((f) => f.endsWith('.xml')))('%s', (file) => {
    const request = parseQueryRequest(parseXml(readFileSync(path.join(dir, file), 'utf8')));
    const et = request.evidenceRequest!;
    const found = mappings.find(et.evidenceTypeClassification!, et.distributedAs[0]?.format);
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    expect(found.distribution.format).toBe(et.distributedAs[0]?.format);
    const key = lookupKey(request.subject!, found.mapping.dagr.lookup);
    expect(key.ok).toBe(true);
    if (!key.ok) return;
    const dataset = datasets.get(found.mapping.dagr.service)!;
    const keyField = /^\w+/.exec(dataset.key)![0];
    const record = dataset.records.find((r) => r[keyField] === key.key);
    expect(record).toBeDefined();
    expect(matchSubject(request.subject!, record!, found.mapping)).toEqual({ matched: true, failed: [] });
  });
});
