/**
 * One broken variant per request rule, each a small targeted edit of a valid official sample: our
 * engine must report exactly that rule (plus, where the official rules necessarily fire together,
 * the partner listed in `also`), and for rules of the official v1.0 Schematron the official files
 * must report it too.
 */
import type { Severity } from '../../../src/edm/violation.js';
import { REQUEST_RULES } from '../../../src/edm/rules/request-index.js';
import { runOfficial } from '../../support/schematron.js';
import { HARNESS_BLIND, officialRequestIds, runRequestRules, sampleFile } from './rules-request-support.js';

const BIRTH = sampleFile(
  'v1.0/samples/evidence-exchange/2 Example for requesting a Birth Certificate - natural person/2.1 Step 1  Evidence Request - Birth - full example.xml',
);
// The tax example writes `GR` for Greece; the code list has `EL`. Fixed so that the base is clean.
const TAX = sampleFile(
  'v1.0/samples/evidence-exchange/4 Example for requesting an Extract of a Commercial Register/4.1 Step 1  Evidence Request  - Tax - full example.xml',
).replace('<sdg:AdminUnitLevel1>GR</sdg:AdminUnitLevel1>', '<sdg:AdminUnitLevel1>EL</sdg:AdminUnitLevel1>');
const PREVIEW2 = sampleFile('v1.0/samples/projectathon-2023/TC06_Request_2.xml');
const V2 = sampleFile('v2.0/samples/oots-france/messages/requete.xml');

/** Official asserts that cannot fire on any input: wrong context (C008) or a test that is always true (S045). */
const OFFICIAL_NEVER_FIRES = new Set(['R-EDM-REQ-C008', 'R-EDM-REQ-S045']);

function sub(xml: string, from: string | RegExp, to: string): string {
  const out = xml.replace(from, to);
  if (out === xml) throw new Error(`variant edit found nothing: ${String(from)}`);
  return out;
}
const removeSlot = (xml: string, name: string) =>
  sub(xml, new RegExp(`<rim:Slot name="${name}">[\\s\\S]*?</rim:Slot>`), '');
const retype = (xml: string, name: string, type: string) =>
  sub(
    xml,
    new RegExp(`(<rim:Slot name="${name}">\\s*(?:<!--[^>]*-->\\s*)*<rim:SlotValue xsi:type=")[^"]*"`),
    `$1${type}"`,
  );
const retypeElementOf = (xml: string, child: string) =>
  sub(
    xml,
    new RegExp(`<rim:Element xsi:type="rim:AnyValueType">(\\s*(?:<!--[^>]*-->\\s*)*<sdg:${child}>)`),
    '<rim:Element xsi:type="rim:StringValueType">$1',
  );
const rename = (xml: string, from: string, to: string) =>
  sub(sub(xml, `<sdg:${from}>`, `<sdg:${to}>`), `</sdg:${from}>`, `</sdg:${to}>`);
const inSlot = (xml: string, slot: string, from: string, to: string) =>
  sub(
    xml,
    new RegExp(
      `(<rim:Slot name="${slot}">(?:(?!</rim:Slot>)[\\s\\S])*?)${from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`,
    ),
    `$1${to}`,
  );
const beforeResponseOption = (xml: string, text: string) =>
  sub(xml, '<query:ResponseOption', `${text}<query:ResponseOption`);
const beforeEvidenceRequest = (xml: string, text: string) =>
  sub(xml, '<rim:Slot name="EvidenceRequest">', `${text}<rim:Slot name="EvidenceRequest">`);

const AR_V2 = (gender: string) =>
  beforeEvidenceRequest(
    V2,
    `<rim:Slot name="AuthorizedRepresentative"><rim:SlotValue xsi:type="rim:AnyValueType"><sdg:Person>` +
      `<sdg:LevelOfAssurance>High</sdg:LevelOfAssurance><sdg:Identifier schemeID="eidas">FR/DE/987654321</sdg:Identifier>` +
      `<sdg:FamilyName>Martin</sdg:FamilyName><sdg:GivenName>Alice</sdg:GivenName><sdg:DateOfBirth>1980-01-02</sdg:DateOfBirth>` +
      `<sdg:Gender>${gender}</sdg:Gender></sdg:Person></rim:SlotValue></rim:Slot>`,
  );

interface Variant {
  readonly rule: string;
  readonly label?: string;
  readonly xml: string;
  /** Official rules that necessarily fire together with `rule` on this edit. */
  readonly also?: readonly string[];
}

const VARIANTS: readonly Variant[] = [
  // EDM-REQ-S
  {
    rule: 'R-EDM-REQ-S001',
    xml: sub(sub(BIRTH, '<query:QueryRequest ', '<query:Request '), '</query:QueryRequest>', '</query:Request>'),
  },
  {
    rule: 'R-EDM-REQ-S002',
    xml: sub(
      sub(BIRTH, '<query:QueryRequest ', '<q2:QueryRequest xmlns:q2="urn:example:other" '),
      '</query:QueryRequest>',
      '</q2:QueryRequest>',
    ),
  },
  { rule: 'R-EDM-REQ-S004', xml: sub(BIRTH, 'id="urn:uuid:4ffb5281', 'id="4ffb5281') },
  { rule: 'R-EDM-REQ-S005', xml: removeSlot(BIRTH, 'SpecificationIdentifier') },
  { rule: 'R-EDM-REQ-S006', xml: removeSlot(BIRTH, 'IssueDateTime') },
  { rule: 'R-EDM-REQ-S007', xml: removeSlot(BIRTH, 'Procedure') },
  { rule: 'R-EDM-REQ-S008', xml: removeSlot(PREVIEW2, 'PreviewLocation') },
  { rule: 'R-EDM-REQ-S009', xml: removeSlot(BIRTH, 'PossibilityForPreview') },
  { rule: 'R-EDM-REQ-S010', xml: removeSlot(BIRTH, 'ExplicitRequestGiven') },
  { rule: 'R-EDM-REQ-S011', xml: removeSlot(BIRTH, 'Requirements') },
  { rule: 'R-EDM-REQ-S012', xml: removeSlot(BIRTH, 'EvidenceRequester') },
  { rule: 'R-EDM-REQ-S013', xml: removeSlot(BIRTH, 'EvidenceProvider') },
  { rule: 'R-EDM-REQ-S014', xml: removeSlot(BIRTH, 'EvidenceProviderClassification') },
  {
    rule: 'R-EDM-REQ-S019',
    xml: beforeResponseOption(
      BIRTH,
      '<rim:Slot name="Foo"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>x</rim:Value></rim:SlotValue></rim:Slot>',
    ),
  },
  { rule: 'R-EDM-REQ-S020', xml: retype(BIRTH, 'SpecificationIdentifier', 'rim:AnyValueType') },
  { rule: 'R-EDM-REQ-S021', xml: retype(BIRTH, 'IssueDateTime', 'rim:StringValueType') },
  { rule: 'R-EDM-REQ-S022', xml: retype(BIRTH, 'Procedure', 'rim:StringValueType') },
  {
    rule: 'R-EDM-REQ-S022',
    label: 'v2.0 wants a plain string',
    xml: retype(V2, 'Procedure', 'rim:InternationalStringValueType'),
  },
  { rule: 'R-EDM-REQ-S023', xml: retype(PREVIEW2, 'PreviewLocation', 'rim:AnyValueType') },
  { rule: 'R-EDM-REQ-S024', xml: retype(BIRTH, 'PossibilityForPreview', 'rim:StringValueType') },
  { rule: 'R-EDM-REQ-S025', xml: retype(BIRTH, 'ExplicitRequestGiven', 'rim:StringValueType') },
  { rule: 'R-EDM-REQ-S026', xml: retype(BIRTH, 'Requirements', 'rim:AnyValueType') },
  { rule: 'R-EDM-REQ-S027', xml: retypeElementOf(BIRTH, 'Requirement') },
  { rule: 'R-EDM-REQ-S037', xml: rename(BIRTH, 'Requirement', 'Need') },
  { rule: 'R-EDM-REQ-S038', xml: sub(BIRTH, '<sdg:Name lang="EN">Proof of Birth</sdg:Name>', '') },
  { rule: 'R-EDM-REQ-S028', xml: retype(BIRTH, 'EvidenceRequester', 'rim:AnyValueType') },
  {
    rule: 'R-EDM-REQ-S039',
    xml: inSlot(
      inSlot(BIRTH, 'EvidenceRequester', '<sdg:Agent>', '<sdg:Org>'),
      'EvidenceRequester',
      '</sdg:Agent>',
      '</sdg:Org>',
    ),
  },
  { rule: 'R-EDM-REQ-S029', xml: retypeElementOf(BIRTH, 'Agent') },
  {
    rule: 'R-EDM-REQ-S040',
    xml: sub(
      BIRTH,
      '<sdg:Classification>ER</sdg:Classification>',
      '<sdg:Classification>ER</sdg:Classification><sdg:Jurisdiction/>',
    ),
  },
  { rule: 'R-EDM-REQ-S030', xml: retype(BIRTH, 'EvidenceProvider', 'rim:CollectionValueType') },
  {
    rule: 'R-EDM-REQ-S042',
    xml: inSlot(
      inSlot(BIRTH, 'EvidenceProvider', '<sdg:Agent>', '<sdg:Org>'),
      'EvidenceProvider',
      '</sdg:Agent>',
      '</sdg:Org>',
    ),
  },
  { rule: 'R-EDM-REQ-S031', xml: retype(BIRTH, 'EvidenceProviderClassification', 'rim:AnyValueType') },
  { rule: 'R-EDM-REQ-S032', xml: retypeElementOf(BIRTH, 'EvidenceProviderClassification') },
  { rule: 'R-EDM-REQ-S041', xml: rename(BIRTH, 'EvidenceProviderClassification', 'Classification') },
  { rule: 'R-EDM-REQ-S043', xml: sub(BIRTH, '<sdg:Name lang="EN">Civil Registration Office Berlin I</sdg:Name>', '') },
  { rule: 'R-EDM-REQ-S033', xml: retype(BIRTH, 'EvidenceRequest', 'rim:StringValueType') },
  {
    rule: 'R-EDM-REQ-S044',
    xml: sub(
      sub(BIRTH, '<sdg:DataServiceEvidenceType ', '<sdg:EvidenceType '),
      '</sdg:DataServiceEvidenceType>',
      '</sdg:EvidenceType>',
    ),
  },
  { rule: 'R-EDM-REQ-S045', xml: sub(BIRTH, '<sdg:DistributedAs>', '<sdg:Note>x</sdg:Note><sdg:DistributedAs>') },
  { rule: 'R-EDM-REQ-S035', xml: retype(BIRTH, 'NaturalPerson', 'rim:StringValueType') },
  { rule: 'R-EDM-REQ-S046', xml: rename(BIRTH, 'Person', 'Human') },
  { rule: 'R-EDM-REQ-S034', xml: retype(TAX, 'LegalPerson', 'rim:StringValueType') },
  { rule: 'R-EDM-REQ-S047', xml: rename(TAX, 'LegalPerson', 'Company') },
  { rule: 'R-EDM-REQ-S015', xml: removeSlot(BIRTH, 'EvidenceRequest') },
  { rule: 'R-EDM-REQ-S016', xml: removeSlot(BIRTH, 'NaturalPerson') },
  { rule: 'R-EDM-REQ-S036', xml: retype(TAX, 'AuthorizedRepresentative', 'rim:StringValueType') },
  { rule: 'R-EDM-REQ-S048', xml: rename(TAX, 'Person', 'Human') },

  // EDM-REQ-C
  {
    rule: 'R-EDM-REQ-C001',
    xml: sub(BIRTH, '<rim:Value>oots-edm:v1.0</rim:Value>', '<rim:Value>oots-edm:v9.9</rim:Value>'),
  },
  { rule: 'R-EDM-REQ-C002', xml: sub(BIRTH, '2022-05-19T17:08:10.872Z', '19.05.2022 17:08') },
  { rule: 'R-EDM-REQ-C003', xml: sub(BIRTH, 'value="R1"', 'value="Z9"') },
  {
    rule: 'R-EDM-REQ-C003',
    label: 'v2.0 plain string',
    xml: sub(V2, '<rim:Value>T3</rim:Value>', '<rim:Value>Z9</rim:Value>'),
  },
  {
    rule: 'R-EDM-REQ-C004',
    xml: sub(BIRTH, '<rim:LocalizedString xml:lang="EN"', '<rim:LocalizedString xml:lang="QQ"'),
  },
  { rule: 'R-EDM-REQ-C005', xml: sub(PREVIEW2, '<rim:Value>https://preview', '<rim:Value>http://preview') },
  {
    rule: 'R-EDM-REQ-C008',
    xml: sub(
      BIRTH,
      '<sdg:Identifier>https://sr.oots.tech.europa.eu/requirements/',
      '<sdg:Identifier>https://example.org/requirements/',
    ),
  },
  {
    rule: 'R-EDM-REQ-C009',
    xml: sub(BIRTH, '<sdg:Name lang="EN">Proof of Birth', '<sdg:Name lang="QQ">Proof of Birth'),
  },
  {
    rule: 'R-EDM-REQ-C010',
    xml: sub(BIRTH, '<sdg:Identifier schemeID="urn:cef.eu:names:identifier:EAS:0096">', '<sdg:Identifier>'),
  },
  { rule: 'R-EDM-REQ-C012', xml: sub(BIRTH, 'EAS:0096', 'EAS:9999') },
  { rule: 'R-EDM-REQ-C013', xml: sub(BIRTH, '<sdg:Classification>ER</sdg:Classification>', '') },
  {
    rule: 'R-EDM-REQ-C014',
    xml: sub(BIRTH, '<sdg:Classification>ER</sdg:Classification>', '<sdg:Classification>XX</sdg:Classification>'),
  },
  {
    rule: 'R-EDM-REQ-C015',
    xml: inSlot(BIRTH, 'EvidenceRequester', '<sdg:AdminUnitLevel1>DK', '<sdg:AdminUnitLevel1>QQ'),
  },
  {
    rule: 'R-EDM-REQ-C017',
    xml: sub(BIRTH, '<sdg:Identifier schemeID="urn:cef.eu:names:identifier:EAS:9930">', '<sdg:Identifier>'),
  },
  { rule: 'R-EDM-REQ-C018', xml: sub(BIRTH, 'EAS:9930', 'EAS:9999') },
  { rule: 'R-EDM-REQ-C019', xml: sub(BIRTH, 'b07146b6-1468-41a7-a10f-ee2a61429dbc', 'not-a-uuid') },
  { rule: 'R-EDM-REQ-C020', xml: sub(BIRTH, '<sdg:Type>Codelist</sdg:Type>', '<sdg:Type> </sdg:Type>') },
  {
    rule: 'R-EDM-REQ-C021',
    xml: sub(
      BIRTH,
      '<sdg:Description lang="DE">Zuständigkeitsregelungen',
      '<sdg:Description lang="QQ">Zuständigkeitsregelungen',
    ),
  },
  {
    rule: 'R-EDM-REQ-C022',
    xml: sub(BIRTH, '<sdg:Description lang="DE">Zuständigkeitsregelungen', '<sdg:Description>Zuständigkeitsregelungen'),
  },
  {
    rule: 'R-EDM-REQ-C023',
    xml: sub(
      BIRTH,
      '<sdg:StringValue>ApplicantHasNeverBeenResidentInGermany</sdg:StringValue>',
      '<sdg:StringValue> </sdg:StringValue>',
    ),
  },
  { rule: 'R-EDM-REQ-C024', xml: sub(BIRTH, 'returnType="LeafClassWithRepositoryItem"', 'returnType="LeafClass"') },
  { rule: 'R-EDM-REQ-C025', xml: sub(BIRTH, 'queryDefinition="DocumentQuery"', 'queryDefinition="OtherQuery"') },
  {
    rule: 'R-EDM-REQ-C026',
    xml: sub(BIRTH, '<sdg:Identifier>2af27699-f131-4411-8fdb-9e8cd4e8bded', '<sdg:Identifier>dset-1'),
  },
  {
    rule: 'R-EDM-REQ-C027',
    xml: sub(
      BIRTH,
      '<sdg:EvidenceTypeClassification>https://sr.oots.tech.europa.eu/',
      '<sdg:EvidenceTypeClassification>https://example.org/',
    ),
  },
  { rule: 'R-EDM-REQ-C028', xml: sub(BIRTH, '<sdg:Title lang="DE">', '<sdg:Title lang="QQ">') },
  { rule: 'R-EDM-REQ-C029', xml: sub(BIRTH, '<sdg:Title lang="DE">', '<sdg:Title>') },
  {
    rule: 'R-EDM-REQ-C030',
    xml: sub(BIRTH, '<sdg:Description lang="DE">Eine amtliche', '<sdg:Description lang="QQ">Eine amtliche'),
  },
  {
    rule: 'R-EDM-REQ-C031',
    xml: sub(BIRTH, '<sdg:Description lang="DE">Eine amtliche', '<sdg:Description>Eine amtliche'),
  },
  {
    rule: 'R-EDM-REQ-C032',
    xml: sub(
      BIRTH,
      '</sdg:DistributedAs>',
      '</sdg:DistributedAs><sdg:DistributedAs><sdg:Format>application/pdf</sdg:Format></sdg:DistributedAs>',
    ),
  },
  {
    rule: 'R-EDM-REQ-C032',
    label: 'v2.0 needs one',
    xml: sub(V2, /<sdg:DistributedAs>[\s\S]*?<\/sdg:DistributedAs>/, ''),
  },
  {
    rule: 'R-EDM-REQ-C033',
    xml: sub(BIRTH, '<sdg:Format>application/xml</sdg:Format>', '<sdg:Format>text/plain</sdg:Format>'),
  },
  {
    rule: 'R-EDM-REQ-C034',
    xml: sub(BIRTH, '<sdg:ConformsTo>https://sr.oots.tech.europa.eu/', '<sdg:ConformsTo>https://example.org/'),
  },
  {
    rule: 'R-EDM-REQ-C035',
    xml: sub(BIRTH, '<sdg:Transformation>https://sr.oots.tech.europa.eu/', '<sdg:Transformation>https://example.org/'),
  },
  { rule: 'R-EDM-REQ-C036', xml: sub(BIRTH, '<sdg:LevelOfAssurance>High</sdg:LevelOfAssurance>', '') },
  { rule: 'R-EDM-REQ-C037', xml: sub(BIRTH, '<sdg:LevelOfAssurance>High<', '<sdg:LevelOfAssurance>Highest<') },
  { rule: 'R-EDM-REQ-C038', xml: sub(BIRTH, '<sdg:Identifier schemeID="eidas">DK/DE/123123123</sdg:Identifier>', '') },
  { rule: 'R-EDM-REQ-C039', xml: sub(BIRTH, 'DK/DE/123123123', 'DK-DE-123123123') },
  {
    rule: 'R-EDM-REQ-C041',
    also: ['R-EDM-REQ-C042'],
    xml: sub(BIRTH, '<sdg:Identifier schemeID="eidas">DK/DE', '<sdg:Identifier>DK/DE'),
  },
  {
    rule: 'R-EDM-REQ-C042',
    xml: sub(BIRTH, '<sdg:Identifier schemeID="eidas">DK/DE', '<sdg:Identifier schemeID="eIDAS">DK/DE'),
  },
  { rule: 'R-EDM-REQ-C043', xml: sub(BIRTH, '<sdg:DateOfBirth>1970-03-01', '<sdg:DateOfBirth>01.03.1970') },
  { rule: 'R-EDM-REQ-C045', xml: sub(BIRTH, /(<sdg:CurrentAddress>[\s\S]*?<sdg:AdminUnitLevel1>)DK/, '$1QQ') },
  { rule: 'R-EDM-REQ-C047', xml: inSlot(TAX, 'LegalPerson', '<sdg:LevelOfAssurance>High</sdg:LevelOfAssurance>', '') },
  {
    rule: 'R-EDM-REQ-C048',
    xml: inSlot(TAX, 'LegalPerson', '<sdg:LevelOfAssurance>High<', '<sdg:LevelOfAssurance>Top<'),
  },
  {
    rule: 'R-EDM-REQ-C049',
    xml: sub(TAX, '<sdg:LegalPersonIdentifier schemeID="eidas">SE/DE/12132123Y</sdg:LegalPersonIdentifier>', ''),
  },
  { rule: 'R-EDM-REQ-C050', xml: sub(TAX, 'SE/DE/12132123Y', 'SE-DE-12132123Y') },
  {
    rule: 'R-EDM-REQ-C052',
    also: ['R-EDM-REQ-C053'],
    xml: sub(TAX, '<sdg:LegalPersonIdentifier schemeID="eidas">', '<sdg:LegalPersonIdentifier>'),
  },
  {
    rule: 'R-EDM-REQ-C053',
    xml: sub(TAX, '<sdg:LegalPersonIdentifier schemeID="eidas">', '<sdg:LegalPersonIdentifier schemeID="EIDAS">'),
  },
  { rule: 'R-EDM-REQ-C054', xml: sub(TAX, '<sdg:Identifier schemeID="TAX">', '<sdg:Identifier>') },
  {
    rule: 'R-EDM-REQ-C056',
    xml: sub(TAX, '<sdg:AdminUnitLevel1>SE</sdg:AdminUnitLevel1>', '<sdg:AdminUnitLevel1>QQ</sdg:AdminUnitLevel1>'),
  },
  {
    rule: 'R-EDM-REQ-C058',
    xml: inSlot(TAX, 'AuthorizedRepresentative', '<sdg:LevelOfAssurance>High</sdg:LevelOfAssurance>', ''),
  },
  {
    rule: 'R-EDM-REQ-C059',
    xml: inSlot(TAX, 'AuthorizedRepresentative', '<sdg:LevelOfAssurance>High<', '<sdg:LevelOfAssurance>Top<'),
  },
  { rule: 'R-EDM-REQ-C060', xml: sub(TAX, '<sdg:Identifier schemeID="eidas">GR/DE/123131329</sdg:Identifier>', '') },
  { rule: 'R-EDM-REQ-C061', xml: sub(TAX, 'GR/DE/123131329', 'GR-DE-123131329') },
  {
    rule: 'R-EDM-REQ-C062',
    also: ['R-EDM-REQ-C063'],
    xml: sub(TAX, '<sdg:Identifier schemeID="eidas">GR/DE', '<sdg:Identifier>GR/DE'),
  },
  {
    rule: 'R-EDM-REQ-C063',
    xml: sub(TAX, '<sdg:Identifier schemeID="eidas">GR/DE', '<sdg:Identifier schemeID="eid">GR/DE'),
  },
  { rule: 'R-EDM-REQ-C064', xml: sub(TAX, '<sdg:DateOfBirth>1978-09-09', '<sdg:DateOfBirth>09/09/1978') },
  {
    rule: 'R-EDM-REQ-C067',
    xml: sub(TAX, '<sdg:AdminUnitLevel1>EL</sdg:AdminUnitLevel1>', '<sdg:AdminUnitLevel1>QQ</sdg:AdminUnitLevel1>'),
  },

  // Version deltas
  { rule: 'R-EDM-REQ-C069', xml: sub(BIRTH, 'xml:lang="EN"\n', 'xml:lang="QQ"\n') },
  { rule: 'R-EDM-REQ-C055', xml: sub(TAX, 'schemeID="TAX"', 'schemeID="NOPE"') },
  { rule: 'LV-EDM-REQ-001', xml: sub(V2, 'id="urn:uuid:1a2b3c4d', 'xml:lang="FR" id="urn:uuid:1a2b3c4d') },
  {
    rule: 'LV-EDM-REQ-002',
    xml: sub(
      V2,
      '<sdg:Format>application/pdf</sdg:Format>',
      '<sdg:Format>application/pdf</sdg:Format><sdg:Transformation>https://sr.oots.tech.ec.europa.eu/datamodels/x/y</sdg:Transformation>',
    ),
  },
  { rule: 'R-EDM-REQ-C073', xml: sub(V2, /<sdg:Address>[\s\S]*?<\/sdg:Address>/, '') },
  {
    rule: 'R-EDM-REQ-S061',
    xml: beforeResponseOption(
      V2,
      '<rim:Slot name="ReturnLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>https://opp.example.org/back</rim:Value></rim:SlotValue></rim:Slot>',
    ),
  },
  {
    rule: 'R-EDM-REQ-S055',
    xml: beforeEvidenceRequest(
      V2,
      '<rim:Slot name="AuthorizedRepresentativeLegalPerson"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>x</rim:Value></rim:SlotValue></rim:Slot>',
    ),
  },
  {
    rule: 'R-EDM-REQ-C119',
    xml: sub(
      V2,
      '<sdg:Language>EN</sdg:Language>',
      '<sdg:Language>EN</sdg:Language><sdg:AssociatedDocumentRequest>Summary</sdg:AssociatedDocumentRequest>',
    ),
  },
  { rule: 'R-EDM-REQ-C124', xml: AR_V2('Other') },
  { rule: 'R-EDM-REQ-C126', xml: AR_V2('1') },
];

const OFFICIAL = officialRequestIds();
const SEVERITY = new Map<string, Severity>(REQUEST_RULES.map((r) => [r.id, r.severity]));

describe('broken request variants', () => {
  it('cover every request rule', () => {
    const covered = new Set(VARIANTS.map((v) => v.rule));
    expect(REQUEST_RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('start from bases our rules find clean', () => {
    for (const base of [BIRTH, TAX, PREVIEW2, V2])
      expect(runRequestRules(base).filter((v) => v.severity !== 'info')).toEqual([]);
  });

  it.each(VARIANTS.map((v) => [v.label === undefined ? v.rule : `${v.rule} (${v.label})`, v] as const))(
    '%s',
    (_title, variant) => {
      const found = runRequestRules(variant.xml);
      const expected = [variant.rule, ...(variant.also ?? [])].sort();
      const severity = SEVERITY.get(variant.rule);
      if (severity === 'error') {
        expect([...new Set(found.filter((v) => v.severity === 'error').map((v) => v.rule))].sort()).toEqual(expected);
      } else {
        expect(found.filter((v) => v.severity === 'error')).toEqual([]);
        expect(found.filter((v) => v.rule === variant.rule).map((v) => v.severity)).toContain(severity);
      }
      if (
        OFFICIAL.has(variant.rule) &&
        variant.label === undefined &&
        !HARNESS_BLIND.has(variant.rule) &&
        !OFFICIAL_NEVER_FIRES.has(variant.rule)
      ) {
        expect(runOfficial('REQ', variant.xml).map((f) => f.id)).toEqual(expect.arrayContaining(expected));
      }
    },
  );
});
