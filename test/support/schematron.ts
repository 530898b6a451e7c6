/**
 * Runs the official OOTS Schematron files (v1.0 snapshot) in tests, as the reference our own
 * rule engine must agree with. node-schematron evaluates with fontoxpath, which lacks the
 * three-argument `fn:matches` the EDM rules use (`matches(x, re, 'i')`); we register it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fontoxpath from 'fontoxpath';
import { Schema } from 'node-schematron';

export const SHARED = path.resolve(process.cwd(), '..', 'shared');
export const EDM_ARTEFACTS = path.join(SHARED, 'oots-edm');

let registered = false;
function registerMatches3(): void {
  if (registered) return;
  registered = true;
  fontoxpath.registerCustomXPathFunction(
    { namespaceURI: 'http://www.w3.org/2005/xpath-functions', localName: 'matches' },
    ['xs:string?', 'xs:string', 'xs:string'],
    'xs:boolean',
    (_ctx: unknown, input: string | null, pattern: string, flags: string) =>
      new RegExp(pattern, flags.replace(/[^ims]/g, '')).test(input ?? ''),
  );
}

export type SchematronSet = 'EDM-REQ-S' | 'EDM-REQ-C' | 'EDM-RESP-S' | 'EDM-RESP-C' | 'EDM-ERR-S' | 'EDM-ERR-C';

export interface SchematronFinding {
  /** Assert id, e.g. `R-EDM-REQ-S005`; null for the few asserts the official files leave unnamed. */
  readonly id: string | null;
  /** `error` unless the assert declares `role="warning"` or `role="info"`. */
  readonly role: 'error' | 'warning' | 'info';
  readonly message: string;
}

interface Loaded {
  readonly schema: Schema;
  readonly roles: ReadonlyMap<string, 'error' | 'warning' | 'info'>;
}
const cache = new Map<SchematronSet, Loaded>();

function load(set: SchematronSet): Loaded {
  const hit = cache.get(set);
  if (hit !== undefined) return hit;
  registerMatches3();
  const text = readFileSync(path.join(EDM_ARTEFACTS, 'v1.0', 'sch', `${set}.sch`), 'utf8');
  const roles = new Map<string, 'error' | 'warning' | 'info'>();
  for (const m of text.matchAll(/<sch:(?:assert|report)\b([^>]*)>/g)) {
    const attrs = m[1]!;
    const id = /\bid="([^"]+)"/.exec(attrs)?.[1];
    const role = /\brole="([^"]+)"/.exec(attrs)?.[1]?.toLowerCase();
    if (id !== undefined) roles.set(id, role === 'warning' || role === 'info' ? role : 'error');
  }
  const loaded = { schema: Schema.fromString(text), roles };
  cache.set(set, loaded);
  return loaded;
}

/** Every failed assert (and fired report) of one official Schematron file on `xml`. */
export function runSchematron(set: SchematronSet, xml: string): SchematronFinding[] {
  const { schema, roles } = load(set);
  return schema.validateString(xml).map((r) => ({
    id: r.assertId,
    role: r.assertId === null ? 'error' : (roles.get(r.assertId) ?? 'error'),
    message: (r.message ?? '').replace(/\s+/g, ' ').trim(),
  }));
}

/** Findings of both the structure (S) and content (C) files for a message kind. */
export function runOfficial(kind: 'REQ' | 'RESP' | 'ERR', xml: string): SchematronFinding[] {
  return [...runSchematron(`EDM-${kind}-S`, xml), ...runSchematron(`EDM-${kind}-C`, xml)];
}
