import { parseRegistrationNumber, registrationChecksumOk } from '../../../src/identity/registration-number.js';

describe('parseRegistrationNumber (dagr-notes A4)', () => {
  test.each([
    ['40003521600', '40003521600'],
    ['40900031421', '40900031421'],
    ['90000012827', '90000012827'],
    ['LV40003521600', '40003521600'],
    ['lv 4000 3521 600', '40003521600'],
    ['40003527919', '40003527919'],
  ])('%s is valid', (input, number) => {
    expect(parseRegistrationNumber(input)).toEqual({ ok: true, number, warnings: [] });
  });

  test.each(['40003521601', '40003710000', '50008123440'])('%s fails the checksum', (input) => {
    expect(parseRegistrationNumber(input)).toMatchObject({ ok: false, reason: 'checksum' });
  });

  test.each(['4000352160', '400035216000', 'DE40003521600', '4000352160x', ''])('%s is malformed', (input) => {
    expect(parseRegistrationNumber(input)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  test('a 9-number whose checksum fails is accepted with a warning', () => {
    expect(registrationChecksumOk('90000091300')).toBe(false);
    expect(parseRegistrationNumber('90000091300')).toEqual({
      ok: true,
      number: '90000091300',
      warnings: ['checksum-unconfirmed'],
    });
  });
});
