import { XmlInputError } from '../../../src/errors.js';
import { DEFAULT_XML_LIMITS, parseXml } from '../../../src/edm/xml/parse.js';
import { attr, child, pathOf, resolveQName } from '../../../src/edm/xml/tree.js';

function refusal(input: string | Uint8Array, limits = DEFAULT_XML_LIMITS): XmlInputError {
  try {
    parseXml(input, limits);
  } catch (e) {
    if (e instanceof XmlInputError) return e;
    throw e;
  }
  throw new Error('input was accepted');
}

describe('parseXml: tree', () => {
  test('resolves namespaces by URI, decodes references and CDATA, keeps lines', () => {
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<a:r xmlns:a="urn:a" xmlns="urn:d" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' +
        '<b x="1" a:y="2" xsi:type="a:T">t&#65;&amp;<![CDATA[<c>]]></b></a:r>',
    );
    expect(root).toMatchObject({ ns: 'urn:a', local: 'r', prefix: 'a', line: 2 });
    const b = child(root, 'urn:d', 'b')!;
    expect(b.text).toBe('tA&<c>');
    expect(attr(b, 'x')).toBe('1');
    expect(attr(b, 'y', 'urn:a')).toBe('2');
    expect(resolveQName(b, attr(b, 'type', 'http://www.w3.org/2001/XMLSchema-instance')!)).toEqual({ ns: 'urn:a', local: 'T' });
    expect(b.line).toBe(3);
    expect(pathOf(b)).toBe('/a:r/b');
  });

  test('processing instructions and comments between elements are skipped', () => {
    const root = parseXml('<?xml version="1.0"?><r><?pi data?><!-- c --><b/><?pi2?><c/></r>');
    expect(root.children.map((c) => c.local)).toEqual(['b', 'c']);
  });

  test('a UTF-8 byte-order mark is accepted', () => {
    expect(parseXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<r/>')])).local).toBe('r');
  });
});

describe('parseXml: hostile and broken input is refused with a clear error', () => {
  const cases: [string, string | Uint8Array, XmlInputError['code']][] = [
    ['external entity (XXE)', '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', 'ERR_XML_FORBIDDEN'],
    [
      'entity expansion (billion laughs)',
      '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><r>&c;</r>',
      'ERR_XML_FORBIDDEN',
    ],
    ['external DTD', '<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.invalid/x.dtd"><r/>', 'ERR_XML_FORBIDDEN'],
    ['lower-case doctype', '<!doctype r><r/>', 'ERR_XML_FORBIDDEN'],
    ['undeclared entity', '<r>&foo;</r>', 'ERR_XML_MALFORMED'],
    ['mismatched tags', '<r><b></r>', 'ERR_XML_MALFORMED'],
    ['not XML at all', 'hello, world', 'ERR_XML_MALFORMED'],
    ['empty document', '', 'ERR_XML_MALFORMED'],
    ['JSON', '{"QueryRequest": {}}', 'ERR_XML_MALFORMED'],
    ['unbound prefix', '<r xmlns:p="urn:p"><q:b/></r>', 'ERR_XML_MALFORMED'],
    ['duplicate attribute', '<r a="1" a="2"/>', 'ERR_XML_MALFORMED'],
    ['two roots', '<r/><s/>', 'ERR_XML_MALFORMED'],
    ['invalid UTF-8', Uint8Array.from([0x3c, 0x72, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x72, 0x3e]), 'ERR_XML_ENCODING'],
    ['overlong UTF-8 encoding', Uint8Array.from([0x3c, 0x72, 0x3e, 0xc0, 0xaf, 0x3c, 0x2f, 0x72, 0x3e]), 'ERR_XML_ENCODING'],
    ['declared non-UTF-8 encoding', '<?xml version="1.0" encoding="ISO-8859-1"?><r/>', 'ERR_XML_ENCODING'],
    ['deep nesting', '<a>'.repeat(10_000) + '</a>'.repeat(10_000), 'ERR_XML_MALFORMED'],
    ['nesting past our own bound', '<a>'.repeat(100) + '</a>'.repeat(100), 'ERR_XML_TOO_LARGE'],
  ];
  test.each(cases)('%s', (_name, input, code) => {
    const e = refusal(input);
    expect(e.code).toBe(code);
    expect(e.edmCode).toBe('EDM:ERR:0003');
    expect(e.message.length).toBeGreaterThan(0);
  });

  test('size, depth and element-count bounds come from the limits', () => {
    expect(refusal('<r>' + 'x'.repeat(2000) + '</r>', { ...DEFAULT_XML_LIMITS, maxBytes: 1024 }).code).toBe('ERR_XML_TOO_LARGE');
    expect(refusal('<r>' + '<e/>'.repeat(200) + '</r>', { ...DEFAULT_XML_LIMITS, maxElements: 100 }).code).toBe('ERR_XML_TOO_LARGE');
    expect(refusal('<a><b><c/></b></a>', { ...DEFAULT_XML_LIMITS, maxDepth: 2 }).code).toBe('ERR_XML_TOO_LARGE');
  });

  test('the line of a forbidden declaration is reported', () => {
    expect(refusal('<?xml version="1.0"?>\n\n<!DOCTYPE r>\n<r/>').line).toBe(3);
  });
});
