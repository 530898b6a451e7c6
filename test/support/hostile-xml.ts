/**
 * Adversarial XML shapes of a chosen size, for the hostile corpus (test/stress/hostile.test.ts),
 * the parser's unit tests and the parse benchmark (bench/hostile.ts). Every shape is well-formed
 * XML that stays inside the byte, depth and element bounds it is meant to test against, so what
 * it measures is the cost per byte of our XML-to-tree conversion, not a cheap early refusal.
 *
 * The root is a `query:QueryRequest` so that the documents reach the same code as a real request.
 */

const QUERY_NS = 'urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0';
const ROOT_OPEN = `<?xml version="1.0" encoding="UTF-8"?>\n<query:QueryRequest xmlns:query="${QUERY_NS}"`;
const ROOT_CLOSE = '</query:QueryRequest>\n';

export type HostileShape = 'namespaces' | 'attributes' | 'long-names' | 'deep' | 'many-elements' | 'text-and-comments' | 'stray-children';

export interface NamespaceFloodOptions {
  /** Share of the bytes spent on declarations on the root (the rest: one prefix per child). Default 0.5. */
  readonly rootShare?: number;
  /** Most prefixes declared on the root (default: as many as the bytes allow). */
  readonly maxRootPrefixes?: number;
}

/**
 * The document of the outside report: many prefixes declared on the root, then many children that
 * each declare one more prefix. A conversion that copies the in-scope map into every element that
 * declares one costs (root prefixes × children): at 148 KB that was 3.9 s and 640 MB.
 */
export function namespaceFlood(targetBytes: number, opts: NamespaceFloodOptions = {}): string {
  const rootBudget = Math.floor(targetBytes * (opts.rootShare ?? 0.5));
  const decls: string[] = [];
  let used = ROOT_OPEN.length;
  for (let i = 0; used < rootBudget && i < (opts.maxRootPrefixes ?? Infinity); i++) {
    const d = ` xmlns:p${i}="urn:p${i}"`;
    decls.push(d);
    used += d.length;
  }
  const head = ROOT_OPEN + decls.join('') + '>\n';
  return head + fill(targetBytes - head.length, (i) => `<q${i}:e xmlns:q${i}="urn:q${i}"/>\n`);
}

/** Children that each carry as many distinct attributes as a line allows (`a0="" a1="" …`). */
export function attributeFlood(targetBytes: number, perElement = 200): string {
  const attrs = Array.from({ length: perElement }, (_, i) => ` a${i}="v"`).join('');
  const head = ROOT_OPEN + '>\n';
  return head + fill(targetBytes - head.length, () => `<e${attrs}/>\n`);
}

/** Elements and attributes whose names are each `nameLength` characters long. */
export function longNames(targetBytes: number, nameLength = 4000): string {
  const head = ROOT_OPEN + '>\n';
  return head + fill(targetBytes - head.length, (i) => {
    const name = `n${i}`.padEnd(nameLength, 'x');
    return `<${name} ${name}="v"/>\n`;
  });
}

/**
 * Towers nesting `depth` levels deep (within the depth bound), as many as the element bound
 * allows; the rest of the bytes is whitespace between them.
 */
export function deepNesting(targetBytes: number, depth = 60, maxElements = 49_000): string {
  const head = ROOT_OPEN + '>\n';
  const tower = '<d>'.repeat(depth - 1) + 'x' + '</d>'.repeat(depth - 1) + '\n';
  let elements = 0;
  return head + fill(targetBytes - head.length, () => ((elements += depth - 1) < maxElements ? tower : ' '.repeat(1024)));
}

/** As many small elements as the bytes allow, capped at `maxElements` (the element bound). */
export function manySmallElements(targetBytes: number, maxElements = 49_000): string {
  const head = ROOT_OPEN + '>\n';
  let count = 0;
  return head + fill(targetBytes - head.length, () => (++count < maxElements ? '<e/>' : ' '.repeat(1024)));
}

/**
 * Text interleaved with empty comments in one element (`x<!---->x<!---->…`): no element, attribute
 * or declaration bound applies, and each of the hundreds of thousands of nodes is visited when the
 * tree is built (the slowest shape of the second outside test's own corpus, linear though).
 */
export function textAndComments(targetBytes: number): string {
  const head = ROOT_OPEN + '><t>';
  return head + fill(targetBytes - head.length - 4, () => 'x<!---->').replace(ROOT_CLOSE, '</t>' + ROOT_CLOSE);
}

/**
 * A request whose evidence request's `sdg:DataServiceEvidenceType` holds as many stray children as
 * the element bound allows: each is reported by R-EDM-REQ-S045 with its path. Counting each
 * child's namesakes afresh per report made 20 000 of them cost 45 s to judge.
 */
export function strayChildren(targetBytes: number, maxElements = 49_000): string {
  const head =
    ROOT_OPEN +
    ' xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0" xmlns:sdg="http://data.europa.eu/p4s" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<query:Query queryDefinition="DocumentQuery"><rim:Slot name="EvidenceRequest"><rim:SlotValue xsi:type="rim:AnyValueType"><sdg:DataServiceEvidenceType>';
  const tail = '</sdg:DataServiceEvidenceType></rim:SlotValue></rim:Slot></query:Query>';
  let count = 0;
  return head + fill(targetBytes - head.length - tail.length, () => (++count < maxElements ? '<sdg:X/>' : ' '.repeat(1024))).replace(ROOT_CLOSE, tail + ROOT_CLOSE);
}

export function hostileDocument(shape: HostileShape, targetBytes: number): string {
  switch (shape) {
    case 'namespaces':
      return namespaceFlood(targetBytes);
    case 'attributes':
      return attributeFlood(targetBytes);
    case 'long-names':
      return longNames(targetBytes);
    case 'deep':
      return deepNesting(targetBytes);
    case 'many-elements':
      return manySmallElements(targetBytes);
    case 'text-and-comments':
      return textAndComments(targetBytes);
    case 'stray-children':
      return strayChildren(targetBytes);
  }
}

/** Appends `piece(i)` until the next piece would pass `budget` characters, then closes the root. */
function fill(budget: number, piece: (i: number) => string): string {
  const out: string[] = [];
  let used = ROOT_CLOSE.length;
  for (let i = 0; ; i++) {
    const p = piece(i);
    if (used + p.length > budget) break;
    out.push(p);
    used += p.length;
  }
  return out.join('') + ROOT_CLOSE;
}
