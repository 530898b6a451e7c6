import { parseEidasIdentifier } from '../../../src/identity/eidas.js';

describe('parseEidasIdentifier', () => {
  test.each([
    ['LV/DE/12048814731', 'LV', 'DE', '12048814731'],
    ['DE/DE/123456789', 'DE', 'DE', '123456789'],
    ['lv/de/120488-14731', 'LV', 'DE', '120488-14731'],
    [' EL/LV/ABC/12 ', 'EL', 'LV', 'ABC/12'],
  ])('%s', (input, issuingCountry, destinationCountry, national) => {
    expect(parseEidasIdentifier(input)).toEqual({ ok: true, issuingCountry, destinationCountry, national });
  });

  test.each(['12048814731', 'LV/DE/', 'LV//123', 'LVA/DE/1', 'L1/DE/1', 'LV/DE/ ', ''])('%s is malformed', (input) => {
    expect(parseEidasIdentifier(input)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
