import { createXsdValidator, type EdmXsdValidator } from '../../../src/edm/xsd.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { EDM_V1_0_ENTRY, packageRoot, readSchemaFiles } from '../../../src/resources/schema-files.js';
import { SAMPLE_MESSAGES, sample } from '../../support/samples.js';

// SOURCES.md: every v1.0 "full example" and every Projectathon message validates (JDK validator).
const VALID_V10 = SAMPLE_MESSAGES.filter(
  (s) => s.set === 'projectathon-2023' || (s.set === 'evidence-exchange' && s.path.includes('full example')),
);

let xsd: EdmXsdValidator;
beforeAll(() => {
  xsd = createXsdValidator(readSchemaFiles(), EDM_V1_0_ENTRY);
});
afterAll(() => xsd.dispose());

test('the schema files are found from the package root, keyed by relative URL', () => {
  const files = readSchemaFiles();
  expect(Object.keys(files).sort()).toEqual([
    'schemas/edm/v1.0/regrep4/lcm.xsd',
    'schemas/edm/v1.0/regrep4/query.xsd',
    'schemas/edm/v1.0/regrep4/rim.xsd',
    'schemas/edm/v1.0/regrep4/rs.xsd',
    'schemas/edm/v1.0/regrep4/spi.xsd',
    'schemas/edm/v1.0/sdg/SDG-GenericMetadataProfile-v1.0.0.xsd',
    'schemas/edm/v1.0/sdg/oots_driver_v1.0.0.xsd',
    'schemas/edm/v1.0/xml/ws-addr.xsd',
    'schemas/edm/v1.0/xml/xlink.xsd',
    'schemas/edm/v1.0/xml/xml.xsd',
  ]);
  expect(readSchemaFiles(packageRoot())).toEqual(files);
});

test.each(VALID_V10.map((s) => [s.name]))('%s is XSD-valid', (name) => {
  expect(xsd.validateBytes(sample(name).load())).toEqual([]);
});

test('validate() reuses the parse of parseXml', () => {
  let found: unknown[] | undefined;
  parseXml(sample('TC01_Request').load(), undefined, (doc) => {
    found = xsd.validate(doc);
  });
  expect(found).toEqual([]);
});

test('schema errors come back as XSD violations with line and path', () => {
  const text = sample('birth-response')
    .load()
    .replace('<sdg:IssuingDate>1970-03-03</sdg:IssuingDate>', '<sdg:IssuingDate>03.03.1970</sdg:IssuingDate>');
  const line = text.slice(0, text.indexOf('03.03.1970')).split('\n').length;
  const found = xsd.validateBytes(text);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatchObject({ rule: 'XSD', severity: 'error', line });
  expect(found[0]!.message).toMatch(/IssuingDate.*03\.03\.1970.*date/);
  expect(found[0]!.path).toMatch(/sdg:IssuingDate$/);
});

test('an element out of place is reported', () => {
  const text = sample('TC02_Response')
    .load()
    .replace('<rim:RegistryObjectList>', '<rim:Unknown/><rim:RegistryObjectList>');
  expect(xsd.validateBytes(text).map((v) => v.rule)).toEqual(['XSD']);
});

test('two validators coexist and each compiles its own entry', () => {
  const files = readSchemaFiles();
  const rimOnly = createXsdValidator(files, 'schemas/edm/v1.0/regrep4/rim.xsd');
  try {
    // rim.xsd knows no query:QueryResponse, the OOTS driver does.
    expect(rimOnly.validateBytes(sample('TC02_Response').load()).length).toBeGreaterThan(0);
    expect(xsd.validateBytes(sample('TC02_Response').load())).toEqual([]);
  } finally {
    rimOnly.dispose();
  }
});

test('a missing entry or an unresolvable import is an error at creation', () => {
  const files = readSchemaFiles();
  expect(() => createXsdValidator(files, 'schemas/edm/v1.0/none.xsd')).toThrow(/not among/);
  const withoutRim = Object.fromEntries(Object.entries(files).filter(([k]) => !k.endsWith('/rim.xsd')));
  expect(() => createXsdValidator(withoutRim, EDM_V1_0_ENTRY)).toThrow(/does not compile/);
});
