/**
 * The mapping keys of issue 19: `levelOfAssurance` (default Substantial, stated in the DSD
 * registration) and `representation` (companies only).
 */
import { readFileSync } from 'node:fs';
import { requiredLevel } from '../../../src/mapping/assurance.js';
import { dsdRegistration, formatDsdText } from '../../../src/mapping/dsd.js';
import { parseMappingSource } from '../../../src/mapping/parse.js';

const SCHEMA = JSON.parse(readFileSync('schemas/mapping.schema.json', 'utf8')) as object;
const ACCESS = { partyId: 'AP_LV', partyIdType: 'urn:x', conformsTo: ['oots-edm:v1.0'], country: 'LV' };
const shipped = (id: string, extra = '') =>
  parseMappingSource(readFileSync(`mappings/${id}.yaml`, 'utf8') + extra, `${id}.yaml`, SCHEMA);
const without = (text: string, key: RegExp) => text.replace(key, '');

describe('levelOfAssurance', () => {
  test('a mapping without it needs Substantial, and its DSD registration says so', () => {
    const r = shipped('lv-birth-certificate');
    if (!r.ok) throw new Error('shipped mapping invalid');
    expect(r.mapping.levelOfAssurance).toBeUndefined();
    expect(requiredLevel(r.mapping)).toBe('Substantial');
    const dsd = dsdRegistration(r.mapping, ACCESS, '00000000-0000-4000-8000-000000000000');
    expect(dsd.dataServiceEvidenceType.authenticationLevelOfAssurance).toBe('Substantial');
    expect(formatDsdText(dsd)).toMatch(/AuthenticationLevelOfAssurance\s+Substantial/);
  });

  test('a mapping saying High needs High', () => {
    const r = shipped('lv-birth-certificate', 'levelOfAssurance: High\n');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(requiredLevel(r.mapping)).toBe('High');
    expect(dsdRegistration(r.mapping, ACCESS, 'x').dataServiceEvidenceType.authenticationLevelOfAssurance).toBe('High');
  });

  test('a value outside the code list is refused with its line', () => {
    const r = shipped('lv-birth-certificate', 'levelOfAssurance: substantial\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.field)).toContain('levelOfAssurance');
  });
});

describe('representation', () => {
  test('the company mapping names the officers dataset', () => {
    const r = shipped('lv-company-register-extract');
    if (!r.ok) throw new Error('shipped mapping invalid');
    expect(r.mapping.representation).toEqual({ service: 'ur_company_officers', permission: '31045' });
    expect(r.mapping.levelOfAssurance).toBe('Substantial');
  });

  test('is refused on a natural person, and needs both service and permission', () => {
    const natural = shipped(
      'lv-birth-certificate',
      'representation: { service: ur_company_officers, permission: "31045" }\n',
    );
    expect(natural.ok).toBe(false);
    if (!natural.ok) expect(natural.problems.map((p) => p.message).join()).toMatch(/subject: LegalPerson/);
    const text = without(readFileSync('mappings/lv-company-register-extract.yaml', 'utf8'), / {2}permission: '31045'\n/);
    const half = parseMappingSource(text, 'lv-company-register-extract.yaml', SCHEMA);
    expect(half.ok).toBe(false);
  });
});
