import { parseXml } from '../../../src/edm/xml/parse.js';
import { attr } from '../../../src/edm/xml/tree.js';
import { ElementWriter, serializeXml, XmlWriteError } from '../../../src/edm/xml/write.js';

// Values a reader must get back unchanged, including the ones a careless writer corrupts:
// entity-like text, whitespace in attributes, carriage returns, markup characters.
const AWKWARD = [
  '',
  'plain',
  'Bērziņa Ērika — Ūdenskrituma iela 7',
  'a &lt; b &amp; c &#65; &#x41; &unknown;',
  '& < > " \' ]]> <!-- -->',
  'tab\there\nnew line\r\ncrlf\rcr',
  '  leading and trailing  ',
  'emoji 🇱🇻 and astral 𝄞',
];

describe('ElementWriter', () => {
  test.each(AWKWARD.map((v) => [v]))('text and attribute %j read back unchanged', (value) => {
    const root = new ElementWriter('p:r').att('xmlns:p', 'urn:p');
    root.ele('p:v').att('a', value).txt(value);
    const parsed = parseXml(serializeXml(root));
    const v = parsed.children[0]!;
    expect(v.text).toBe(value);
    expect(attr(v, 'a')).toBe(value);
  });

  test('pretty-printed layout: declaration, two-space indent, empty elements self-closed', () => {
    const root = new ElementWriter('r').att('xmlns', 'urn:d').att('n', '1');
    root.ele('empty');
    root.ele('emptyText').txt('');
    root.ele('c').ele('leaf').att('k', 'v').txt('x');
    expect(serializeXml(root)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<r xmlns="urn:d" n="1">\n' +
        '  <empty/>\n' +
        '  <emptyText/>\n' +
        '  <c>\n' +
        '    <leaf k="v">x</leaf>\n' +
        '  </c>\n' +
        '</r>\n',
    );
    expect(serializeXml(new ElementWriter('r'), { declaration: false })).toBe('<r/>\n');
  });

  test('refuses what would not be well-formed or would lose content', () => {
    const el = new ElementWriter('r').att('a', '1');
    expect(() => el.att('a', '2')).toThrow(XmlWriteError);
    el.ele('c');
    expect(() => el.txt('mixed')).toThrow(XmlWriteError);
    const t = new ElementWriter('t').txt('x');
    expect(() => t.ele('c')).toThrow(XmlWriteError);
  });
});
