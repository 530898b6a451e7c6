/**
 * Tells which OOTS EDM document a tree is, by namespace URI and local name of the root (never by
 * prefix). Anything that is not a RegRep QueryRequest or QueryResponse is `unknown`.
 */
import { NS } from './xml/namespaces.js';
import { attr, child, type XmlElement } from './xml/tree.js';

export type DocumentKind = 'QueryRequest' | 'QueryResponse' | 'ErrorResponse' | 'unknown';

export function classify(root: XmlElement): DocumentKind {
  if (root.ns !== NS.query) return 'unknown';
  if (root.local === 'QueryRequest') return 'QueryRequest';
  if (root.local !== 'QueryResponse') return 'unknown';
  // An error response is a QueryResponse with status `…ResponseStatusType:Failure` and an
  // rs:Exception (notes §4); either sign alone is enough, so that a malformed error response is
  // judged by the error rules rather than mistaken for a success.
  const status = attr(root, 'status')?.trim();
  if (child(root, NS.rs, 'Exception') !== undefined || status?.endsWith(':Failure') === true) return 'ErrorResponse';
  return 'QueryResponse';
}
