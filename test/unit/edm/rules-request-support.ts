/**
 * Sample discovery and run helpers for the request-rule tests: finds every QueryRequest under the
 * official sample folders by content (independent of other catalogues), and runs REQUEST_RULES
 * with the version the message itself declares.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { runRules } from '../../../src/edm/rules/engine.js';
import { REQUEST_RULES } from '../../../src/edm/rules/request-index.js';
import { readVersion } from '../../../src/edm/version.js';
import type { Violation } from '../../../src/edm/violation.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { EDM_ARTEFACTS } from '../../support/schematron.js';

export interface RequestSample {
  readonly name: string;
  readonly xml: string;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (entry.endsWith('.xml')) out.push(full);
  }
  return out;
}

/** QueryRequests under `<version>/samples`; v1.2 pyRegRep files get `xsi:lang` back to `xml:lang` (SOURCES.md). */
export function requestSamples(version: 'v1.0' | 'v1.2' | 'v2.0'): RequestSample[] {
  const base = path.join(EDM_ARTEFACTS, version, 'samples');
  return walk(base)
    .filter((f) => !f.includes(`${path.sep}incoming${path.sep}`))
    .map((f) => ({ name: path.relative(base, f), xml: readFileSync(f, 'utf8') }))
    .filter((s) => /<(?:[\w-]+:)?QueryRequest[\s>]/.test(s.xml.replace(/<!--[\s\S]*?-->/g, '')))
    .map((s) => (version === 'v1.2' ? { ...s, xml: s.xml.replaceAll('xsi:lang=', 'xml:lang=') } : s));
}

export function sampleFile(relative: string): string {
  return readFileSync(path.join(EDM_ARTEFACTS, relative), 'utf8');
}

/** REQUEST_RULES on `xml`, with the version the message declares. */
export function runRequestRules(xml: string): Violation[] {
  const root = parseXml(xml);
  return runRules(REQUEST_RULES, 'QueryRequest', root, readVersion(root).version);
}

/** Rule IDs of the official EDM-REQ-S/C Schematron files (named asserts only). */
export function officialRequestIds(): Set<string> {
  const ids = new Set<string>();
  for (const f of ['EDM-REQ-S.sch', 'EDM-REQ-C.sch'])
    for (const m of readFileSync(path.join(EDM_ARTEFACTS, 'v1.0', 'sch', f), 'utf8').matchAll(
      /\bid="(R-EDM-REQ-[^"]+)"/g,
    ))
      ids.add(m[1]!);
  return ids;
}

/**
 * Official asserts whose context is an attribute (`.../@value`, `@lang`, `query:QueryRequest/@id`):
 * the node-schematron test harness never evaluates attribute contexts, so it cannot report them.
 */
export const HARNESS_BLIND: ReadonlySet<string> = new Set([
  'R-EDM-REQ-S004',
  'R-EDM-REQ-C003',
  'R-EDM-REQ-C004',
  'R-EDM-REQ-C009',
  'R-EDM-REQ-C021',
  'R-EDM-REQ-C028',
  'R-EDM-REQ-C030',
]);

export function ids(vs: readonly { rule: string }[]): string[] {
  return [...new Set(vs.map((v) => v.rule))].sort();
}
