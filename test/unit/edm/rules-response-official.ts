/**
 * The official v1.0 Schematron verdict on a response / error response, completed where the test
 * harness cannot give it as published:
 *
 * - node-schematron walks child elements only, so asserts whose rule context is an attribute
 *   (`query:QueryResponse/@requestId`, `…/@xsi:type`, `…/@lang`, …) are never evaluated. They are
 *   evaluated here with fontoxpath, exactly as written in the .sch.
 * - R-EDM-ERR-C022's test `count(rim:Slot[@name='PreviewLocation']=1)` compares a slot with a
 *   number: a dynamic error (FORG0001) in any XPath 2.0 processor whenever the slot exists, which
 *   aborts the whole run. Its result would be `count(boolean)` = 1, i.e. true, so it is replaced
 *   by `true()` (our C022 is a listed deviation anyway).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fontoxpath from 'fontoxpath';
import { Schema } from 'node-schematron';
import { parseXmlDocument } from 'slimdom';
import { EDM_ARTEFACTS, runSchematron } from '../../support/schematron.js';

export interface OfficialFinding {
  readonly id: string | null;
  readonly role: 'error' | 'warning' | 'info';
}

type SetName = 'EDM-RESP-S' | 'EDM-RESP-C' | 'EDM-ERR-S' | 'EDM-ERR-C';

interface AttributeRule {
  readonly context: string;
  readonly asserts: readonly { id: string | null; test: string; role: OfficialFinding['role'] }[];
}

interface Loaded {
  readonly text: string;
  readonly namespaces: Readonly<Record<string, string>>;
  readonly attributeRules: readonly AttributeRule[];
  readonly patched?: Schema;
}

const cache = new Map<SetName, Loaded>();

function load(set: SetName): Loaded {
  const hit = cache.get(set);
  if (hit !== undefined) return hit;
  const text = readFileSync(path.join(EDM_ARTEFACTS, 'v1.0', 'sch', `${set}.sch`), 'utf8');
  const doc = parseXmlDocument(text);
  const namespaces: Record<string, string> = {};
  for (const ns of fontoxpath.evaluateXPathToNodes<Element>('//*:ns', doc)) {
    namespaces[ns.getAttribute('prefix')!] = ns.getAttribute('uri')!;
  }
  const attributeRules: AttributeRule[] = [];
  for (const rule of fontoxpath.evaluateXPathToNodes<Element>('//*:rule', doc)) {
    const context = rule.getAttribute('context')!.trim();
    // The last location step selects an attribute: `…/@name`, `…/@*[…]`.
    if (!/(^|\/)@[\w:*-]*(\[[^\]]*\])?$/.test(context)) continue;
    const asserts = fontoxpath.evaluateXPathToNodes<Element>('*:assert', rule).map((a) => {
      const role = a.getAttribute('role')?.toLowerCase();
      const r: OfficialFinding['role'] = role === 'warning' || role === 'info' ? role : 'error';
      return { id: a.getAttribute('id'), test: a.getAttribute('test')!, role: r };
    });
    attributeRules.push({ context, asserts });
  }
  const patched =
    set === 'EDM-ERR-C'
      ? Schema.fromString(text.replace("count(rim:Slot[@name='PreviewLocation']=1)", 'true()'))
      : undefined;
  const loaded: Loaded = { text, namespaces, attributeRules, ...(patched === undefined ? {} : { patched }) };
  cache.set(set, loaded);
  return loaded;
}

function attributeFindings(set: SetName, xml: string): OfficialFinding[] {
  const { namespaces, attributeRules } = load(set);
  const doc = parseXmlDocument(xml);
  const options = {
    namespaceResolver: (prefix: string | null) => (prefix === null ? null : (namespaces[prefix] ?? null)),
  };
  const out: OfficialFinding[] = [];
  for (const rule of attributeRules) {
    for (const node of fontoxpath.evaluateXPathToNodes(`//(${rule.context})`, doc, null, {}, options)) {
      for (const a of rule.asserts) {
        if (!fontoxpath.evaluateXPathToBoolean(a.test, node, null, {}, options)) out.push({ id: a.id, role: a.role });
      }
    }
  }
  return out;
}

function runSet(set: SetName, xml: string): OfficialFinding[] {
  const { patched } = load(set);
  // The patched file relies on runSchematron (called first for the S file) having registered
  // the three-argument fn:matches; EDM-ERR-C declares no roles.
  const elementFindings =
    patched === undefined
      ? runSchematron(set, xml).map((f) => ({ id: f.id, role: f.role }))
      : patched.validateString(xml).map((r) => ({ id: r.assertId, role: 'error' as const }));
  return [...elementFindings, ...attributeFindings(set, xml)];
}

/** Findings of the official structure and content files for `kind`. */
export function officialFindings(kind: 'RESP' | 'ERR', xml: string): OfficialFinding[] {
  return [...runSet(`EDM-${kind}-S`, xml), ...runSet(`EDM-${kind}-C`, xml)];
}

/** IDs of the official findings with role error (unnamed asserts dropped), sorted and unique. */
export function officialErrorIds(kind: 'RESP' | 'ERR', xml: string): string[] {
  const ids = officialFindings(kind, xml)
    .filter((f) => f.role === 'error' && f.id !== null)
    .map((f) => f.id!);
  return [...new Set(ids)].sort();
}
