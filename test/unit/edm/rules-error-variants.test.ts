/**
 * One targeted edit of a valid error response per error rule: our engine reports exactly that
 * rule (no other error), and for a v1.0 rule of the official .sch that is not a listed deviation
 * the official Schematron reports it too. Plus the version deltas that accept what v1.0 refuses.
 */
import type { EdmVersion } from '../../../src/edm/model.js';
import { runRules } from '../../../src/edm/rules/engine.js';
import { ERROR_RULE_DEVIATIONS, ERROR_RULES } from '../../../src/edm/rules/error-index.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { sample } from '../../support/samples.js';
import { officialFindings } from './rules-response-official.js';

function edit(xml: string, from: string | RegExp, to: string): string {
  const out = xml.replace(from, to);
  if (out === xml) throw new Error(`edit found nothing to replace: ${String(from)}`);
  return out;
}

/** Applies `fn` to the first `rim:Slot[@name=name]` block only. */
function inSlot(xml: string, name: string, fn: (block: string) => string): string {
  const re = new RegExp(`<rim:Slot name="${name}">[\\s\\S]*?</rim:Slot>`);
  const m = re.exec(xml);
  if (m === null) throw new Error(`no slot ${name}`);
  return xml.slice(0, m.index) + fn(m[0]) + xml.slice(m.index + m[0].length);
}

const slot = (name: string, type: string, value: string): string =>
  `<rim:Slot name="${name}"><rim:SlotValue xsi:type="rim:${type}"><rim:Value>${value}</rim:Value></rim:SlotValue></rim:Slot>`;

const V10: EdmVersion = 'oots-edm:v1.0';

interface Variant {
  readonly rule: string;
  readonly base: string;
  readonly version: EdmVersion;
  readonly change: (xml: string) => string;
}

/** TC03 alt1: a plain EDM:ERR:0005 timeout. */
const timeout = (rule: string, change: (xml: string) => string): Variant => ({
  rule,
  base: 'TC03_Response_alt1_timeout_in_connection_to_base_registry',
  version: V10,
  change,
});
/** TC06 response 1: EDM:ERR:0002 preview required, with PreviewLocation/Description/Method. */
const preview = (rule: string, change: (xml: string) => string): Variant => ({
  rule,
  base: 'TC06_Response_1',
  version: V10,
  change,
});

const EXCEPTION_END = '</rs:Exception>';
const exceptionBlock = (x: string): string => /<rs:Exception[\s\S]*<\/rs:Exception>/.exec(x)![0];

const VARIANTS: readonly Variant[] = [
  // ---- EDM-ERR-S
  timeout('R-EDM-ERR-S001', (x) =>
    edit(edit(x, '<query:QueryResponse ', '<query:QueryAnswer '), '</query:QueryResponse>', '</query:QueryAnswer>'),
  ),
  timeout('R-EDM-ERR-S02', (x) =>
    edit(x, 'xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"', 'xmlns:query="urn:example:query"'),
  ),
  timeout('R-EDM-ERR-S003', (x) => edit(x, /requestId="[^"]*"/, '')),
  timeout('R-EDM-ERR-S004', (x) => edit(x, /requestId="[^"]*"/, 'requestId="request-1"')),
  timeout('R-EDM-ERR-S06', (x) => edit(x, 'ResponseStatusType:Failure', 'ResponseStatusType:Success')),
  timeout('R-EDM-ERR-S07', (x) => edit(x, '<rs:Exception', '<rim:RegistryObjectList/><rs:Exception')),
  timeout('R-EDM-ERR-S08', (x) =>
    edit(
      edit(x, /<rs:Exception[\s\S]*<\/rs:Exception>/, ''),
      'ResponseStatusType:Failure',
      'ResponseStatusType:Unavailable',
    ),
  ),
  timeout('R-EDM-ERR-S09', (x) => inSlot(x, 'SpecificationIdentifier', () => '')),
  timeout('R-EDM-ERR-S10', (x) => inSlot(x, 'EvidenceResponseIdentifier', () => '')),
  timeout('R-EDM-ERR-S11', (x) => inSlot(x, 'ErrorProvider', () => '')),
  timeout('R-EDM-ERR-S18', (x) =>
    inSlot(x, 'SpecificationIdentifier', (b) => edit(b, 'rim:StringValueType', 'rim:AnyValueType')),
  ),
  timeout('R-EDM-ERR-S19', (x) =>
    inSlot(x, 'EvidenceResponseIdentifier', (b) => edit(b, 'rim:StringValueType', 'rim:AnyValueType')),
  ),
  timeout('R-EDM-ERR-S22', (x) =>
    inSlot(x, 'Timestamp', (b) => edit(b, 'rim:DateTimeValueType', 'rim:StringValueType')),
  ),
  timeout('R-EDM-ERR-S021', (x) =>
    inSlot(x, 'EvidenceRequester', (b) => edit(b, 'rim:AnyValueType', 'rim:StringValueType')),
  ),
  timeout('R-EDM-ERR-S020', (x) =>
    inSlot(x, 'ErrorProvider', (b) => edit(b, 'rim:AnyValueType', 'rim:CollectionValueType')),
  ),
  timeout('R-EDM-ERR-S026', (x) =>
    inSlot(x, 'ErrorProvider', (b) =>
      edit(edit(b, '<sdg:Agent>', '<sdg:Organisation>'), '</sdg:Agent>', '</sdg:Organisation>'),
    ),
  ),
  timeout('R-EDM-ERR-S12', (x) => inSlot(x, 'Timestamp', () => '')),
  preview('R-EDM-ERR-S16', (x) =>
    edit(x, EXCEPTION_END, `${slot('PreviewMethod', 'StringValueType', 'GET')}${EXCEPTION_END}`),
  ),
  preview('R-EDM-ERR-S15', (x) => {
    const description = /<rim:Slot name="PreviewDescription">[\s\S]*?<\/rim:Slot>/.exec(x)![0];
    return edit(x, EXCEPTION_END, `${description}${EXCEPTION_END}`);
  }),
  preview('R-EDM-ERR-S23', (x) =>
    inSlot(x, 'PreviewLocation', (b) => edit(b, 'rim:StringValueType', 'rim:AnyValueType')),
  ),
  preview('R-EDM-ERR-S25', (x) =>
    inSlot(x, 'PreviewMethod', (b) => edit(b, 'rim:StringValueType', 'rim:AnyValueType')),
  ),
  preview('R-EDM-ERR-S24', (x) =>
    inSlot(x, 'PreviewDescription', (b) => edit(b, 'rim:InternationalStringValueType', 'rim:StringValueType')),
  ),
  timeout('R-EDM-ERR-S017a', (x) =>
    edit(x, '<rs:Exception', `${slot('Remarks', 'StringValueType', 'x')}<rs:Exception`),
  ),
  timeout('R-EDM-ERR-S017b', (x) =>
    edit(x, EXCEPTION_END, `${slot('Remarks', 'StringValueType', 'x')}${EXCEPTION_END}`),
  ),
  // ---- EDM-ERR-C
  timeout('R-EDM-ERR-C001', (x) =>
    edit(x, '<rim:Value>oots-edm:v1.0</rim:Value>', '<rim:Value>oots-edm:v0.9</rim:Value>'),
  ),
  timeout('R-EDM-ERR-C002', (x) =>
    inSlot(x, 'EvidenceResponseIdentifier', (b) => edit(b, /<rim:Value>[^<]*</, '<rim:Value>error-1<')),
  ),
  timeout('R-EDM-ERR-C003', (x) => inSlot(x, 'ErrorProvider', (b) => edit(b, / schemeID="[^"]*"/, ''))),
  timeout('R-EDM-ERR-C007', (x) =>
    inSlot(x, 'ErrorProvider', (b) => edit(b, '<sdg:Classification>ERRP<', '<sdg:Classification> <')),
  ),
  timeout('R-EDM-ERR-C009', (x) => inSlot(x, 'EvidenceRequester', (b) => edit(b, / schemeID="[^"]*"/, ''))),
  timeout('R-EDM-ERR-C011', (x) => edit(x, EXCEPTION_END, `${EXCEPTION_END}${exceptionBlock(x)}`)),
  timeout('R-EDM-ERR-C012', (x) => edit(x, 'xsi:type="rs:TimeoutExceptionType"', '')),
  timeout('R-EDM-ERR-C015', (x) =>
    edit(
      x,
      'severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"',
      'severity="urn:sr.oots.tech.ec.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired"',
    ),
  ),
  timeout('R-EDM-ERR-C016', (x) => edit(x, 'message="Exceeding timeout period"', '')),
  timeout('R-EDM-ERR-C018', (x) =>
    inSlot(x, 'Timestamp', (b) => edit(b, /<rim:Value>[^<]*</, '<rim:Value>30.03.2023<')),
  ),
  preview('R-EDM-ERR-C019', (x) => edit(x, '<rim:Value>https://preview.space', '<rim:Value>http://preview.space')),
  preview('R-EDM-ERR-C021', (x) => inSlot(x, 'PreviewMethod', (b) => edit(b, '<rim:Value>GET<', '<rim:Value>DELETE<'))),
  timeout('R-EDM-ERR-C022', (x) =>
    edit(
      x,
      EXCEPTION_END,
      `${slot('PreviewLocation', 'StringValueType', 'https://preview.example/s/1')}${EXCEPTION_END}`,
    ),
  ),
  timeout('R-EDM-ERR-C010', (x) => inSlot(x, 'EvidenceRequester', (b) => edit(b, 'EAS:0190', 'EAS:0000'))),
  timeout('R-EDM-ERR-C004', (x) => inSlot(x, 'ErrorProvider', (b) => edit(b, 'EAS:0204', 'EAS:0000'))),
  timeout('R-EDM-ERR-C005', (x) =>
    inSlot(x, 'ErrorProvider', (b) => edit(b, '<sdg:AdminUnitLevel1>DE<', '<sdg:AdminUnitLevel1>XX<')),
  ),
  timeout('R-EDM-ERR-C008', (x) =>
    inSlot(x, 'ErrorProvider', (b) => edit(b, '<sdg:Classification>ERRP<', '<sdg:Classification>ER<')),
  ),
  timeout('R-EDM-ERR-C013', (x) => edit(x, 'xsi:type="rs:TimeoutExceptionType"', 'xsi:type="rs:DelayExceptionType"')),
  timeout('R-EDM-ERR-C017', (x) => edit(x, 'code="EDM:ERR:0005"', 'code="EDM:ERR:0009"')),
  preview('R-EDM-ERR-C014', (x) =>
    edit(
      edit(x, /<rim:Slot name="PreviewLocation">[\s\S]*?<\/rim:Slot>/, ''),
      'severity="urn:sr.oots.tech.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired"',
      'severity="urn:sr.oots.tech.europa.eu:codes:ErrorSeverity:DSDErrorResponse:AdditionalInput"',
    ),
  ),
  preview('R-EDM-ERR-C020', (x) => edit(x, 'xml:lang="EN"', 'xml:lang="QQ"')),
  // ---- 1.2.5 / 2.0.1
  {
    rule: 'R-EDM-ERR-S031',
    base: 'v1.2-first-response',
    version: 'oots-edm:v1.2',
    change: (x) => inSlot(x, 'PreviewMethod', () => ''),
  },
  {
    rule: 'R-EDM-ERR-S027',
    base: 'v2.0-erreur',
    version: 'oots-edm:v2.0',
    change: (x) => edit(x, EXCEPTION_END, `${slot('PreviewMethod', 'StringValueType', 'GET')}${EXCEPTION_END}`),
  },
];

function ourFindings(xml: string, version: EdmVersion): { errors: string[]; all: string[] } {
  const found = runRules(ERROR_RULES, 'ErrorResponse', parseXml(xml), version);
  return { errors: found.filter((v) => v.severity === 'error').map((v) => v.rule), all: found.map((v) => v.rule) };
}

describe('error rules: one broken variant per rule', () => {
  it.each(VARIANTS.map((v) => [v.rule, v] as const))('%s', (rule, v) => {
    const base = sample(v.base).load();
    expect(ourFindings(base, v.version).all).toEqual([]);
    const broken = v.change(base);
    expect([...new Set(ourFindings(broken, v.version).errors)]).toEqual([rule]);
    const inOfficialFile = v.version === V10 && !(rule in ERROR_RULE_DEVIATIONS);
    if (inOfficialFile) expect(officialFindings('ERR', broken).map((f) => f.id)).toContain(rule);
  });

  it('the table has exactly one variant for every rule of ERROR_RULES', () => {
    const ids = ERROR_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(VARIANTS.map((v) => v.rule).sort()).toEqual([...ids].sort());
  });

  it('every deviation names a rule of the set', () => {
    const ids = new Set(ERROR_RULES.map((r) => r.id));
    expect(Object.keys(ERROR_RULE_DEVIATIONS).filter((id) => !ids.has(id))).toEqual([]);
  });
});

describe('error rules: version deltas', () => {
  const judge = (xml: string, version: EdmVersion): string[] => ourFindings(xml, version).errors;
  const twoExceptions = (x: string): string => edit(x, EXCEPTION_END, `${EXCEPTION_END}${exceptionBlock(x)}`);

  it('R-EDM-ERR-C011: one exception in v1.0, several allowed from v1.1 on', () => {
    const doubled = twoExceptions(sample('v1.2-first-response').load());
    expect(judge(doubled, 'oots-edm:v1.0')).toContain('R-EDM-ERR-C011');
    expect(judge(doubled, 'oots-edm:v1.2')).toEqual([]);
  });

  it('R-EDM-ERR-C021: PUT is a PreviewMethod in v1.2 only; POST in every v1.x', () => {
    const withVerb = (verb: string): string =>
      inSlot(sample('v1.2-first-response').load(), 'PreviewMethod', (b) =>
        edit(b, '<rim:Value>GET<', `<rim:Value>${verb}<`),
      );
    expect(judge(withVerb('PUT'), 'oots-edm:v1.2')).toEqual([]);
    expect(judge(withVerb('PUT'), 'oots-edm:v1.0')).toEqual(['R-EDM-ERR-C021']);
    expect(judge(withVerb('POST'), 'oots-edm:v1.0')).toEqual([]);
  });

  it('R-EDM-ERR-S031 does not apply to v1.0 (PreviewMethod optional there)', () => {
    const noMethod = inSlot(sample('TC06_Response_1').load(), 'PreviewMethod', () => '');
    expect(judge(noMethod, 'oots-edm:v1.0')).toEqual([]);
    expect(judge(noMethod, 'oots-edm:v1.2')).toEqual(['R-EDM-ERR-S031']);
  });

  it('PreviewMethod rules are silent in v2.0, where S027 forbids the slot', () => {
    const xml = edit(
      sample('v2.0-erreur').load(),
      EXCEPTION_END,
      `${slot('PreviewMethod', 'AnyValueType', 'DELETE')}${slot('PreviewMethod', 'AnyValueType', 'DELETE')}${EXCEPTION_END}`,
    );
    expect([...new Set(judge(xml, 'oots-edm:v2.0'))]).toEqual(['R-EDM-ERR-S027']);
  });

  it('severity URNs are accepted under both hosts', () => {
    const finalHost = edit(
      sample('TC06_Response_1').load(),
      'severity="urn:sr.oots.tech.europa.eu:',
      'severity="urn:sr.oots.tech.ec.europa.eu:',
    );
    expect(judge(finalHost, 'oots-edm:v1.0')).toEqual([]);
  });

  it('SpecificationIdentifier accepts the supported version the message is judged in', () => {
    const v12 = sample('TC03_Response_alt1_timeout_in_connection_to_base_registry')
      .load()
      .replace('oots-edm:v1.0', 'oots-edm:v1.2');
    expect(judge(v12, 'oots-edm:v1.2')).toEqual([]);
  });
});
