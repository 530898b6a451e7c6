/**
 * A plain, namespace-resolved element tree: what every EDM reader (model parser, rules,
 * classifier) works on. Elements and attributes are matched by namespace URI and local name,
 * never by prefix.
 */

export interface XmlAttr {
  /** Namespace URI; '' for unqualified attributes. */
  readonly ns: string;
  readonly local: string;
  readonly value: string;
}

export interface XmlElement {
  readonly ns: string;
  readonly local: string;
  /** Prefix as written in the document ('' for the default namespace); for messages only. */
  readonly prefix: string;
  /** 1-based source line. */
  readonly line: number;
  readonly attrs: readonly XmlAttr[];
  readonly children: readonly XmlElement[];
  /** Concatenated text and CDATA directly inside this element. */
  readonly text: string;
  /** In-scope namespace declarations; read them with `namespaceOf`. */
  readonly nsScope: NamespaceScope;
  readonly parent: XmlElement | undefined;
}

/**
 * The namespace declarations in scope at an element, as a chain: the declarations made on the
 * element that opened the scope, then the scope it was opened in. An element that declares nothing
 * shares its parent's scope object, so the tree costs one small map per declaring element, never a
 * copy of everything in scope (a copy per element made 148 KB of declarations cost 640 MB).
 * Plain data (a Map and a link), so it survives a structured clone between threads.
 */
export interface NamespaceScope {
  /** Prefix → URI declared by the element that opened this scope ('' is the default namespace). */
  readonly declared: ReadonlyMap<string, string>;
  readonly outer: NamespaceScope | undefined;
}

/** The URI bound to `prefix` ('' for the default namespace) at `el`, if any. */
export function namespaceOf(el: XmlElement, prefix: string): string | undefined {
  for (let s: NamespaceScope | undefined = el.nsScope; s !== undefined; s = s.outer) {
    const uri = s.declared.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

/** Every prefix → URI in scope at `el` (the nearest declaration of a prefix wins). */
export function namespacesInScope(el: XmlElement): Map<string, string> {
  const all = new Map<string, string>();
  for (let s: NamespaceScope | undefined = el.nsScope; s !== undefined; s = s.outer)
    for (const [prefix, uri] of s.declared) if (!all.has(prefix)) all.set(prefix, uri);
  return all;
}

export function child(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  return el.children.find((c) => c.local === local && c.ns === ns);
}

export function childrenNamed(el: XmlElement, ns: string, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local && c.ns === ns);
}

export function attr(el: XmlElement, local: string, ns = ''): string | undefined {
  return el.attrs.find((a) => a.local === local && a.ns === ns)?.value;
}

/** Trimmed text of the first matching child, if present. */
export function childText(el: XmlElement, ns: string, local: string): string | undefined {
  const c = child(el, ns, local);
  return c === undefined ? undefined : c.text.trim();
}

/** Resolves a QName-valued attribute (such as `xsi:type="rim:StringValueType"`) against the element's scope. */
export function resolveQName(el: XmlElement, qname: string): { ns: string; local: string } {
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const local = colon < 0 ? qname : qname.slice(colon + 1);
  return { ns: namespaceOf(el, prefix) ?? '', local };
}

/** A readable XPath-like location for messages, e.g. `/query:QueryRequest/rim:Slot[@name='Procedure']`. */
export function pathOf(el: XmlElement): string {
  const parts: string[] = [];
  for (let e: XmlElement | undefined = el; e !== undefined; e = e.parent) {
    const name = e.prefix === '' ? e.local : `${e.prefix}:${e.local}`;
    const slotName = e.local === 'Slot' ? attr(e, 'name') : undefined;
    if (slotName !== undefined) {
      parts.push(`${name}[@name='${slotName}']`);
    } else if (e.parent !== undefined) {
      const place = positionAmongNamesakes(e.parent.children, e);
      parts.push(place !== undefined && place.of > 1 ? `${name}[${place.at}]` : name);
    } else {
      parts.push(name);
    }
  }
  return '/' + parts.reverse().join('/');
}

interface Positions {
  readonly length: number;
  readonly place: Map<XmlElement, { readonly at: number; readonly of: number }>;
}

// A rule reports each offending child of a parent; counting the child's namesakes afresh for every
// report made paths cost (siblings × reports): 20 000 stray children of one element took 45 s to
// judge. The positions are counted once per children list (the tree is immutable once parsed; a
// list whose length changed is counted again).
const positions = new WeakMap<readonly XmlElement[], Positions>();

function positionAmongNamesakes(siblings: readonly XmlElement[], el: XmlElement): { at: number; of: number } | undefined {
  let known = positions.get(siblings);
  if (known === undefined || known.length !== siblings.length) {
    const totals = new Map<string, number>();
    const seen: [XmlElement, string, number][] = [];
    for (const c of siblings) {
      const key = `{${c.ns}}${c.local}`;
      const at = (totals.get(key) ?? 0) + 1;
      totals.set(key, at);
      seen.push([c, key, at]);
    }
    const place = new Map<XmlElement, { at: number; of: number }>();
    for (const [c, key, at] of seen) place.set(c, { at, of: totals.get(key)! });
    known = { length: siblings.length, place };
    positions.set(siblings, known);
  }
  return known.place.get(el);
}

/** Depth-first iteration over an element and all its descendants, in document order. */
export function* descendantsAndSelf(el: XmlElement): Generator<XmlElement> {
  const stack: XmlElement[] = [el];
  while (stack.length > 0) {
    const e = stack.pop()!;
    yield e;
    for (let i = e.children.length - 1; i >= 0; i--) stack.push(e.children[i]!);
  }
}
