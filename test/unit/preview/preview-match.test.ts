import type { LegalPerson, NaturalPerson } from '../../../src/edm/model.js';
import {
  matchPreviewIdentity,
  sameIdentifier,
  type AuthenticatedIdentity,
} from '../../../src/identity/preview-match.js';
import { person } from '../../integration/preview-support.js';

const policy = { nameMatching: 'fold-diacritics' as const };
const anna: AuthenticatedIdentity = {
  identifier: 'LV/LV/12048814731',
  givenName: 'Anna',
  familyName: 'Bērziņa',
  birthDate: '1988-04-12',
};

function company(representative?: NaturalPerson): [LegalPerson, NaturalPerson | undefined] {
  return [
    {
      kind: 'LegalPerson',
      levelOfAssurance: undefined,
      legalPersonIdentifier: { value: 'LV/DE/40003527919', schemeID: 'eidas' },
      identifiers: [],
      legalName: 'SIA "Zaļā Birzs"',
      registeredAddress: undefined,
      sectorSpecificAttributes: [],
    },
    representative,
  ];
}

describe('sameIdentifier', () => {
  test.each([
    ['LV/DE/12048814731', 'LV/LV/12048814731', true], // destination country differs by design
    ['LV/DE/120488-14731', '12048814731', true], // bare personal code = Latvian
    ['LV/DE/12048814731', '120488-14731', true],
    ['LV/DE/12048814731', ' 120488-14731 ', true],
    ['LV/DE/12048814731', 'LV/DE/23117510621', false],
    ['LV/DE/12048814731', 'EE/LV/12048814731', false], // another issuing country
    ['LV/DE/010190-12345', 'LV/LV/010190-12345', false], // checksum fails: not a personal code
    ['DE/DE/123456787', 'DE/LV/123456787', true],
    ['DE/DE/123456787', 'de/lv/123456787', true],
    ['DE/DE/123456787', 'DE/LV/123456788', false],
    ['DE/DE/123456787', '123456787', false],
    ['not-an-id', 'not-an-id', false],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(sameIdentifier(a, b)).toBe(expected);
  });
});

describe('matchPreviewIdentity', () => {
  test('the subject logging in matches, diacritics folded as in the DAGR match', () => {
    expect(matchPreviewIdentity(person(), undefined, anna, policy)).toEqual({ matched: true });
    expect(
      matchPreviewIdentity(person(), undefined, { ...anna, familyName: 'BERZINA', givenName: 'ANNA' }, policy),
    ).toEqual({ matched: true });
    expect(
      matchPreviewIdentity(person(), undefined, { ...anna, familyName: 'BERZINA' }, { nameMatching: 'exact' }),
    ).toEqual({
      matched: false,
      reason: 'attribute-mismatch',
      attribute: 'FamilyName',
    });
  });

  test('another person does not match, whatever the names say', () => {
    const janis = {
      identifier: 'LV/LV/23117510621',
      givenName: 'Anna',
      familyName: 'Bērziņa',
      birthDate: '1988-04-12',
    };
    expect(matchPreviewIdentity(person(), undefined, janis, policy)).toEqual({
      matched: false,
      reason: 'identifier-mismatch',
    });
  });

  test('same identifier but a different date of birth or name is a mismatch', () => {
    expect(matchPreviewIdentity(person(), undefined, { ...anna, birthDate: '1988-04-13' }, policy)).toMatchObject({
      matched: false,
      attribute: 'DateOfBirth',
    });
    expect(matchPreviewIdentity(person(), undefined, { ...anna, givenName: 'Anne' }, policy)).toMatchObject({
      matched: false,
      attribute: 'GivenName',
    });
  });

  test('attributes missing on one side are skipped unless required', () => {
    const bare = { identifier: '120488-14731' };
    expect(matchPreviewIdentity(person(), undefined, bare, policy)).toEqual({ matched: true });
    expect(matchPreviewIdentity(person({ dateOfBirth: undefined }), undefined, anna, policy)).toEqual({
      matched: true,
    });
    expect(matchPreviewIdentity(person(), undefined, bare, { ...policy, required: ['DateOfBirth'] })).toEqual({
      matched: false,
      reason: 'attribute-missing',
      attribute: 'DateOfBirth',
    });
  });

  test('no identifier on either side never matches', () => {
    expect(matchPreviewIdentity(person({ identifier: undefined }), undefined, anna, policy)).toMatchObject({
      matched: false,
      reason: 'identifier-missing',
    });
    expect(matchPreviewIdentity(person(), undefined, { ...anna, identifier: undefined }, policy)).toMatchObject({
      matched: false,
      reason: 'identifier-missing',
    });
    expect(matchPreviewIdentity(undefined, undefined, anna, policy)).toEqual({ matched: false, reason: 'no-person' });
  });

  test('a company is previewed by its representative; without one nobody matches', () => {
    const ilze = person({
      identifier: { value: 'LV/DE/03075511352', schemeID: 'eidas' },
      givenName: 'Ilze',
      familyName: 'Ūdre',
      dateOfBirth: '1955-07-03',
    });
    const login = { identifier: 'LV/LV/03075511352', givenName: 'Ilze', familyName: 'UDRE', birthDate: '1955-07-03' };
    expect(matchPreviewIdentity(...company(ilze), login, policy)).toEqual({ matched: true });
    expect(matchPreviewIdentity(...company(ilze), anna, policy)).toMatchObject({
      matched: false,
      reason: 'identifier-mismatch',
    });
    expect(matchPreviewIdentity(...company(), login, policy)).toEqual({ matched: false, reason: 'no-person' });
  });

  test('Projectathon TC06–TC09: Jonas Smith (DE) through the eIDAS node', () => {
    const jonas = person({
      identifier: { value: 'DE/DE/123456787', schemeID: 'eidas' },
      givenName: 'Jonas',
      familyName: 'Smith',
      dateOfBirth: '1999-03-01',
    });
    expect(
      matchPreviewIdentity(
        jonas,
        undefined,
        { identifier: 'DE/LV/123456787', givenName: 'Jonas', familyName: 'Smith', birthDate: '1999-03-01' },
        policy,
      ),
    ).toEqual({
      matched: true,
    });
  });
});
