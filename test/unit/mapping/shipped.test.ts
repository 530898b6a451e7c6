import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseQueryRequest } from '../../../src/edm/parse-request.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { lookupKey, matchSubject } from '../../../src/identity/match.js';
import { MappingError } from '../../../src/mapping/parse.js';
import { createMappingRegistry } from '../../../src/mapping/registry.js';
import { loadMappings } from '../../../src/resources/mappings.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const MAPPINGS = path.join(ROOT, 'mappings');
const PROJECTATHON = path.resolve(ROOT, '../shared/oots-edm/v1.0/samples/projectathon-2023');

describe('shipped mappings', () => {
  const mappings = loadMappings();

  test('every mappings/*.yaml loads, and the registry accepts them together', () => {
    const files = readdirSync(MAPPINGS).filter((f) => f.endsWith('.yaml'));
    expect(mappings.map((m) => `${m.id}.yaml`).sort()).toEqual(files.sort());
    expect(() => createMappingRegistry(mappings)).not.toThrow();
  });

  test('the evidence types the issue asks for are served', () => {
    const ids = mappings.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'lv-birth-certificate',
        'lv-declared-residence',
        'lv-company-register-extract',
        'lv-higher-education-diploma',
        'projectathon-test-evidence',
      ]),
    );
    const byId = new Map(mappings.map((m) => [m.id, m]));
    expect(byId.get('lv-company-register-extract')!.subject).toBe('LegalPerson');
    expect(byId.get('lv-higher-education-diploma')!.distributions[0]!.format).toBe('application/xml');
    for (const m of mappings) {
      expect(m.distributions.map((d) => d.format).sort()).toEqual(['application/pdf', 'application/xml']);
    }
  });

  test.each([
    'TC01_Request.xml',
    'TC02_Request.xml',
    'TC03_Request.xml',
    'TC04_Request.xml',
    'TC05_Request.xml',
    'TC06_Request_1.xml',
    'TC07_Request_1_EP2.xml',
  ])('Projectathon %s finds a mapping and a lookup key', (file) => {
    const registry = createMappingRegistry(mappings);
    const request = parseQueryRequest(parseXml(readFileSync(path.join(PROJECTATHON, file), 'utf8')));
    const et = request.evidenceRequest!;
    const found = registry.find(et.evidenceTypeClassification!, et.distributedAs[0]?.format);
    expect(found).toMatchObject({ ok: true, distribution: { format: 'application/pdf' } });
    if (!found.ok) return;
    const key = lookupKey(request.subject!, found.mapping.dagr.lookup);
    expect(key).toEqual({ ok: true, key: (request.subject as { identifier: { value: string } }).identifier.value });
    const data = JSON.parse(
      readFileSync(path.join(ROOT, 'src/sandbox/dagr-data/oots_projectathon_persons.json'), 'utf8'),
    );
    const record = data.records.find((r: { Identifier: string }) => key.ok && r.Identifier === key.key);
    if (file === 'TC02_Request.xml') {
      expect(record).toBeUndefined();
    } else {
      expect(matchSubject(request.subject!, record, found.mapping)).toEqual({ matched: true, failed: [] });
    }
  });
});

describe('loadMappings reports every problem of every file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mappings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('two broken files and a duplicate evidence type', () => {
    copyFileSync(path.join(MAPPINGS, 'lv-birth-certificate.yaml'), path.join(dir, 'a-birth.yaml'));
    const birth = readFileSync(path.join(MAPPINGS, 'lv-birth-certificate.yaml'), 'utf8');
    // Same evidence type, on the other SR host.
    writeFileSync(
      path.join(dir, 'b-birth-copy.yaml'),
      birth.replace(
        'sr.oots.tech.ec.europa.eu/evidencetypeclassifications',
        'sr.oots.tech.europa.eu/evidencetypeclassifications',
      ),
    );
    writeFileSync(path.join(dir, 'c-broken.yaml'), birth.replace(/permission: ['"]22791['"]/, 'permission: 22791'));
    writeFileSync(path.join(dir, 'd-broken.yaml'), 'version: "1"\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'not a mapping');
    let error: MappingError | undefined;
    try {
      loadMappings(dir);
    } catch (e) {
      error = e as MappingError;
    }
    expect(error).toBeInstanceOf(MappingError);
    const files = error!.problems.map((p) => path.basename(p.file));
    expect(new Set(files)).toEqual(new Set(['b-birth-copy.yaml', 'c-broken.yaml', 'd-broken.yaml']));
    expect(error!.problems.find((p) => p.file.endsWith('b-birth-copy.yaml'))).toMatchObject({
      line: 4,
      field: 'evidenceTypes[0]',
      message: expect.stringMatching(/already served by .*a-birth\.yaml:4/),
    });
    expect(error!.problems.find((p) => p.file.endsWith('c-broken.yaml'))).toMatchObject({ field: 'dagr.permission' });
    expect(error!.problems.filter((p) => p.file.endsWith('d-broken.yaml')).map((p) => p.field)).toEqual([
      'evidenceTypes',
      'title',
      'issuingAuthority',
      'subject',
      'dagr',
      'distributions',
    ]);
    expect(error!.message).toMatch(/c-broken\.yaml:\d+:\d+ dagr\.permission/);
  });

  test('an empty folder gives no mappings', () => {
    expect(loadMappings(dir)).toEqual([]);
  });
});
