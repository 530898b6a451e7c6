/**
 * The canonical form of a QueryRequest, for recognising a request that is sent again: the same
 * request written with other prefixes, attribute order, indentation or comments has the same
 * form. The `id` attribute and the `IssueDateTime` slot are left out (the id is compared on its
 * own; a requester that re-sends may stamp a new issue time on the same ask). Pure.
 */
import { NS } from './xml/namespaces.js';
import { attr, resolveQName, type XmlElement } from './xml/tree.js';

export function canonicalRequest(root: XmlElement): string {
  const out: string[] = [];
  write(root, true, out);
  return out.join('');
}

function write(el: XmlElement, isRoot: boolean, out: string[]): void {
  if (
    el.ns === NS.rim &&
    el.local === 'Slot' &&
    attr(el, 'name') === 'IssueDateTime' &&
    el.parent?.parent === undefined
  )
    return;
  out.push('<{', el.ns, '}', el.local);
  const attrs = el.attrs
    .filter((a) => !(isRoot && a.ns === '' && a.local === 'id'))
    .map((a) => `{${a.ns}}${a.local}=${JSON.stringify(qnameValue(el, a.ns, a.local, a.value))}`)
    .sort();
  for (const a of attrs) out.push(' ', a);
  out.push('>');
  const text = el.text.trim();
  if (text !== '') out.push(JSON.stringify(text));
  for (const c of el.children) write(c, false, out);
  out.push('</>');
}

/** `xsi:type` values are QNames: compared by namespace URI, not by the prefix the sender chose. */
function qnameValue(el: XmlElement, ns: string, local: string, value: string): string {
  if (local !== 'type' || ns !== 'http://www.w3.org/2001/XMLSchema-instance') return value;
  const q = resolveQName(el, value);
  return `{${q.ns}}${q.local}`;
}
