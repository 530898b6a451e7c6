import { XmlInputError } from '../../../src/errors.js';
import { DEFAULT_XML_LIMITS, parseXml } from '../../../src/edm/xml/parse.js';
import { attr, child, namespaceOf, pathOf, resolveQName } from '../../../src/edm/xml/tree.js';
import { attributeFlood, namespaceFlood } from '../../support/hostile-xml.js';

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

  test('paths number namesakes among their siblings, and cost a linear number of sibling reads', () => {
    const n = 2000;
    const root = parseXml(`<r xmlns:a="urn:a"><a:s/>${'<x/>'.repeat(n)}<a:x/><y/></r>`);
    let reads = 0;
    const siblings = root.children;
    // Counts every element read from the children list, however pathOf walks it.
    (root as { children: readonly unknown[] }).children = new Proxy(siblings, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const paths = siblings.map((c) => pathOf(c));
    expect(paths.slice(0, 3)).toEqual(['/r/a:s', '/r/x[1]', '/r/x[2]']);
    expect(paths.slice(-3)).toEqual([`/r/x[${n}]`, '/r/a:x', '/r/y']);
    // One report per stray child (a rule over a flood of them) counting its namesakes afresh each
    // time read n² elements: 20 000 stray children took 45 s to judge.
    expect(reads).toBeLessThan(4 * (n + 3));
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

describe('parseXml: namespace scopes are shared, declarations and attributes bounded', () => {
  const unbounded = { ...DEFAULT_XML_LIMITS, maxNamespacesPerElement: 1e9, maxNamespaces: 1e9 };

  test('an element that declares a prefix links to the scope it was declared in; it does not copy it', () => {
    const root = parseXml(namespaceFlood(64 * 1024), unbounded);
    expect(root.nsScope.declared.size).toBeGreaterThan(1000);
    for (const c of root.children) {
      expect(c.nsScope.outer).toBe(root.nsScope);
      expect(c.nsScope.declared.size).toBe(1);
    }
    const last = root.children.at(-1)!;
    expect(namespaceOf(last, 'p0')).toBe('urn:p0');
    expect(namespaceOf(last, last.prefix)).toBe(last.ns);
    expect(namespaceOf(root, last.prefix)).toBeUndefined();
  });

  test('inner declarations shadow outer ones; xmlns="" undeclares the default; xml is always bound', () => {
    const root = parseXml('<r xmlns="urn:d" xmlns:a="urn:a"><b xmlns:a="urn:a2"><c xmlns=""/></b></r>');
    const b = root.children[0]!;
    const c = b.children[0]!;
    expect(namespaceOf(b, 'a')).toBe('urn:a2');
    expect(namespaceOf(root, 'a')).toBe('urn:a');
    expect(namespaceOf(c, '')).toBe('');
    expect(c.ns).toBe('');
    expect(namespaceOf(c, 'xml')).toBe('http://www.w3.org/XML/1998/namespace');
    expect(c.nsScope.outer).toBe(b.nsScope);
  });

  test('a QName whose prefix is an Object property name resolves to no namespace', () => {
    const root = parseXml('<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="toString:T"/>');
    expect(resolveQName(root, 'toString:T')).toEqual({ ns: '', local: 'T' });
    expect(resolveQName(root, '__proto__:T')).toEqual({ ns: '', local: 'T' });
  });

  test('the reported namespace document (240 KB) is refused by the bound on declarations, naming the limit', () => {
    const e = refusal(namespaceFlood(240 * 1024));
    expect(e.code).toBe('ERR_XML_TOO_LARGE');
    expect(e.edmCode).toBe('EDM:ERR:0003');
    expect(e.message).toBe('document declares more than 1024 namespaces');
  });

  test('declarations on one element are bounded, naming the limit', () => {
    // The root declares query: as well as the flood's prefixes.
    const e = refusal(namespaceFlood(8 * 1024, { maxRootPrefixes: 32 }));
    expect(e.message).toBe('an element declares 33 namespaces; the limit is 32 per element');
    expect(parseXml(namespaceFlood(8 * 1024, { maxRootPrefixes: 31 })).nsScope.declared.size).toBe(32);
  });

  test('the count on the text only errs high: xmlns in text and comments counts, a bound never loosens', () => {
    const text = '<r>' + ' xmlns=x'.repeat(3) + '<!-- xmlns:a= -->' + '</r>';
    expect(refusal(text, { ...DEFAULT_XML_LIMITS, maxNamespaces: 3 }).message).toBe('document declares more than 3 namespaces');
    expect(parseXml(text, { ...DEFAULT_XML_LIMITS, maxNamespaces: 8 }).local).toBe('r');
  });

  test('declarations in total are bounded even when each element stays under the per-element bound', () => {
    const e = refusal(namespaceFlood(240 * 1024, { maxRootPrefixes: 20 }));
    expect(e.code).toBe('ERR_XML_TOO_LARGE');
    expect(e.message).toBe('document declares more than 1024 namespaces');
  });

  test('attributes are bounded per element and in total', () => {
    const perElement = refusal(attributeFlood(64 * 1024, 65));
    expect(perElement.message).toBe('an element has 65 attributes; the limit is 64 per element');
    const total = refusal(attributeFlood(1024 * 1024, 60));
    expect(total.code).toBe('ERR_XML_TOO_LARGE');
    expect(total.message).toBe('document has more than 100000 attributes');
    expect(parseXml(attributeFlood(64 * 1024, 64)).children.length).toBeGreaterThan(10);
  });

  test('each new bound comes from the limits', () => {
    const two = '<r xmlns:a="urn:a" xmlns:b="urn:b" x="1" y="2"/>';
    expect(refusal(two, { ...DEFAULT_XML_LIMITS, maxNamespacesPerElement: 1 }).message).toMatch(/limit is 1 per element/);
    expect(refusal(two, { ...DEFAULT_XML_LIMITS, maxNamespaces: 1 }).message).toMatch(/more than 1 namespaces/);
    expect(refusal(two, { ...DEFAULT_XML_LIMITS, maxAttributesPerElement: 1 }).message).toMatch(/2 attributes; the limit is 1/);
    expect(refusal(two, { ...DEFAULT_XML_LIMITS, maxAttributes: 1 }).message).toMatch(/more than 1 attributes/);
  });
});
