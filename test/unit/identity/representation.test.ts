import { findPower } from '../../../src/identity/representation.js';
import type { DagrRecord } from '../../../src/mapping/record-path.js';

const rec = (fields: Record<string, unknown>): DagrRecord => ({ fields, fetchedAt: '2026-12-01T00:00:00Z' });
const COMPANY = '40003527919';
const records = [
  rec({
    RegistrationNumber: COMPANY,
    PersonCode: '23117510621',
    Position: 'ChairOfBoard',
    RepresentationRights: 'individually',
  }),
  rec({
    RegistrationNumber: COMPANY,
    PersonCode: '08039019275',
    Position: 'BoardMember',
    RepresentationRights: 'jointly',
    JointlyWith: 1,
  }),
  rec({
    RegistrationNumber: COMPANY,
    PersonCode: '12048814731',
    Position: 'Shareholder',
    RepresentationRights: 'none',
  }),
  rec({
    RegistrationNumber: COMPANY,
    PersonCode: '03075511352',
    Position: 'BoardMember',
    RepresentationRights: 'individually',
    ValidTo: '2020-12-31',
  }),
  rec({
    RegistrationNumber: COMPANY,
    PersonCode: '30066912908',
    Position: 'Procurator',
    RepresentationRights: 'jointly',
    JointlyWith: 1,
  }),
  rec({
    RegistrationNumber: COMPANY,
    PersonCode: '30066912908',
    Position: 'BoardMember',
    RepresentationRights: 'individually',
    ValidFrom: '2030-01-01',
  }),
  rec({
    RegistrationNumber: COMPANY,
    PersonCode: 'DE/DE/123456787',
    Position: 'Procurator',
    RepresentationRights: 'individually',
  }),
  rec({
    RegistrationNumber: '40103672159',
    PersonCode: '17028115143',
    Position: 'ChairOfBoard',
    RepresentationRights: 'individually',
  }),
];
const TODAY = '2026-12-07';

describe('powers of representation', () => {
  test('a board member with individual rights has a power, by eIDAS identifier or bare personal code', () => {
    const expected = { ok: true, power: { position: 'ChairOfBoard', scope: 'individually' } };
    expect(findPower(records, COMPANY, 'LV/DE/23117510621', TODAY)).toEqual(expected);
    expect(findPower(records, COMPANY, '231175-10621', TODAY)).toEqual(expected);
  });

  test('a joint power counts, and its scope says so', () => {
    expect(findPower(records, COMPANY, 'LV/LV/08039019275', TODAY)).toEqual({
      ok: true,
      power: { position: 'BoardMember', scope: 'jointly', jointlyWith: 1 },
    });
  });

  test('a foreign procura holder is found by the eIDAS identifier (destination country ignored)', () => {
    expect(findPower(records, COMPANY, 'DE/LV/123456787', TODAY)).toMatchObject({
      ok: true,
      power: { scope: 'individually' },
    });
  });

  test('listed without rights, expired, or not yet valid: no power', () => {
    expect(findPower(records, COMPANY, 'LV/LV/12048814731', TODAY)).toEqual({ ok: false, reason: 'no-power' });
    expect(findPower(records, COMPANY, 'LV/LV/03075511352', TODAY)).toEqual({ ok: false, reason: 'power-expired' });
    // The current joint procura counts; the board seat from 2030 does not yet.
    expect(findPower(records, COMPANY, 'LV/LV/30066912908', TODAY)).toMatchObject({
      ok: true,
      power: { scope: 'jointly' },
    });
    expect(findPower(records, COMPANY, 'LV/LV/30066912908', '2031-01-01')).toMatchObject({
      ok: true,
      power: { position: 'BoardMember', scope: 'individually' },
    });
  });

  test('an officer of another company, an unknown person, or no identifier: not listed', () => {
    expect(findPower(records, COMPANY, 'LV/LV/17028115143', TODAY)).toEqual({ ok: false, reason: 'not-listed' });
    expect(findPower(records, COMPANY, 'LV/LV/01010110014', TODAY)).toEqual({ ok: false, reason: 'not-listed' });
    expect(findPower(records, COMPANY, undefined, TODAY)).toEqual({ ok: false, reason: 'not-listed' });
    expect(findPower(records, '', 'LV/LV/23117510621', TODAY)).toEqual({ ok: false, reason: 'not-listed' });
  });
});
