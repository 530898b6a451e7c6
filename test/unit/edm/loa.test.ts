import { levelsFrom, loaRank, meetsLevel, parseLevelOfAssurance } from '../../../src/edm/loa.js';

describe('eIDAS levels of assurance', () => {
  test('are ordered low < substantial < high', () => {
    expect(loaRank('Low')).toBeLessThan(loaRank('Substantial'));
    expect(loaRank('Substantial')).toBeLessThan(loaRank('High'));
    expect(meetsLevel('High', 'Substantial')).toBe(true);
    expect(meetsLevel('Substantial', 'Substantial')).toBe(true);
    expect(meetsLevel('Low', 'Substantial')).toBe(false);
    expect(meetsLevel('Substantial', 'High')).toBe(false);
    expect(levelsFrom('Substantial')).toEqual(['Substantial', 'High']);
    expect(levelsFrom('Low')).toEqual(['Low', 'Substantial', 'High']);
  });

  test.each([
    ['Low', 'Low'],
    ['substantial', 'Substantial'],
    [' HIGH ', 'High'],
    ['http://eidas.europa.eu/LoA/low', 'Low'],
    ['http://eidas.europa.eu/LoA/substantial', 'Substantial'],
    ['http://eidas.europa.eu/LoA/High', 'High'],
    // The official code list's own spelling of the URI.
    ['http://eidas.europa.eu/LoA/Substiantial', 'Substantial'],
  ])('%s reads as %s', (text, level) => {
    expect(parseLevelOfAssurance(text)).toBe(level);
  });

  test.each([undefined, '', 'Sub', 'Highest', 'https://eidas.europa.eu/LoA/high', 'urn:loa:3'])(
    '%s is no level',
    (text) => {
      expect(parseLevelOfAssurance(text)).toBeUndefined();
    },
  );
});
