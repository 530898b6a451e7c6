/**
 * Structured XML evidence, laid out exactly as the mapping's XML distribution says: one root
 * element in the data model's namespace, then for each field, in the listed order, the element at
 * its `/`-separated path below the root. Intermediate elements are created at their first use and
 * reused by later fields (`Child/GivenName` and `Child/FamilyName` share one `Child`). Nothing is
 * added that the mapping does not list; context values (issue date, record timestamp) appear only
 * where a field names them (`from: $issuingDate`, see record-path.ts).
 *
 * - A last segment `@name` writes an attribute on the parent element instead of an element.
 * - A prefixed root (`dm:Diploma`) binds that prefix to the namespace and uses it on every
 *   element; an unprefixed root declares the default namespace.
 * - An array of scalars repeats the leaf element once per item (attributes take one value).
 * - Values are written as stored (dates stay ISO, as XSD wants); numbers and booleans in their
 *   lexical form.
 *
 * Output: UTF-8 with an XML declaration, indented two spaces, `\n` line ends.
 */
import { ElementWriter, serializeXml } from '../edm/xml/write.js';

import type { RenderInput } from './port.js';
import type { XmlDistribution } from '../mapping/model.js';
import { RenderError } from './errors.js';
import { canonicalText, isAbsent, isScalar, readField } from './record-path.js';

const NC_NAME = /^[A-Za-z_][\w.-]*$/u;
// Characters XML 1.0 cannot carry, even escaped.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/u;

export function renderXmlEvidence(input: RenderInput): Uint8Array {
  const distribution = input.distribution;
  if (distribution.format !== 'application/xml')
    throw new RenderError(
      'ERR_RENDER_UNSUPPORTED_FORMAT',
      `renderXmlEvidence got a ${distribution.format} distribution`,
    );
  return new TextEncoder().encode(buildXmlEvidence(input, distribution));
}

/** The evidence document as a string (what {@link renderXmlEvidence} encodes). */
export function buildXmlEvidence(input: RenderInput, distribution: XmlDistribution): string {
  const { root, namespace, fields } = distribution.xml;
  const mappingId = input.mapping.id;
  const [prefix, rootLocal] = splitQName(root);
  if (rootLocal === undefined || !NC_NAME.test(rootLocal) || (prefix !== undefined && !NC_NAME.test(prefix)))
    throw new RenderError(
      'ERR_RENDER_FIELD_INVALID',
      `mapping ${mappingId}: XML root "${root}" is not an element name`,
    );
  const qualify = (local: string): string => (prefix === undefined ? local : `${prefix}:${local}`);

  const rootElement = new ElementWriter(root).att(prefix === undefined ? 'xmlns' : `xmlns:${prefix}`, namespace);
  const containers = new Map<string, ElementWriter>([['', rootElement]]);
  const leaves = new Set<string>();

  const container = (segments: readonly string[], fieldPath: string): ElementWriter => {
    let parentKey = '';
    let parent = rootElement;
    for (const segment of segments) {
      const key = parentKey === '' ? segment : `${parentKey}/${segment}`;
      if (leaves.has(key)) throw invalid(mappingId, fieldPath, `"${key}" is already a value element`);
      let element = containers.get(key);
      if (element === undefined) {
        element = parent.ele(qualify(segment));
        containers.set(key, element);
      }
      parent = element;
      parentKey = key;
    }
    return parent;
  };

  for (const field of fields) {
    const segments = field.path.split('/');
    const last = segments.pop();
    const isAttribute = last !== undefined && last.startsWith('@');
    const leafName = isAttribute ? last.slice(1) : last;
    if (leafName === undefined || !NC_NAME.test(leafName) || segments.some((s) => !NC_NAME.test(s)))
      throw invalid(mappingId, field.path, 'is not a `/`-separated element path');

    const value = readField(input, field.from);
    if (isAbsent(value)) {
      if (field.optional === true) continue;
      throw new RenderError(
        'ERR_RENDER_FIELD_MISSING',
        `mapping ${mappingId}: the record has no value for "${field.from}" (XML ${field.path})`,
        { field: field.from },
      );
    }
    const values = scalarsOf(value, mappingId, field.path, isAttribute);

    const parent = container(segments, field.path);
    if (isAttribute) {
      // `xmlns…` would redeclare namespaces; `xml…` names are reserved (XML 1.0 §2.3).
      if (/^xml/i.test(leafName)) throw invalid(mappingId, field.path, 'names a reserved attribute');
      if (parent.hasAttribute(leafName))
        throw invalid(mappingId, field.path, 'sets an attribute another field already set');
      parent.att(leafName, values[0]!);
      continue;
    }
    const leafKey = [...segments, leafName].join('/');
    if (containers.has(leafKey)) throw invalid(mappingId, field.path, 'is already a container element');
    leaves.add(leafKey);
    for (const text of values) parent.ele(qualify(leafName)).txt(text);
  }
  const xml = serializeXml(rootElement);
  // The data model's elements stay exactly as the mapping lists them (a consumer validating the
  // document against its schema still can); the test mark is a comment after the declaration.
  return input.testDocument === true ? xml.replace('?>\n', `?>\n<!--${TEST_DOCUMENT_COMMENT}-->\n`) : xml;
}

/** The comment that marks a system-check (procedure `00`) XML evidence as a test document. */
export const TEST_DOCUMENT_COMMENT =
  ' TEST DOCUMENT / TESTA DOKUMENTS: OOTS system check (procedure 00). The values are invented, not read from DAGR, and concern no one. ';

function scalarsOf(value: unknown, mappingId: string, path: string, single: boolean): string[] {
  const items = Array.isArray(value) ? value.filter((v) => !isAbsent(v)) : [value];
  if (!items.every(isScalar) || (single && items.length !== 1))
    throw invalid(mappingId, path, single ? 'needs one text value' : 'needs a text value or a list of them');
  const texts = items.map(canonicalText);
  if (texts.some((t) => NOT_XML_CHAR.test(t))) throw invalid(mappingId, path, 'has characters XML cannot carry');
  return texts;
}

function invalid(mappingId: string, path: string, why: string): RenderError {
  return new RenderError('ERR_RENDER_FIELD_INVALID', `mapping ${mappingId}: XML ${path} ${why}`, { field: path });
}

function splitQName(name: string): [string | undefined, string | undefined] {
  const parts = name.split(':');
  if (parts.length === 1) return [undefined, parts[0]];
  if (parts.length === 2) return [parts[0], parts[1]];
  return [undefined, undefined];
}
