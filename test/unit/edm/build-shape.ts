/**
 * The element structure of an EDM message, text left out: one line per element (slots named)
 * and per attribute name, with the values of the attributes that carry structure (xsi:type,
 * status, classification, code, severity). Two messages with the same shape differ only in data.
 */
import type { XmlElement } from '../../../src/edm/xml/tree.js';

const STRUCTURAL = new Set([
  'type',
  'status',
  'classificationScheme',
  'classificationNode',
  'code',
  'severity',
  'collectionType',
  'name',
]);

export function shape(root: XmlElement): string[] {
  const out: string[] = [];
  const walk = (el: XmlElement, parent: string): void => {
    const name =
      el.local === 'Slot'
        ? `${el.prefix}:Slot[@name='${el.attrs.find((a) => a.local === 'name')?.value}']`
        : `${el.prefix}:${el.local}`;
    const path = `${parent}/${name}`;
    out.push(path);
    for (const a of [...el.attrs].sort((x, y) => x.local.localeCompare(y.local))) {
      if (a.ns === 'http://www.w3.org/2000/xmlns/') continue;
      out.push(`${path}@${a.local}${STRUCTURAL.has(a.local) ? `=${a.value}` : ''}`);
    }
    for (const c of el.children) walk(c, path);
  };
  walk(root, '');
  return out;
}
