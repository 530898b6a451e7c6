/**
 * Our QueryRequest rules against the official v1.0 Schematron on every official v1.0 sample request:
 * same failed rule IDs per severity, except on rules we deliberately deviate from
 * (REQUEST_RULE_DEVIATIONS) and on the attribute-context asserts the harness cannot evaluate.
 * v1.2 and v2.0 samples must be valid under their own version.
 */
import { REQUEST_RULES, REQUEST_RULE_DEVIATIONS } from '../../../src/edm/rules/request-index.js';
import { runOfficial } from '../../support/schematron.js';
import { HARNESS_BLIND, officialRequestIds, requestSamples, runRequestRules } from './rules-request-support.js';

const V10 = requestSamples('v1.0');
const EXCUSED = new Set([...Object.keys(REQUEST_RULE_DEVIATIONS), ...HARNESS_BLIND]);
const OFFICIAL = officialRequestIds();

function bySeverity(found: readonly { id: string; severity: string }[], severity: string): string[] {
  return [...new Set(found.filter((f) => f.severity === severity).map((f) => f.id))]
    .filter((id) => !EXCUSED.has(id))
    .sort();
}

describe('request rules agree with the official Schematron (v1.0 samples)', () => {
  it('finds the official v1.0 sample requests', () => {
    // 2 full examples, 2 old samples, 15 projectathon, 2 connectathon drafts.
    expect(V10).toHaveLength(21);
  });

  it.each(V10.map((s) => [s.name, s.xml] as const))('%s', (_name, xml) => {
    const ours = runRequestRules(xml).map((v) => ({ id: v.rule, severity: v.severity }));
    // Unnamed official asserts (id null) have no rule of ours; see request-structure.ts.
    const official = runOfficial('REQ', xml).flatMap((f) => (f.id === null ? [] : [{ id: f.id, severity: f.role }]));
    for (const severity of ['error', 'warning', 'info']) {
      expect({ severity, ids: bySeverity(ours, severity) }).toEqual({ severity, ids: bySeverity(official, severity) });
    }
  });

  it('every deviation names a rule we implement', () => {
    const ours = new Set(REQUEST_RULES.map((r) => r.id));
    expect(Object.keys(REQUEST_RULE_DEVIATIONS).filter((id) => !ours.has(id))).toEqual([]);
  });

  it('implements every named assert of EDM-REQ-S.sch and EDM-REQ-C.sch', () => {
    const ours = new Set(REQUEST_RULES.map((r) => r.id));
    expect([...OFFICIAL].filter((id) => !ours.has(id))).toEqual([]);
  });

  it('gives every official rule its official severity unless a deviation says otherwise', () => {
    const roles = new Map<string, string>();
    for (const m of [
      ['R-EDM-REQ-S007', 'warning'],
      ['R-EDM-REQ-S008', 'info'],
      ['R-EDM-REQ-S011', 'warning'],
      ['R-EDM-REQ-S014', 'info'],
      ['R-EDM-REQ-C038', 'warning'],
    ] as const)
      roles.set(m[0], m[1]);
    const wrong = REQUEST_RULES.filter((r) => OFFICIAL.has(r.id) && !(r.id in REQUEST_RULE_DEVIATIONS))
      .filter((r) => r.severity !== (roles.get(r.id) ?? 'error'))
      .map((r) => r.id);
    expect(wrong).toEqual([]);
  });
});

describe('later-version samples are valid under their own version', () => {
  const later = [...requestSamples('v1.2'), ...requestSamples('v2.0')];

  it('finds the v1.2 and v2.0 sample requests', () => {
    expect(later.map((s) => s.name).sort()).toEqual([
      'oots-france/messages/requete.xml',
      'pyRegRep-tests/EDM_Ferst_Request.xml',
      'pyRegRep-tests/EDM_Second_Request.xml',
    ]);
  });

  it.each(later.map((s) => [s.name, s.xml] as const))('%s has no errors or warnings', (_name, xml) => {
    expect(runRequestRules(xml).filter((v) => v.severity !== 'info')).toEqual([]);
  });
});
