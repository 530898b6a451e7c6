/**
 * One targeted edit of a valid sample per response rule: our engine reports exactly that rule
 * (no other error), and for a v1.0 rule of the official .sch that is not a listed deviation the
 * official Schematron reports it too. A last test keeps the table complete.
 */
import type { EdmVersion } from '../../../src/edm/model.js';
import { runRules } from '../../../src/edm/rules/engine.js';
import { RESPONSE_RULE_DEVIATIONS, RESPONSE_RULES } from '../../../src/edm/rules/response-index.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { sample } from '../../support/samples.js';
import { officialFindings } from './rules-response-official.js';

/** Replaces the first occurrence of `from` (a string or regex) and fails loudly when it is absent. */
function edit(xml: string, from: string | RegExp, to: string): string {
  const out = xml.replace(from, to);
  if (out === xml) throw new Error(`edit found nothing to replace: ${String(from)}`);
  return out;
}

/** Applies `fn` to the first top-level `rim:Slot[@name=name]` block only. */
function inSlot(xml: string, name: string, fn: (block: string) => string): string {
  const re = new RegExp(`<rim:Slot name="${name}">[\\s\\S]*?</rim:Slot>`);
  const m = re.exec(xml);
  if (m === null) throw new Error(`no slot ${name}`);
  return xml.slice(0, m.index) + fn(m[0]) + xml.slice(m.index + m[0].length);
}

const slot = (name: string, type: string, value: string): string =>
  `<rim:Slot name="${name}"><rim:SlotValue xsi:type="rim:${type}"><rim:Value>${value}</rim:Value></rim:SlotValue></rim:Slot>`;

const V10: EdmVersion = 'oots-edm:v1.0';
const V12: EdmVersion = 'oots-edm:v1.2';
const V20: EdmVersion = 'oots-edm:v2.0';

interface Variant {
  readonly rule: string;
  readonly base: string;
  readonly version: EdmVersion;
  readonly change: (xml: string) => string;
}

const tc01 = (rule: string, change: (xml: string) => string): Variant => ({
  rule,
  base: 'TC01_Response',
  version: V10,
  change,
});
const tax = (rule: string, change: (xml: string) => string): Variant => ({
  rule,
  base: 'tax-response',
  version: V10,
  change,
});
const v2 = (rule: string, change: (xml: string) => string): Variant => ({
  rule,
  base: 'v2.0-reponse',
  version: V20,
  change,
});

const MAIN_ID = 'urn:uuid:1a2b3c4d-0000-4000-8000-000000000017';
const uuid = (n: number): string => `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** A supplementary document of the v2.0 package, classified `node`, with minimal evidence metadata. */
const supplementary = (node: string, id = uuid(1), extra = ''): string =>
  `<rim:RegistryObject xsi:type="rim:ExtrinsicObjectType" id="${id}">` +
  `<rim:Slot name="EvidenceMetadata"><rim:SlotValue xsi:type="rim:AnyValueType"><sdg:Evidence>` +
  `<sdg:Identifier>00000000-0000-4000-8000-000000000099</sdg:Identifier>${extra}` +
  `<sdg:Distribution><sdg:Format>application/pdf</sdg:Format></sdg:Distribution></sdg:Evidence></rim:SlotValue></rim:Slot>` +
  `<rim:Classification id="${uuid(2)}" classificationScheme="urn:fdc:oots:classification:edm" classificationNode="${node}"/>` +
  `<rim:RepositoryItemRef xlink:href="cid:annex-1@example.eu" xlink:title="Annex"/></rim:RegistryObject>`;
const association = (attrs: string): string =>
  `<rim:RegistryObject xsi:type="rim:AssociationType" id="${uuid(3)}" ${attrs}/>`;
const TYPE = 'urn:oasis:names:tc:ebxml-regrep:AssociationType:';
/** Adds objects to the v2.0 package, after the main evidence. */
const addToPackage = (xml: string, objects: string): string =>
  edit(
    xml,
    '</rim:RegistryObject>\n      </rim:RegistryObjectList>',
    `</rim:RegistryObject>${objects}</rim:RegistryObjectList>`,
  );

const VARIANTS: readonly Variant[] = [
  // ---- EDM-RESP-S
  tc01('R-EDM-RESP-S001', (x) =>
    edit(edit(x, '<query:QueryResponse ', '<query:QueryAnswer '), '</query:QueryResponse>', '</query:QueryAnswer>'),
  ),
  tc01('R-EDM-RESP-S002', (x) =>
    edit(x, 'xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"', 'xmlns:query="urn:example:query"'),
  ),
  tc01('R-EDM-RESP-S003', (x) => edit(x, /requestId="[^"]*"/, '')),
  tc01('R-EDM-RESP-S004', (x) => edit(x, /requestId="[^"]*"/, 'requestId="urn:uuid:not-a-uuid"')),
  tc01('R-EDM-RESP-S005', (x) => edit(x, /status="[^"]*"/, '')),
  tc01('R-EDM-RESP-S006', (x) => edit(x, 'ResponseStatusType:Success', 'ResponseStatusType:Failure')),
  tc01('R-EDM-RESP-S007', (x) => edit(x, /<rim:RegistryObjectList>[\s\S]*<\/rim:RegistryObjectList>/, '')),
  tc01('R-EDM-RESP-S033', (x) => edit(x, /<rim:RepositoryItemRef [^>]*\/>/, '')),
  tc01('R-EDM-RESP-S034', (x) => edit(x, /xlink:href="[^"]*"/, '')),
  tc01('R-EDM-RESP-S035', (x) => edit(x, /xlink:title="[^"]*"/, '')),
  tc01('R-EDM-RESP-S036', (x) => edit(x, /(ExtrinsicObjectType") id="[^"]*"/, '$1')),
  tc01('R-EDM-RESP-S037', (x) => edit(x, /(ExtrinsicObjectType" id=)"[^"]*"/, '$1"urn:uuid:1234"')),
  tc01('R-EDM-RESP-S008', (x) =>
    edit(
      x,
      '<rim:RegistryObjectList>',
      '<rs:Exception xsi:type="rs:ObjectNotFoundExceptionType" code="EDM:ERR:0004" message="x"/><rim:RegistryObjectList>',
    ),
  ),
  tc01('R-EDM-RESP-S009', (x) => inSlot(x, 'SpecificationIdentifier', () => '')),
  tc01('R-EDM-RESP-S010', (x) => inSlot(x, 'EvidenceResponseIdentifier', () => '')),
  tc01('R-EDM-RESP-S011', (x) => inSlot(x, 'IssueDateTime', () => '')),
  tc01('R-EDM-RESP-S012', (x) => inSlot(x, 'EvidenceProvider', () => '')),
  tc01('R-EDM-RESP-S013', (x) => inSlot(x, 'EvidenceRequester', () => '')),
  tc01('R-EDM-RESP-S014', (x) => {
    const radt = slot('ResponseAvailableDateTime', 'DateTimeValueType', '2023-03-11T10:20:31+02:00');
    return edit(x, '<rim:RegistryObjectList>', `${radt}${radt}<rim:RegistryObjectList>`);
  }),
  tc01('R-EDM-RESP-S016', (x) =>
    edit(x, '<rim:RegistryObjectList>', `${slot('Remarks', 'StringValueType', 'x')}<rim:RegistryObjectList>`),
  ),
  tc01('R-EDM-RESP-S017', (x) =>
    inSlot(x, 'SpecificationIdentifier', (b) => edit(b, 'rim:StringValueType', 'rim:AnyValueType')),
  ),
  tc01('R-EDM-RESP-S018', (x) =>
    inSlot(x, 'EvidenceResponseIdentifier', (b) => edit(b, 'rim:StringValueType', 'rim:AnyValueType')),
  ),
  tc01('R-EDM-RESP-S019', (x) =>
    inSlot(x, 'IssueDateTime', (b) => edit(b, 'rim:DateTimeValueType', 'rim:StringValueType')),
  ),
  tc01('R-EDM-RESP-S020', (x) =>
    inSlot(x, 'EvidenceProvider', (b) => edit(b, 'rim:CollectionValueType', 'rim:AnyValueType')),
  ),
  tc01('R-EDM-REQ-S021', (x) =>
    inSlot(x, 'EvidenceProvider', (b) =>
      edit(b, '<rim:Element xsi:type="rim:AnyValueType">', '<rim:Element xsi:type="rim:StringValueType">'),
    ),
  ),
  tc01('R-EDM-RESP-S025', (x) =>
    inSlot(x, 'EvidenceProvider', (b) =>
      edit(edit(b, '<sdg:Agent>', '<sdg:Organisation>'), '</sdg:Agent>', '</sdg:Organisation>'),
    ),
  ),
  tc01('R-EDM-RESP-S026', (x) =>
    inSlot(x, 'EvidenceProvider', (b) => edit(b, /<sdg:Address>[\s\S]*<\/sdg:Address>/, '')),
  ),
  tc01('R-EDM-RESP-S022', (x) =>
    inSlot(x, 'EvidenceRequester', (b) => edit(b, 'rim:AnyValueType', 'rim:StringValueType')),
  ),
  tc01('R-EDM-RESP-S027', (x) =>
    inSlot(x, 'EvidenceRequester', (b) =>
      edit(edit(b, '<sdg:Agent>', '<sdg:Organisation>'), '</sdg:Agent>', '</sdg:Organisation>'),
    ),
  ),
  tc01('R-EDM-RESP-S028', (x) =>
    inSlot(x, 'EvidenceRequester', (b) => edit(b, /<sdg:Name [^>]*>[^<]*<\/sdg:Name>/, '')),
  ),
  tc01('R-EDM-RESP-S023', (x) =>
    edit(
      x,
      '<rim:RegistryObjectList>',
      `${slot('ResponseAvailableDateTime', 'StringValueType', '2023-03-11T10:20:31+02:00')}<rim:RegistryObjectList>`,
    ),
  ),
  tc01('R-EDM-RESP-S030', (x) => edit(x, /<sdg:Description [^>]*>[^<]*<\/sdg:Description>/, '')),
  tc01('R-EDM-RESP-S015', (x) => edit(x, /<rim:Slot name="EvidenceMetadata">[\s\S]*?<\/rim:Slot>/, '')),
  tc01('R-EDM-RESP-S024', (x) =>
    inSlot(x, 'EvidenceMetadata', (b) => edit(b, 'rim:AnyValueType', 'rim:StringValueType')),
  ),
  tc01('R-EDM-RESP-S029', (x) => edit(edit(x, '<sdg:Evidence>', '<sdg:Record>'), '</sdg:Evidence>', '</sdg:Record>')),
  // ---- EDM-RESP-C
  tc01('R-EDM-RESP-C002', (x) =>
    edit(x, '<rim:Value>oots-edm:v1.0</rim:Value>', '<rim:Value>oots-edm:v9.9</rim:Value>'),
  ),
  tc01('R-EDM-RESP-C003', (x) =>
    inSlot(x, 'EvidenceResponseIdentifier', (b) => edit(b, /<rim:Value>[^<]*</, '<rim:Value>response-1<')),
  ),
  tc01('R-EDM-RESP-C004', (x) =>
    inSlot(x, 'IssueDateTime', (b) => edit(b, /<rim:Value>[^<]*</, '<rim:Value>2023-03-10<')),
  ),
  tc01('R-EDM-RESP-C005', (x) =>
    edit(
      x,
      '<rim:RegistryObjectList>',
      `${slot('ResponseAvailableDateTime', 'DateTimeValueType', 'tomorrow')}<rim:RegistryObjectList>`,
    ),
  ),
  tc01('R-EDM-RESP-C006', (x) => inSlot(x, 'EvidenceProvider', (b) => edit(b, / schemeID="[^"]*"/, ''))),
  tc01('R-EDM-RESP-C010', (x) =>
    inSlot(x, 'EvidenceProvider', (b) => edit(b, '<sdg:Classification>EP<', '<sdg:Classification> <')),
  ),
  tc01('R-EDM-RESP-C012', (x) => inSlot(x, 'EvidenceRequester', (b) => edit(b, / schemeID="[^"]*"/, ''))),
  tc01('R-EDM-RESP-C015', (x) =>
    edit(x, '<sdg:Identifier>5ee5c0de-c066-4637-bea3-6e3511ada970<', '<sdg:Identifier>evidence-1<'),
  ),
  tc01('R-EDM-RESP-C016', (x) => edit(x, '<sdg:IssuingDate>2019-05-10<', '<sdg:IssuingDate>10.05.2019<')),
  tc01('R-EDM-RESP-C017', (x) =>
    edit(x, /<sdg:EvidenceTypeClassification>[^<]*</, '<sdg:EvidenceTypeClassification>https://example.org/diploma<'),
  ),
  tc01('R-EDM-RESP-C019', (x) => edit(x, '<sdg:Title lang="EN">', '<sdg:Title>')),
  tc01('R-EDM-RESP-C021', (x) => edit(x, '<sdg:Description lang="EN">', '<sdg:Description>')),
  tax('R-EDM-RESP-C022', (x) => edit(x, /<sdg:ConformsTo>[^<]*</, '<sdg:ConformsTo>https://example.org/model<')),
  tc01('R-EDM-RESP-C027', (x) => edit(x, /<sdg:Identifier schemeID="eidas">[^<]*<\/sdg:Identifier>/, '')),
  tc01('R-EDM-RESP-C028', (x) => edit(x, 'DE/DE/123456789', 'DE/DE/12')),
  tc01('R-EDM-RESP-C030', (x) => edit(x, '<sdg:Identifier schemeID="eidas">', '<sdg:Identifier>')),
  tc01('R-EDM-RESP-C031', (x) => edit(x, '<sdg:Identifier schemeID="eidas">', '<sdg:Identifier schemeID="national">')),
  tc01('R-EDM-RESP-C032', (x) => edit(x, '<sdg:DateOfBirth>1999-03-01<', '<sdg:DateOfBirth>01.03.1999<')),
  tax('R-EDM-RESP-C033', (x) => edit(x, /<sdg:LegalPersonIdentifier [^>]*>[^<]*<\/sdg:LegalPersonIdentifier>/, '')),
  tax('R-EDM-RESP-C034', (x) => edit(x, 'SE/DE/12132123Y', 'SE-12')),
  tax('R-EDM-RESP-C036', (x) => edit(x, '<sdg:LegalPersonIdentifier schemeID="eidas">', '<sdg:LegalPersonIdentifier>')),
  tax('R-EDM-RESP-C037', (x) =>
    edit(x, '<sdg:LegalPersonIdentifier schemeID="eidas">', '<sdg:LegalPersonIdentifier schemeID="VAT">'),
  ),
  tc01('R-EDM-RESP-C038', (x) =>
    edit(
      x,
      '<sdg:Identifier schemeID="urn:cef.eu:names:identifier:EAS:9930">DE7657587001',
      '<sdg:Identifier>DE7657587001',
    ),
  ),
  tc01('R-EDM-RESP-C039', (x) => edit(x, 'EAS:9930">DE7657587001', 'EAS:0000">DE7657587001')),
  tax('R-EDM-RESP-C040', (x) => edit(x, '<sdg:StartDate>2023-02-09<', '<sdg:StartDate>soon<')),
  tax('R-EDM-RESP-C041', (x) => edit(x, '<sdg:EndDate>2023-05-09<', '<sdg:EndDate>later<')),
  tc01('R-EDM-RESP-C042', (x) =>
    edit(
      x,
      'xlink:href="cid:attachment100001@example.oots.eu"',
      'xlink:href="https://example.oots.eu/attachment100001"',
    ),
  ),
  tax('R-EDM-RESP-C043', (x) =>
    edit(x, /<sdg:Transformation>[^<]*</, '<sdg:Transformation>https://example.org/subset<'),
  ),
  tax('R-EDM-RESP-C044a', (x) => edit(x, /<sdg:ConformsTo>[^<]*<\/sdg:ConformsTo>/, '')),
  tax('R-EDM-RESP-C044b', (x) =>
    edit(
      edit(x, /<sdg:ConformsTo>[^<]*<\/sdg:ConformsTo>/, ''),
      '<sdg:Format>application/xml<',
      '<sdg:Format>application/json<',
    ),
  ),
  tc01('R-EDM-RESP-C007', (x) => inSlot(x, 'EvidenceProvider', (b) => edit(b, 'EAS:0204', 'EAS:0000'))),
  tc01('R-EDM-RESP-C013', (x) => inSlot(x, 'EvidenceRequester', (b) => edit(b, 'EAS:0190', 'EAS:0000'))),
  tc01('R-EDM-RESP-C008', (x) =>
    inSlot(x, 'EvidenceProvider', (b) => edit(b, '<sdg:AdminUnitLevel1>DE<', '<sdg:AdminUnitLevel1>XX<')),
  ),
  tc01('R-EDM-RESP-C011', (x) =>
    inSlot(x, 'EvidenceProvider', (b) => edit(b, '<sdg:Classification>EP<', '<sdg:Classification>ZZ<')),
  ),
  tc01('R-EDM-RESP-C018', (x) => edit(x, '<sdg:Title lang="EN">', '<sdg:Title lang="QQ">')),
  tc01('R-EDM-RESP-C020', (x) => edit(x, '<sdg:Description lang="EN">', '<sdg:Description lang="QQ">')),
  tax('R-EDM-RESP-C026', (x) => edit(x, '<sdg:Language>DE<', '<sdg:Language>QQ<')),
  tc01('R-EDM-RESP-C023', (x) => edit(x, '<sdg:Format>application/pdf<', '<sdg:Format>application/msword<')),
  // ---- 1.2.5 / 2.0.1
  {
    rule: 'R-EDM-RESP-S041',
    base: 'v1.2-second-response',
    version: V12,
    change: (x) => edit(x, '<sdg:PlaceOfBirth>', '<sdg:Gender>Male</sdg:Gender><sdg:PlaceOfBirth>'),
  },
  {
    rule: 'R-EDM-RESP-S042',
    base: 'tax-response',
    version: V12,
    change: (x) => edit(x, '<sdg:LegalName>', '<sdg:LevelOfAssurance>High</sdg:LevelOfAssurance><sdg:LegalName>'),
  },
  v2('R-EDM-RESP-S066', (x) => edit(x, 'rim:RegistryPackageType', 'rim:ExtrinsicObjectType')),
  v2('R-EDM-RESP-S046', (x) =>
    edit(x, /(RegistryPackageType" id="[^"]*">)\s*<rim:RegistryObjectList>[\s\S]*?<\/rim:RegistryObjectList>/, '$1'),
  ),
  v2('R-EDM-RESP-S047', (x) =>
    edit(
      x,
      /<\/rim:RegistryObject>\s*<\/rim:RegistryObjectList>\s*<\/query:QueryResponse>/,
      `</rim:RegistryObject><rim:RegistryObject xsi:type="rim:RegistryPackageType" id="${uuid(9)}"><rim:RegistryObjectList/></rim:RegistryObject></rim:RegistryObjectList></query:QueryResponse>`,
    ),
  ),
  v2('R-EDM-RESP-S048', (x) =>
    edit(
      x,
      '<rim:RepositoryItemRef',
      `<rim:Classification id="${uuid(8)}" classificationScheme="urn:fdc:oots:classification:edm" classificationNode="MainEvidence"/><rim:RepositoryItemRef`,
    ),
  ),
  v2('R-EDM-RESP-S049', (x) =>
    edit(
      edit(x, 'classificationNode="MainEvidence"', 'classificationNode="Evidence"'),
      '<rim:RepositoryItemRef',
      `<rim:Classification id="${uuid(8)}" classificationScheme="urn:example:other" classificationNode="MainEvidence"/><rim:RepositoryItemRef`,
    ),
  ),
  v2('R-EDM-RESP-S050', (x) => addToPackage(x, supplementary('Annex'))),
  v2('R-EDM-RESP-S051', (x) => addToPackage(x, association(`targetObject="${MAIN_ID}"`))),
  v2('R-EDM-RESP-S052', (x) =>
    addToPackage(x, association(`type="${TYPE}Annex" sourceObject="${MAIN_ID}" targetObject="${MAIN_ID}"`)),
  ),
  v2('R-EDM-RESP-S053', (x) =>
    addToPackage(
      x,
      association(`type="${TYPE}HumanReadableVersion" sourceObject="${MAIN_ID}" targetObject="${MAIN_ID}"`),
    ),
  ),
  v2('R-EDM-RESP-S054', (x) =>
    addToPackage(x, association(`type="${TYPE}Translation" sourceObject="${MAIN_ID}" targetObject="${MAIN_ID}"`)),
  ),
  v2('R-EDM-RESP-S055', (x) => addToPackage(x, association(`sourceObject="${MAIN_ID}"`))),
  v2('R-EDM-RESP-S056', (x) =>
    addToPackage(
      x,
      supplementary('Annex') + association(`type="${TYPE}Annex" sourceObject="${uuid(1)}" targetObject="${uuid(1)}"`),
    ),
  ),
  v2('R-EDM-RESP-S057', (x) =>
    addToPackage(
      x,
      supplementary('HumanReadableVersion') +
        association(`type="${TYPE}HumanReadableVersion" sourceObject="${uuid(1)}" targetObject="${uuid(1)}"`),
    ),
  ),
  v2('R-EDM-RESP-S058', (x) =>
    addToPackage(
      x,
      supplementary('Translation') +
        association(`type="${TYPE}Translation" sourceObject="${uuid(1)}" targetObject="${uuid(1)}"`),
    ),
  ),
  v2('R-EDM-RESP-S059', (x) =>
    addToPackage(
      x,
      supplementary('Annex') +
        association(`type="${TYPE}Contains" sourceObject="${uuid(1)}" targetObject="${MAIN_ID}"`),
    ),
  ),
  v2('R-EDM-RESP-S060', (x) =>
    addToPackage(
      x,
      supplementary('Translation') +
        association(`type="${TYPE}Contains" sourceObject="${uuid(1)}" targetObject="${MAIN_ID}"`),
    ),
  ),
  v2('R-EDM-RESP-S061', (x) =>
    addToPackage(
      x,
      supplementary('HumanReadableVersion') +
        association(`type="${TYPE}Contains" sourceObject="${uuid(1)}" targetObject="${MAIN_ID}"`),
    ),
  ),
  v2('R-EDM-RESP-S062', (x) => edit(x, /<sdg:IssuingDate>[^<]*<\/sdg:IssuingDate>/, '')),
  v2('R-EDM-RESP-S063', (x) =>
    addToPackage(
      x,
      supplementary('Annex', uuid(1), '<sdg:IssuingDate>2024-01-01</sdg:IssuingDate>') +
        association(`type="${TYPE}Annex" sourceObject="${uuid(1)}" targetObject="${MAIN_ID}"`),
    ),
  ),
  v2('R-EDM-RESP-S065', (x) => edit(x, 'id="urn:uuid:1a2b3c4d-0000-4000-8000-000000000019"', 'id="classification-1"')),
  v2('R-EDM-RESP-C050', (x) =>
    edit(
      x,
      '<sdg:Format>application/pdf</sdg:Format>',
      '<sdg:Format>application/pdf</sdg:Format><sdg:ConformsTo>https://sr.oots.tech.ec.europa.eu/datamodels/birth-1.0.0</sdg:ConformsTo>',
    ),
  ),
];

function ourFindings(xml: string, version: EdmVersion): { errors: string[]; all: string[] } {
  const found = runRules(RESPONSE_RULES, 'QueryResponse', parseXml(xml), version);
  return { errors: found.filter((v) => v.severity === 'error').map((v) => v.rule), all: found.map((v) => v.rule) };
}

describe('response rules: one broken variant per rule', () => {
  it.each(VARIANTS.map((v) => [v.rule, v] as const))('%s', (rule, v) => {
    const base = sample(v.base).load();
    expect(ourFindings(base, v.version).all).toEqual([]);
    const broken = v.change(base);
    const ours = ourFindings(broken, v.version);
    const severity = RESPONSE_RULES.find((r) => r.id === rule)!.severity;
    if (severity === 'error') {
      expect([...new Set(ours.errors)]).toEqual([rule]);
    } else {
      expect(ours.errors).toEqual([]);
      expect([...new Set(ours.all)]).toEqual([rule]);
    }
    const inOfficialFile = v.version === V10 && !(rule in RESPONSE_RULE_DEVIATIONS);
    if (inOfficialFile) expect(officialFindings('RESP', broken).map((f) => f.id)).toContain(rule);
  });

  it('the table has exactly one variant for every rule of RESPONSE_RULES', () => {
    const ids = RESPONSE_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(VARIANTS.map((v) => v.rule).sort()).toEqual([...ids].sort());
  });

  it('every deviation names a rule of the set', () => {
    const ids = new Set(RESPONSE_RULES.map((r) => r.id));
    expect(Object.keys(RESPONSE_RULE_DEVIATIONS).filter((id) => !ids.has(id))).toEqual([]);
  });
});

describe('response rules: version deltas', () => {
  const errors = (xml: string, version: EdmVersion): string[] => ourFindings(xml, version).errors;
  const withConformsTo = (url: string): string =>
    edit(sample('tax-response').load(), /<sdg:ConformsTo>[^<]*</, `<sdg:ConformsTo>${url}<`);

  it('R-EDM-RESP-C022: /datamodels/ and /distributions/ in every version, under either SR host', () => {
    const datamodels = withConformsTo('https://sr.oots.tech.ec.europa.eu/datamodels/BRIS-1.0.0');
    expect(errors(datamodels, 'oots-edm:v1.2')).toEqual([]);
    expect(errors(datamodels, 'oots-edm:v1.0')).toEqual([]);
    expect(errors(withConformsTo('https://sr.oots.tech.ec.europa.eu/models/BRIS-1.0.0'), 'oots-edm:v1.0')).toEqual(['R-EDM-RESP-C022']);
    expect(
      errors(withConformsTo('https://sr.oots.tech.ec.europa.eu/distributions/BRIS-1.0.0'), 'oots-edm:v1.0'),
    ).toEqual([]);
  });

  it('R-EDM-RESP-C050 applies to v2.0 only', () => {
    const pdfWithModel = edit(
      sample('TC01_Response').load(),
      '<sdg:Format>application/pdf</sdg:Format>',
      '<sdg:Format>application/pdf</sdg:Format><sdg:ConformsTo>https://sr.oots.tech.europa.eu/distributions/diploma-1.0.0</sdg:ConformsTo>',
    );
    expect(errors(pdfWithModel, 'oots-edm:v1.0')).toEqual([]);
  });

  it('a UUID Content-ID (hyphens) is a valid cid: reference in every version', () => {
    const uuidCid = edit(
      sample('TC01_Response').load(),
      'cid:attachment100001@example.oots.eu',
      'cid:6f1c2a9e-8a63-4f3e-9a5b-2b1f7e0c9d11@adapter.example.lv',
    );
    expect(errors(uuidCid, 'oots-edm:v1.0')).toEqual([]);
  });
});
