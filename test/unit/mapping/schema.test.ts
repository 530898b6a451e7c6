/** The mapping schema is read by data controllers: every property is described, nothing extra is allowed. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, 'schemas/mapping.schema.json'), 'utf8'));

type Node = Record<string, unknown>;

function walk(node: Node, at: string, visit: (node: Node, at: string) => void): void {
  visit(node, at);
  for (const [key, value] of Object.entries(node.properties ?? {})) walk(value as Node, `${at}.${key}`, visit);
  if (node.items !== undefined) walk(node.items as Node, `${at}[]`, visit);
  ((node.oneOf ?? []) as Node[]).forEach((branch, i) => walk(branch, `${at}<${i}>`, visit));
}

test('every property has a description', () => {
  const undescribed: string[] = [];
  walk(SCHEMA, '$', (node, at) => {
    if (!at.endsWith('>') && typeof node.description !== 'string') undescribed.push(at);
  });
  expect(undescribed).toEqual([]);
});

test('every object schema with properties forbids additional properties (or is a oneOf of such)', () => {
  const open: string[] = [];
  walk(SCHEMA, '$', (node, at) => {
    if (node.properties !== undefined && node.additionalProperties !== false && node.oneOf === undefined) open.push(at);
  });
  expect(open).toEqual([]);
});

test('URIs carry a format, enumerations are closed', () => {
  expect(SCHEMA.properties.evidenceTypes.items.format).toBe('uri');
  expect(SCHEMA.properties.subject.enum).toEqual(['NaturalPerson', 'LegalPerson']);
  expect(SCHEMA.properties.dagr.properties.lookup.properties.from.enum).toEqual([
    'eidas-national',
    'eidas-full',
    'legal-identifier',
  ]);
  expect(SCHEMA.properties.dagr.properties.match.items.properties.attribute.enum).toEqual([
    'FamilyName',
    'GivenName',
    'DateOfBirth',
    'LegalName',
  ]);
  expect(SCHEMA.properties.distributions.items.oneOf.map((b: Node) => (b.properties as Node).format)).toEqual([
    expect.objectContaining({ const: 'application/xml' }),
    expect.objectContaining({ const: 'application/pdf' }),
  ]);
});
