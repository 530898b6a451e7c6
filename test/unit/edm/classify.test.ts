import { readdirSync } from 'node:fs';
import path from 'node:path';
import { classify } from '../../../src/edm/classify.js';
import { readVersion, UnsupportedVersionError } from '../../../src/edm/version.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { EDM_ARTEFACTS } from '../../support/schematron.js';
import { NON_EDM_SAMPLES, SAMPLE_ENVELOPES, SAMPLE_HEADERS, SAMPLE_MESSAGES } from '../../support/samples.js';

function request(specificationIdentifier: string | undefined): string {
  const slot =
    specificationIdentifier === undefined
      ? ''
      : `<rim:Slot name="SpecificationIdentifier"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>${specificationIdentifier}</rim:Value></rim:SlotValue></rim:Slot>`;
  return `<q:QueryRequest xmlns:q="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="urn:uuid:0b7e2a52-4b1c-4c4e-9a43-0f3c2d1e5a6b">${slot}</q:QueryRequest>`;
}

describe('classify and readVersion over the official samples', () => {
  test.each(SAMPLE_MESSAGES.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const root = parseXml(s.load());
    expect(classify(root)).toBe(s.kind);
    const reading = readVersion(root);
    expect(reading.version).toBe(s.version);
    if (s.version === undefined) expect(reading).toEqual({ version: undefined, raw: undefined });
  });

  test.each([...SAMPLE_HEADERS, ...SAMPLE_ENVELOPES, ...NON_EDM_SAMPLES].map((s) => [s.name, s] as const))(
    '%s is not an EDM document',
    (_name, s) => {
      expect(classify(parseXml(s.load()))).toBe('unknown');
    },
  );

  test('the catalogue covers every sample XML file (snippets aside)', () => {
    const listed = new Set(
      [...SAMPLE_MESSAGES, ...SAMPLE_HEADERS, ...SAMPLE_ENVELOPES, ...NON_EDM_SAMPLES].map((s) => s.path),
    );
    const onDisk = (readdirSync(EDM_ARTEFACTS, { recursive: true }) as string[])
      .map((p) => p.split(path.sep).join('/'))
      .filter((p) => p.endsWith('.xml') && !p.includes('syntax-mapping-snippets'));
    expect(onDisk.filter((p) => !listed.has(p))).toEqual([]);
    expect([...listed].filter((p) => !onDisk.includes(p))).toEqual([]);
    expect(SAMPLE_MESSAGES.filter((s) => s.kind === 'QueryRequest').length).toBeGreaterThanOrEqual(25);
  });
});

describe('classify', () => {
  const q = 'xmlns:q="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"';
  const rs = 'xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0"';

  test.each([
    [
      'a request under any prefix',
      `<x:QueryRequest xmlns:x="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"/>`,
      'QueryRequest',
    ],
    [
      'a request in the default namespace',
      `<QueryRequest xmlns="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"/>`,
      'QueryRequest',
    ],
    [
      'a success response',
      `<q:QueryResponse ${q} status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>`,
      'QueryResponse',
    ],
    [
      'a deferred response',
      `<q:QueryResponse ${q} status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Unavailable"/>`,
      'QueryResponse',
    ],
    ['a response without status', `<q:QueryResponse ${q}/>`, 'QueryResponse'],
    [
      'a Failure response without exception',
      `<q:QueryResponse ${q} status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"/>`,
      'ErrorResponse',
    ],
    [
      'an exception under a Success status',
      `<q:QueryResponse ${q} ${rs} status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"><rs:Exception code="EDM:ERR:0004"/></q:QueryResponse>`,
      'ErrorResponse',
    ],
    ['QueryRequest in a foreign namespace', `<q:QueryRequest xmlns:q="urn:example:not-regrep"/>`, 'unknown'],
    ['QueryRequest without namespace', `<QueryRequest/>`, 'unknown'],
    ['another RegRep query element', `<q:Query ${q}/>`, 'unknown'],
    ['a RegRep rs:Exception at the root', `<rs:Exception ${rs}/>`, 'unknown'],
    ['an HTML page', `<html><body>hello</body></html>`, 'unknown'],
  ])('%s', (_label, xml, kind) => {
    expect(classify(parseXml(xml))).toBe(kind);
  });
});

describe('readVersion', () => {
  test.each(['oots-edm:v1.0', 'oots-edm:v1.1', 'oots-edm:v1.2', 'oots-edm:v2.0'])('reads %s', (v) => {
    expect(readVersion(parseXml(request(v)))).toEqual({ version: v });
  });

  test('tolerates whitespace around the value', () => {
    expect(readVersion(parseXml(request('\n   oots-edm:v1.2\n  ')))).toEqual({ version: 'oots-edm:v1.2' });
  });

  test.each(['oots-edm:v9.9', 'oots-edm:v1.0.0', 'OOTS-EDM:V1.0', ''])('returns %j raw when unsupported', (v) => {
    expect(readVersion(parseXml(request(v)))).toEqual({ version: undefined, raw: v });
  });

  test('absent slot gives raw undefined', () => {
    expect(readVersion(parseXml(request(undefined)))).toEqual({ version: undefined, raw: undefined });
  });

  test('reads the slot by name, wherever it stands among the slots', () => {
    const xml = request('oots-edm:v2.0').replace(
      '<rim:Slot name="SpecificationIdentifier">',
      '<rim:Slot name="IssueDateTime"><rim:SlotValue><rim:Value>oots-edm:v1.0</rim:Value></rim:SlotValue></rim:Slot><rim:Slot name="SpecificationIdentifier">',
    );
    expect(readVersion(parseXml(xml))).toEqual({ version: 'oots-edm:v2.0' });
  });

  test('ignores a SpecificationIdentifier slot below the top level', () => {
    const xml = request(undefined).replace(
      '</q:QueryRequest>',
      '<q:Query><rim:Slot name="SpecificationIdentifier"><rim:SlotValue><rim:Value>oots-edm:v1.0</rim:Value></rim:SlotValue></rim:Slot></q:Query></q:QueryRequest>',
    );
    expect(readVersion(parseXml(xml))).toEqual({ version: undefined, raw: undefined });
  });

  test('matches rim elements by namespace, not prefix', () => {
    const xml = request('oots-edm:v1.2')
      .replaceAll('<rim:', '<r:')
      .replaceAll('</rim:', '</r:')
      .replace('xmlns:rim=', 'xmlns:r=');
    expect(readVersion(parseXml(xml))).toEqual({ version: 'oots-edm:v1.2' });
    const foreign = request('oots-edm:v1.2').replace('urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0', 'urn:example:rim');
    expect(readVersion(parseXml(foreign))).toEqual({ version: undefined, raw: undefined });
  });
});

describe('UnsupportedVersionError', () => {
  test('names the value, the supported versions and EDM:ERR:0003', () => {
    const e = new UnsupportedVersionError('oots-edm:v9.9');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('UnsupportedVersionError');
    expect(e.code).toBe('ERR_EDM_UNSUPPORTED_VERSION');
    expect(e.edmCode).toBe('EDM:ERR:0003');
    expect(e.specificationIdentifier).toBe('oots-edm:v9.9');
    expect(e.message).toBe(
      'unsupported SpecificationIdentifier "oots-edm:v9.9"; supported: oots-edm:v1.0, oots-edm:v1.1, oots-edm:v1.2, oots-edm:v2.0',
    );
  });

  test('says when the identifier is missing', () => {
    expect(new UnsupportedVersionError(undefined).message).toMatch(
      /^missing SpecificationIdentifier; supported: oots-edm:v1\.0/,
    );
  });
});
