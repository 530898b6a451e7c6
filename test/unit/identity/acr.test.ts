import { AcrTableError, acrValuesFor, EIDAS_ACR_TABLE, levelOfAcr, parseAcrTable } from '../../../src/identity/acr.js';

describe('acr values of the preview login', () => {
  test('the default table asks with the eIDAS URIs, the minimum first', () => {
    expect(parseAcrTable('')).toBe(EIDAS_ACR_TABLE);
    expect(acrValuesFor('Substantial', EIDAS_ACR_TABLE)).toBe(
      'http://eidas.europa.eu/LoA/substantial http://eidas.europa.eu/LoA/high',
    );
    expect(acrValuesFor('High', EIDAS_ACR_TABLE)).toBe('http://eidas.europa.eu/LoA/high');
  });

  test('an acr claim reads as its level: eIDAS URIs and plain words always', () => {
    expect(levelOfAcr('http://eidas.europa.eu/LoA/low', EIDAS_ACR_TABLE)).toBe('Low');
    expect(levelOfAcr('substantial', EIDAS_ACR_TABLE)).toBe('Substantial');
    expect(levelOfAcr(undefined, EIDAS_ACR_TABLE)).toBeUndefined();
    expect(levelOfAcr('urn:example:loa:2', EIDAS_ACR_TABLE)).toBeUndefined();
  });

  test("a broker's own values, with aliases; an unlisted level keeps its eIDAS URI", () => {
    const table = parseAcrTable('substantial=urn:example:loa:2 high=urn:example:loa:3 HIGH=urn:example:loa:3+');
    expect(levelOfAcr('urn:example:loa:2', table)).toBe('Substantial');
    expect(levelOfAcr('urn:example:loa:3+', table)).toBe('High');
    expect(levelOfAcr('http://eidas.europa.eu/LoA/low', table)).toBe('Low');
    expect(acrValuesFor('Low', table)).toBe('http://eidas.europa.eu/LoA/low urn:example:loa:2 urn:example:loa:3');
  });

  test.each(['substantial', 'medium=urn:x', '=urn:x', 'high='])('%s is refused', (text) => {
    expect(() => parseAcrTable(text)).toThrow(AcrTableError);
  });
});
