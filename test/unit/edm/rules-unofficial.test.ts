/**
 * Refuse only what the official rules refuse: a check with no official rule or XSD constraint behind
 * it reports a warning and the request is answered. And every rule ID the adapter checks is either
 * in the official Schematron files or listed in docs/errors.md, the adapter's own ones as `LV-…`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { answerRequest } from '../../../src/exchange/answer.js';
import { ERROR_RULES } from '../../../src/edm/rules/error-index.js';
import { REQUEST_RULES } from '../../../src/edm/rules/request-index.js';
import { RESPONSE_RULES } from '../../../src/edm/rules/response-index.js';
import { validateMessage } from '../../../src/edm/validate.js';
import { EDM_ARTEFACTS } from '../../support/schematron.js';
import { asV2, exampleRequest, inbound, testDeps, userMessage } from '../../support/exchange-fixtures.js';

const V2_REQUEST = asV2(exampleRequest('lv-birth-certificate-pdf'));

function edit(xml: string, from: string, to: string): string {
  const out = xml.replace(from, to);
  if (out === xml) throw new Error(`edit found nothing: ${from}`);
  return out;
}

const CASES = [
  {
    rule: 'LV-EDM-REQ-001',
    what: 'xml:lang on the v2.0 root',
    xml: edit(V2_REQUEST, '<query:QueryRequest ', '<query:QueryRequest xml:lang="EN" '),
  },
  {
    rule: 'LV-EDM-REQ-002',
    what: 'Transformation in a v2.0 DistributedAs',
    xml: edit(
      V2_REQUEST,
      '<sdg:Format>application/pdf</sdg:Format>',
      '<sdg:Format>application/pdf</sdg:Format><sdg:Transformation>https://sr.oots.tech.ec.europa.eu/datamodels/x/y</sdg:Transformation>',
    ),
  },
] as const;

describe('a v2.0 request with a leftover of 1.x is answered, with a warning', () => {
  it.each(CASES.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    const report = validateMessage(c.xml);
    expect(report.valid).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.warnings.map((w) => w.rule)).toContain(c.rule);

    const result = await answerRequest(inbound(c.xml, userMessage({}, true)), testDeps());
    expect(result.summary).toMatchObject({ outcome: 'evidence', edmCode: undefined });
    // The summary (logged with "request answered") names the rule, nothing of the request.
    expect(result.summary.ruleWarnings).toEqual([c.rule]);
  });

  it('the base request raises neither warning', async () => {
    const rules = validateMessage(V2_REQUEST).warnings.map((w) => w.rule);
    expect(rules.filter((r) => r.startsWith('LV-'))).toEqual([]);
    const result = await answerRequest(inbound(V2_REQUEST, userMessage({}, true)), testDeps());
    expect(result.summary.ruleWarnings).toBeUndefined();
  });
});

/** Every `id="R-…"` of the official (v1.0) Schematron files we hold. */
function officialIds(): Set<string> {
  const dir = path.join(EDM_ARTEFACTS, 'v1.0', 'sch');
  const ids = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.sch')))
    for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(/\bid="(R-[^"]+)"/g)) ids.add(m[1]!);
  return ids;
}

/** `id severity` of each row of the table under "## Rules without an official Schematron ID". */
function documentedRules(): string[] {
  const doc = readFileSync(path.resolve('docs/errors.md'), 'utf8');
  const section = doc.split('## Rules without an official Schematron ID')[1];
  if (section === undefined) throw new Error('docs/errors.md has no list of rules without an official ID');
  const body = section.split(/\n## /)[0]!;
  return [...body.matchAll(/^\| `([A-Z][A-Za-z0-9-]+)` \| (\w+) \|/gm)].map((m) => `${m[1]!} ${m[2]!}`).sort();
}

describe('rule IDs stay honest', () => {
  const rules = [...REQUEST_RULES, ...RESPONSE_RULES, ...ERROR_RULES];
  const ours = [...new Set(rules.map((r) => r.id))];
  const official = officialIds();
  const unofficial = [...new Set(rules.filter((r) => !official.has(r.id)).map((r) => `${r.id} ${r.severity}`))].sort();

  it('every rule without an official Schematron ID is listed in docs/errors.md with its severity, and only those', () => {
    expect(documentedRules()).toEqual(unofficial);
  });

  it("the adapter's own IDs cannot be mistaken for official ones", () => {
    // An invented ID takes the `LV-` prefix; an `R-…` ID outside the Schematron must be a published
    // one of a later release (docs/errors.md says where), never an invented `R-…-V2-…`.
    expect(ours.filter((id) => !id.startsWith('R-') && !id.startsWith('LV-'))).toEqual([]);
    expect(ours.filter((id) => /^R-.*-V\d/.test(id))).toEqual([]);
    expect(ours.filter((id) => id.startsWith('LV-')).every((id) => !official.has(id))).toBe(true);
  });

  it('a rule without an official or published ID never refuses', () => {
    const own = [...REQUEST_RULES, ...RESPONSE_RULES, ...ERROR_RULES].filter((r) => r.id.startsWith('LV-'));
    expect(own.length).toBeGreaterThan(0);
    expect(own.filter((r) => r.severity === 'error').map((r) => r.id)).toEqual([]);
  });
});
