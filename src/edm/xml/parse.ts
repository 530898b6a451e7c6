/**
 * Turns untrusted bytes into an element tree, or an XmlInputError. The one XML entry point:
 * size, encoding and DTD checks come first, then libxml2 (a strict, conformant parser) reads the
 * document, and its DOM is copied into our plain tree so no native handle outlives the call.
 */
import { XmlCData, XmlDocument, XmlElement as LxElement, XmlParseError, XmlText, XmlTreeNode } from 'libxml2-wasm';
import { XmlInputError } from '../../errors.js';
import type { NamespaceScope, XmlElement } from './tree.js';

export interface XmlLimits {
  /** Largest document accepted, in bytes. */
  readonly maxBytes: number;
  /** Deepest element nesting accepted. */
  readonly maxDepth: number;
  /** Most elements accepted in one document. */
  readonly maxElements: number;
  /** Most namespace declarations on one element (the official samples use at most 7). */
  readonly maxNamespacesPerElement: number;
  /** Most namespace declarations in one document. */
  readonly maxNamespaces: number;
  /** Most attributes on one element (the official samples use at most 10). */
  readonly maxAttributesPerElement: number;
  /** Most attributes in one document. */
  readonly maxAttributes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 5 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 50_000,
  maxNamespacesPerElement: 32,
  maxNamespaces: 1024,
  maxAttributesPerElement: 64,
  maxAttributes: 100_000,
});

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Parses `input` (bytes or an already-decoded string). `withDocument`, when given, is called with
 * the libxml2 document (and our tree) before the document is freed, so XSD validation can reuse the parse.
 */
export function parseXml(
  input: Uint8Array | string,
  limits: XmlLimits = DEFAULT_XML_LIMITS,
  withDocument?: (doc: XmlDocument, root: XmlElement) => void,
): XmlElement {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (bytes.byteLength > limits.maxBytes) {
    throw new XmlInputError('ERR_XML_TOO_LARGE', `document is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes}`);
  }
  let text: string;
  try {
    text = typeof input === 'string' ? input : utf8.decode(bytes);
  } catch (cause) {
    throw new XmlInputError('ERR_XML_ENCODING', 'document is not valid UTF-8', { cause });
  }
  checkDeclaredEncoding(text);
  // OOTS messages never carry a DTD; refusing any declaration rules out XXE and entity expansion
  // before the parser sees a byte.
  const dtd = /<!(DOCTYPE|ENTITY)/i.exec(text);
  if (dtd !== null) {
    throw new XmlInputError('ERR_XML_FORBIDDEN', `document contains <!${dtd[1]!.toUpperCase()}: DTDs and entity declarations are not accepted`, {
      line: lineAt(text, dtd.index),
    });
  }
  checkDeclarationCount(text, limits.maxNamespaces);
  const start = bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2] ? 3 : 0;
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromBuffer(start === 0 ? bytes : bytes.subarray(start));
  } catch (cause) {
    const detail = cause instanceof XmlParseError ? cause.details?.[0] : undefined;
    const message = detail?.message?.trim() ?? (cause instanceof Error ? cause.message : 'unreadable');
    throw new XmlInputError('ERR_XML_MALFORMED', `not well-formed XML: ${message}`, {
      cause,
      ...(detail?.line === undefined ? {} : { line: detail.line }),
    });
  }
  try {
    const counter: Counter = { elements: 0, namespaces: 0, attributes: 0 };
    const root = convert(doc.root, undefined, XML_SCOPE, 1, limits, counter);
    withDocument?.(doc, root);
    return root;
  } finally {
    doc.dispose();
  }
}

function checkDeclaredEncoding(text: string): void {
  const decl = /^\uFEFF?<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(text);
  if (decl !== null && !/^utf-?8$/i.test(decl[1]!)) {
    throw new XmlInputError('ERR_XML_ENCODING', `declared encoding ${decl[1]} is not accepted; OOTS messages are UTF-8`);
  }
}

// Counted on the text before libxml2 reads it, so that a document declaring a flood of namespaces
// is refused in milliseconds, not after a full parse (about 0.6 s for 5 MB of them). The count
// can only err high (an ` xmlns=` inside text or a comment counts too), so it never lets through
// a document the tree builder's exact count would refuse.
const DECLARATION_LIKE = /\sxmlns(?::|\s*=)/g;

function checkDeclarationCount(text: string, max: number): void {
  DECLARATION_LIKE.lastIndex = 0;
  let count = 0;
  while (DECLARATION_LIKE.exec(text) !== null) {
    if (++count > max) throw new XmlInputError('ERR_XML_TOO_LARGE', `document declares more than ${max} namespaces`);
  }
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

// libxml2-wasm 0.7 gives processing-instruction nodes no `next` getter of their own; the base
// class getter works for every node kind, so siblings are walked through it.
// eslint-disable-next-line @typescript-eslint/unbound-method -- a getter taken on purpose, always invoked with .call(node)
const nextSibling = Object.getOwnPropertyDescriptor(XmlTreeNode.prototype, 'next')!.get! as (this: unknown) => XmlTreeNode | null;

interface MutableElement {
  ns: string;
  local: string;
  prefix: string;
  line: number;
  attrs: { ns: string; local: string; value: string }[];
  children: MutableElement[];
  text: string;
  nsScope: NamespaceScope;
  parent: MutableElement | undefined;
}

interface Counter {
  elements: number;
  namespaces: number;
  attributes: number;
}

/** The one prefix bound without a declaration (Namespaces in XML 1.0, §3). */
const XML_SCOPE: NamespaceScope = Object.freeze({
  declared: new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]),
  outer: undefined,
});

function tooLarge(message: string, line: number): XmlInputError {
  return new XmlInputError('ERR_XML_TOO_LARGE', message, { line });
}

// Cost is linear in the elements, declarations and attributes, each bounded: libxml2 has read the
// whole document already (its cost is linear in the bytes); the bounds cap what we build from it.
function convert(
  el: LxElement,
  parent: MutableElement | undefined,
  parentScope: NamespaceScope,
  depth: number,
  limits: XmlLimits,
  counter: Counter,
): MutableElement {
  if (depth > limits.maxDepth) throw tooLarge(`elements nest deeper than ${limits.maxDepth} levels`, el.line);
  if (++counter.elements > limits.maxElements) throw tooLarge(`document has more than ${limits.maxElements} elements`, el.line);
  const declared = Object.entries(el.nsDeclarations);
  if (declared.length > limits.maxNamespacesPerElement) {
    throw tooLarge(`an element declares ${declared.length} namespaces; the limit is ${limits.maxNamespacesPerElement} per element`, el.line);
  }
  counter.namespaces += declared.length;
  if (counter.namespaces > limits.maxNamespaces) {
    throw tooLarge(`document declares more than ${limits.maxNamespaces} namespaces`, el.line);
  }
  const lxAttrs = el.attrs;
  if (lxAttrs.length > limits.maxAttributesPerElement) {
    throw tooLarge(`an element has ${lxAttrs.length} attributes; the limit is ${limits.maxAttributesPerElement} per element`, el.line);
  }
  counter.attributes += lxAttrs.length;
  if (counter.attributes > limits.maxAttributes) throw tooLarge(`document has more than ${limits.maxAttributes} attributes`, el.line);
  // Shared, never copied: an element that declares nothing reuses its parent's scope.
  const scope: NamespaceScope = declared.length === 0 ? parentScope : { declared: new Map(declared), outer: parentScope };
  const out: MutableElement = {
    ns: el.namespaceUri,
    local: el.name,
    prefix: el.prefix,
    line: el.line,
    attrs: lxAttrs.map((a) => ({ ns: a.namespaceUri, local: a.name, value: a.value })),
    children: [],
    text: '',
    nsScope: scope,
    parent,
  };
  for (let c = el.firstChild; c !== null; c = nextSibling.call(c)) {
    if (c instanceof LxElement) out.children.push(convert(c, out, scope, depth + 1, limits, counter));
    else if (c instanceof XmlText || c instanceof XmlCData) out.text += c.content;
  }
  return out;
}
