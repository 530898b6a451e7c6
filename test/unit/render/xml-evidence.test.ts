import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { XMLParser, XMLValidator } from 'fast-xml-parser';

import type { XmlDistribution } from '../../../src/mapping/model.js';
import { RenderError } from '../../../src/render/errors.js';
import { buildXmlEvidence, renderXmlEvidence } from '../../../src/render/xml-evidence.js';
import { input, pdfDistribution, record, xmlDistribution } from './fixtures.js';

const GOLDEN = path.join('test', 'golden', 'render');

function golden(file: string, built: string): void {
  const target = path.join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(target, built);
  expect(built).toBe(readFileSync(target, 'utf8'));
}

function withFields(
  fields: XmlDistribution['xml']['fields'],
  xml: Partial<XmlDistribution['xml']> = {},
): XmlDistribution {
  return { ...xmlDistribution, xml: { ...xmlDistribution.xml, ...xml, fields } };
}

function thrown(f: () => unknown): RenderError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(RenderError);
    return error as RenderError;
  }
  throw new Error('expected a RenderError');
}

test('birth certificate fixture matches its golden file', () => {
  const bytes = renderXmlEvidence(input(xmlDistribution));
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  expect(
    text.startsWith(
      '<?xml version="1.0" encoding="UTF-8"?>\n<BirthCertificate xmlns="urn:lv:oots:evidence:birth:1.0">',
    ),
  ).toBe(true);
  golden('fixture-birth.xml', text);
});

test('elements follow the listed order; shared parents are created once and reused', () => {
  const xml = buildXmlEvidence(input(xmlDistribution), xmlDistribution);
  expect(xml.match(/<Child>/g)).toHaveLength(1);
  expect(xml.match(/<Registration>/g)).toHaveLength(1);
  const order = [
    '<Identifier>',
    '<GivenName>',
    '<FamilyName>',
    '<DateOfBirth>',
    '<Birth ',
    '<Parents>',
    '<Registration>',
    '<IssueDate>',
  ];
  const positions = order.map((tag) => xml.indexOf(tag));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
});

test('a reused parent keeps its first position even when a later field names it again', () => {
  const xml = buildXmlEvidence(
    input(xmlDistribution),
    withFields([
      { from: 'GivenName', path: 'A/Given' },
      { from: 'Volume', path: 'B/Volume' },
      { from: 'FamilyName', path: 'A/Family' },
    ]),
  );
  expect(xml).toBe(
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<BirthCertificate xmlns="urn:lv:oots:evidence:birth:1.0">',
      '  <A>',
      '    <Given>Ģirts Ēriks</Given>',
      '    <Family>Žvīgule-Ņikitina</Family>',
      '  </A>',
      '  <B>',
      '    <Volume>42</Volume>',
      '  </B>',
      '</BirthCertificate>',
      '',
    ].join('\n'),
  );
});

test('a missing required value throws ERR_RENDER_FIELD_MISSING naming the path, not any value', () => {
  const fields = { ...record.fields, Birth: { Country: 'LV' } };
  const error = thrown(() => renderXmlEvidence(input(xmlDistribution, { record: { ...record, fields } })));
  expect(error.code).toBe('ERR_RENDER_FIELD_MISSING');
  expect(error.edmCode).toBe('EDM:ERR:0008');
  expect(error.field).toBe('Birth.Place');
  expect(error.message).toContain('Birth.Place');
  expect(error.message).toContain('Birth/Place');
  for (const value of ['010190-10005', 'Ģirts', 'Žvīgule', 'LV']) expect(error.message).not.toContain(value);
});

test.each([null, '', '  ', []])('%p counts as missing', (value) => {
  const fields = { ...record.fields, Volume: value };
  expect(thrown(() => renderXmlEvidence(input(xmlDistribution, { record: { ...record, fields } }))).code).toBe(
    'ERR_RENDER_FIELD_MISSING',
  );
});

test('a missing optional value omits its element (and creates no empty parent)', () => {
  const xml = buildXmlEvidence(input(xmlDistribution), xmlDistribution);
  expect(xml).not.toContain('<Father>');
  expect(xml).not.toContain('<Remark>');
  const onlyOptional = buildXmlEvidence(
    input(xmlDistribution),
    withFields([{ from: 'Nope', path: 'Empty/Leaf', optional: true }]),
  );
  expect(onlyOptional).not.toContain('Empty');
});

test('a list of scalars repeats the element; a structure is refused', () => {
  const fields = { ...record.fields, Names: ['Ģirts', 'Ēriks'], Obj: { A: 1 } };
  const i = input(xmlDistribution, { record: { ...record, fields } });
  const xml = buildXmlEvidence(i, withFields([{ from: 'Names', path: 'Child/GivenName' }]));
  expect(xml).toContain('<GivenName>Ģirts</GivenName>\n    <GivenName>Ēriks</GivenName>');
  const error = thrown(() => buildXmlEvidence(i, withFields([{ from: 'Obj', path: 'Child/X' }])));
  expect(error.code).toBe('ERR_RENDER_FIELD_INVALID');
  expect(error.edmCode).toBe('EDM:ERR:0008');
});

test('a prefixed root binds the prefix and uses it throughout', () => {
  const xml = buildXmlEvidence(
    input(xmlDistribution),
    withFields(
      [
        { from: 'GivenName', path: 'Child/GivenName' },
        { from: 'Birth.Country', path: 'Child/@country' },
      ],
      { root: 'dm:Birth' },
    ),
  );
  expect(xml).toContain('<dm:Birth xmlns:dm="urn:lv:oots:evidence:birth:1.0">');
  expect(xml).toContain('<dm:Child country="LV">');
  expect(xml).toContain('<dm:GivenName>Ģirts Ēriks</dm:GivenName>');
});

test.each([
  ['Child//Name', 'empty segment'],
  ['Child/1Name', 'not an element name'],
  ['Child/@', 'empty attribute'],
  ['@a/b', 'attribute in the middle'],
])('path %s is refused (%s)', (badPath) => {
  expect(
    thrown(() => buildXmlEvidence(input(xmlDistribution), withFields([{ from: 'GivenName', path: badPath }]))).code,
  ).toBe('ERR_RENDER_FIELD_INVALID');
});

test('a path that is both a value and a container is refused', () => {
  const error = thrown(() =>
    buildXmlEvidence(
      input(xmlDistribution),
      withFields([
        { from: 'GivenName', path: 'Child' },
        { from: 'FamilyName', path: 'Child/FamilyName' },
      ]),
    ),
  );
  expect(error.code).toBe('ERR_RENDER_FIELD_INVALID');
});

test.each([
  [['Child/@xmlns'], 'a namespace declaration'],
  [['Child/@xmlLang'], 'a reserved xml… name'],
  [['Child/@country', 'Child/@country'], 'the same attribute twice'],
])('attribute fields %j are refused (%s): the output would not be well-formed', (paths) => {
  const error = thrown(() =>
    buildXmlEvidence(input(xmlDistribution), withFields(paths.map((path) => ({ from: 'Birth.Country', path })))),
  );
  expect(error.code).toBe('ERR_RENDER_FIELD_INVALID');
});

test('characters XML cannot carry are refused, not silently written', () => {
  const fields = { ...record.fields, GivenName: 'A\u0001B' };
  const error = thrown(() => renderXmlEvidence(input(xmlDistribution, { record: { ...record, fields } })));
  expect(error.code).toBe('ERR_RENDER_FIELD_INVALID');
  expect(error.message).not.toContain('A\u0001B');
});

test('special characters are escaped and the output parses back', () => {
  const xml = buildXmlEvidence(input(xmlDistribution), xmlDistribution);
  expect(xml).toContain('<Place>Ķekava, Ļaudonas iela 7 &amp; &lt;Šķūnis&gt;</Place>');
  expect(XMLValidator.validate(xml)).toBe(true);
  const parsed = new XMLParser({ parseTagValue: false }).parse(xml) as {
    BirthCertificate: { Birth: { Place: string } };
  };
  expect(parsed.BirthCertificate.Birth.Place).toBe(record.fields.Birth.Place);
});

test('a PDF distribution is not rendered as XML', () => {
  expect(thrown(() => renderXmlEvidence(input(pdfDistribution))).code).toBe('ERR_RENDER_UNSUPPORTED_FORMAT');
});
