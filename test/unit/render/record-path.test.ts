import {
  displayText,
  formatDate,
  isAbsent,
  readField,
  readPath,
  recordTimestamp,
} from '../../../src/render/record-path.js';
import { input, mapping, record, xmlDistribution } from './fixtures.js';

describe('readPath', () => {
  const fields = {
    Name: 'Anna',
    Birth: { Place: 'Rīga', Year: 1990, Alive: true, Nested: { Deep: ['x', 'y'] } },
    Persons: [{ Name: 'Ēriks' }, { Name: 'Līga' }],
  };

  test.each([
    ['Name', 'Anna'],
    ['Birth.Place', 'Rīga'],
    ['Birth.Year', 1990],
    ['Birth.Alive', true],
    ['Birth.Nested.Deep.1', 'y'],
    ['Persons.0.Name', 'Ēriks'],
    ['Persons.1.Name', 'Līga'],
  ])('%s', (path, expected) => {
    expect(readPath(fields, path)).toEqual(expected);
  });

  test('returns whole structures', () => {
    expect(readPath(fields, 'Persons')).toEqual(fields.Persons);
    expect(readPath(fields, 'Birth.Nested')).toEqual({ Deep: ['x', 'y'] });
  });

  test.each([
    'Missing',
    'Birth.Missing',
    'Name.Length', // a string has no members
    'Persons.2.Name', // beyond the array
    'Persons.x.Name', // not an index
    'Persons.-1.Name',
    'Birth..Place',
    '',
    '__proto__',
    'constructor',
    'Birth.toString',
    'Persons.length',
  ])('%s is undefined', (path) => {
    expect(readPath(fields, path)).toBeUndefined();
  });
});

test('isAbsent', () => {
  expect([undefined, null, '', '   ', [], [null, '']].map(isAbsent)).toEqual([true, true, true, true, true, true]);
  expect([0, false, 'x', ['x'], {}].map(isAbsent)).toEqual([false, false, false, false, false]);
});

describe('formatDate', () => {
  test.each([
    ['2019-05-14', 'lv', '14.05.2019'],
    ['2019-05-14', 'en', '2019-05-14'],
    ['2024-02-29T09:30:00Z', 'lv', '29.02.2024 09:30 UTC'],
    ['2024-02-29T09:30:00.123+02:00', 'en', '2024-02-29 09:30 UTC+02:00'],
    ['2024-02-29T09:30', 'lv', '29.02.2024 09:30'],
  ] as const)('%s (%s) → %s', (value, language, expected) => {
    expect(formatDate(value, language)).toBe(expected);
  });

  test.each(['14.05.2019', '2019-5-14', 'Rīga', '2019-05-14 extra'])('%s is not a date', (value) => {
    expect(formatDate(value, 'lv')).toBeUndefined();
  });
});

describe('displayText', () => {
  test('dates follow the primary language', () => {
    expect(displayText('1990-01-01', ['lv', 'en'])).toBe('01.01.1990');
    expect(displayText('1990-01-01', ['en', 'lv'])).toBe('1990-01-01');
  });
  test('booleans in every language', () => {
    expect(displayText(true, ['lv', 'en'])).toBe('jā / yes');
    expect(displayText(false, ['en'])).toBe('no');
  });
  test('numbers, lists and structures', () => {
    expect(displayText(1234.5, ['lv'])).toBe('1234.5');
    expect(displayText(['a', '', null, 'b'], ['lv'])).toBe('a, b');
    expect(displayText({ City: 'Rīga', Zip: 'LV-1050', Empty: '' }, ['lv'])).toBe('City: Rīga; Zip: LV-1050');
    expect(displayText(null, ['lv'])).toBe('');
  });
});

describe('context fields', () => {
  test('$issuingDate and record paths', () => {
    const i = input(xmlDistribution);
    expect(readField(i, '$issuingDate')).toBe('2024-03-01');
    expect(readField(i, 'Birth.Place')).toBe(record.fields.Birth.Place);
  });

  test('$recordTimestamp is the update field, else the fetch time', () => {
    expect(recordTimestamp(input(xmlDistribution))).toBe('2024-02-29T09:30:00Z');
    const withoutUpdate: Record<string, unknown> = { ...record.fields };
    delete withoutUpdate.UpdatedAt;
    expect(recordTimestamp(input(xmlDistribution, { record: { ...record, fields: withoutUpdate } }))).toBe(
      record.fetchedAt,
    );
    const noField = { ...mapping, dagr: { ...mapping.dagr, updatedAtField: undefined } };
    expect(readField(input(xmlDistribution, { mapping: noField }), '$recordTimestamp')).toBe(record.fetchedAt);
  });
});
