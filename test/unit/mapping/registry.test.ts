import { MappingError } from '../../../src/mapping/parse.js';
import type { EvidenceMapping } from '../../../src/mapping/model.js';
import { canonicalEvidenceType, createMappingRegistry } from '../../../src/mapping/registry.js';

const EC = 'https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/LV/40e71553-ddff-4f99-a79b-a506a939e416';
const PLAIN = 'https://sr.oots.tech.europa.eu/evidencetypeclassifications/LV/40e71553-ddff-4f99-a79b-a506a939e416';
const OTHER = 'https://sr.oots.tech.europa.eu/evidencetypeclassifications/EU/b6a49e54-8b3c-4688-acad-380440dc5962';

function mapping(
  id: string,
  evidenceTypes: string[],
  formats: ('application/pdf' | 'application/xml')[],
): EvidenceMapping {
  return {
    id,
    version: '1',
    evidenceTypes,
    title: { lv: 't', en: 't' },
    issuingAuthority: { id: '1', scheme: 's', name: { lv: 'n', en: 'n' } },
    subject: 'NaturalPerson',
    dagr: { service: 's', permission: '1', lookup: { from: 'eidas-national' }, match: [], nameMatching: 'exact' },
    distributions: formats.map((format) =>
      format === 'application/pdf'
        ? { format, pdf: { sections: [] } }
        : { format, conformsTo: 'https://x/dm', xml: { root: 'R', namespace: 'https://x/ns', fields: [] } },
    ),
  };
}

describe('mapping registry', () => {
  const birth = mapping('birth', [EC], ['application/pdf', 'application/xml']);
  const diploma = mapping('diploma', [OTHER], ['application/xml', 'application/pdf']);
  const registry = createMappingRegistry([birth, diploma]);

  test.each([
    ['the host the mapping names', EC, 'application/pdf', 'birth', 'application/pdf'],
    ['the other SR host', PLAIN, 'application/xml', 'birth', 'application/xml'],
    [
      'upper-case uuid, spaces around',
      `  ${EC.toUpperCase().replace('HTTPS://SR.OOTS.TECH.EC.EUROPA.EU/EVIDENCETYPECLASSIFICATIONS', 'https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications')}  `,
      'application/pdf',
      'birth',
      'application/pdf',
    ],
    ['format with parameters and case', EC, 'Application/PDF; charset=binary', 'birth', 'application/pdf'],
    ['no format: the first distribution', EC, undefined, 'birth', 'application/pdf'],
    ['empty format: the first distribution', OTHER, '', 'diploma', 'application/xml'],
    [
      'Projectathon type via the ec host',
      OTHER.replace('sr.oots.tech.europa.eu', 'sr.oots.tech.ec.europa.eu'),
      'application/pdf',
      'diploma',
      'application/pdf',
    ],
  ])('%s', (_name, type, format, id, chosen) => {
    const r = registry.find(type, format);
    expect(r).toMatchObject({ ok: true, mapping: { id }, distribution: { format: chosen } });
  });

  test('unknown evidence type', () => {
    expect(registry.find(EC.replace('/LV/', '/EE/'), 'application/pdf')).toEqual({
      ok: false,
      reason: 'unknown-evidence-type',
      detail: expect.stringContaining('/EE/'),
    });
    expect(registry.find('urn:nothing', undefined)).toMatchObject({ ok: false, reason: 'unknown-evidence-type' });
  });

  test('unsupported format names the offered ones', () => {
    expect(registry.find(EC, 'application/json')).toEqual({
      ok: false,
      reason: 'unsupported-format',
      detail: expect.stringContaining('offered: application/pdf, application/xml'),
    });
  });

  test('two mappings for one evidence type (on either host) are refused', () => {
    const twin = mapping('birth-2', [PLAIN], ['application/pdf']);
    expect(() => createMappingRegistry([birth, twin])).toThrow(MappingError);
    try {
      createMappingRegistry([birth, twin]);
    } catch (e) {
      expect((e as MappingError).problems).toEqual([
        expect.objectContaining({
          file: 'birth-2.yaml',
          field: 'evidenceTypes',
          message: expect.stringContaining('already served by mapping birth'),
        }),
      ]);
    }
  });

  test('canonicalEvidenceType', () => {
    expect(canonicalEvidenceType(EC)).toBe(PLAIN);
    expect(canonicalEvidenceType(` ${PLAIN} `)).toBe(PLAIN);
    expect(canonicalEvidenceType('urn:x')).toBe('urn:x');
  });
});
