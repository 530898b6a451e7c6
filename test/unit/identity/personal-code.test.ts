import {
  isValidPersonalCode,
  legacyCheckDigit,
  normalisePersonalCode,
  parsePersonalCode,
} from '../../../src/identity/personal-code.js';

describe('parsePersonalCode: dagr-notes A4 vectors and formats', () => {
  test.each([
    // [input, 11 digits, format, birth date]
    ['161175-19997', '16117519997', 'legacy', '1975-11-16'],
    ['29075810403', '29075810403', 'legacy', '1958-07-29'],
    ['11111111410', '11111111410', 'legacy', '1911-11-11'],
    ['120488-14731', '12048814731', 'legacy', '1988-04-12'],
    ['150100-22185', '15010022185', 'legacy', '2000-01-15'],
    [' 120488-14731 ', '12048814731', 'legacy', '1988-04-12'],
    ['32951740286', '32951740286', 'new', undefined],
    ['329517-40286', '32951740286', 'new', undefined],
    ['38462071953', '38462071953', 'new', undefined],
    ['39000000000', '39000000000', 'new', undefined],
  ])('%s is valid', (input, code, format, birthDate) => {
    const r = parsePersonalCode(input);
    expect(r).toMatchObject({ ok: true, code, format, display: `${code.slice(0, 6)}-${code.slice(6)}` });
    if (r.ok) expect(r.birthDate).toBe(birthDate);
  });

  test.each([
    ['010190-12345', 'checksum'],
    ['161175-19998', 'checksum'],
    ['29075810404', 'checksum'],
    // 31 February, month 13, century digit 3 (not a new code: second digit 1 → legacy day 31)
    ['310290-10000', 'invalid-date'],
    ['011390-10000', 'invalid-date'],
    ['010190-30000', 'invalid-date'],
    ['290201-10000', 'invalid-date'],
    ['1611751999', 'malformed'],
    ['161175-199977', 'malformed'],
    ['1611-7519997', 'malformed'],
    ['16117519997a', 'malformed'],
    ['PK:16117519997', 'malformed'],
    ['', 'malformed'],
  ])('%s fails: %s', (input, reason) => {
    expect(parsePersonalCode(input)).toMatchObject({ ok: false, reason });
    expect(isValidPersonalCode(input)).toBe(false);
  });

  test('the expected check digit of the notes vector is 9', () => {
    expect(legacyCheckDigit('0101901234')).toBe(9);
    expect(parsePersonalCode('010190-12349').ok).toBe(true);
  });

  test('29 February only in leap years (2000 is one, 1900 is not)', () => {
    const withCheck = (first10: string): string => `${first10}${legacyCheckDigit(first10)}`;
    expect(parsePersonalCode(withCheck('2902002000'))).toMatchObject({ ok: true, birthDate: '2000-02-29' });
    expect(parsePersonalCode(withCheck('2902001000'))).toMatchObject({ ok: false, reason: 'invalid-date' });
    expect(parsePersonalCode(withCheck('2902881000'))).toMatchObject({ ok: true, birthDate: '1988-02-29' });
    expect(parsePersonalCode(withCheck('0101990000'))).toMatchObject({ ok: true, birthDate: '1899-01-01' });
  });

  test('normalise accepts the hyphen only after the sixth digit', () => {
    expect(normalisePersonalCode('161175-19997')).toBe('16117519997');
    expect(normalisePersonalCode('16117519997')).toBe('16117519997');
    expect(normalisePersonalCode('16117-519997')).toBeUndefined();
  });
});
