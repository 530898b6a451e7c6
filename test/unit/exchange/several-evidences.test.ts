/**
 * Several evidences per request and (EDM v2.0) their associated documents, through the use case
 * with the shipped mappings, the real renderer and the sandbox data: Kristaps Liepiņš
 * (140685-10355) holds two diplomas. Every answer is judged by our response rules (and the XSD
 * for v1.0, the official v1.0 Schematron where it applies).
 */
import { answerRequest } from '../../../src/exchange/answer.js';
import { validateMessage } from '../../../src/edm/validate.js';
import { NS } from '../../../src/edm/xml/namespaces.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import type { XmlElement } from '../../../src/edm/xml/tree.js';
import { loadEdmXsdValidator } from '../../../src/resources/edm-xsd.js';
import type { EdmXsdValidator } from '../../../src/edm/xsd.js';
import { runOfficial } from '../../support/schematron.js';
import { exampleRequest, inbound, testDeps, userMessage } from '../../support/exchange-fixtures.js';

let xsd: EdmXsdValidator;
beforeAll(() => {
  xsd = loadEdmXsdValidator();
});
afterAll(() => xsd.dispose());

const V2 = exampleRequest('lv-higher-education-diplomas-v2.0');
const V12 = exampleRequest('lv-higher-education-diplomas-v1.2');
const HRV = '<sdg:AssociatedDocumentRequest>HumanReadableVersion</sdg:AssociatedDocumentRequest>';

function judged(regrep: string): void {
  const report = validateMessage(regrep, { xsd });
  expect(report.errors).toEqual([]);
  expect(report.kind).toBe('QueryResponse');
  expect(report.valid).toBe(true);
}

const kids = (e: XmlElement, local: string): XmlElement[] =>
  e.children.filter((c) => c.ns === NS.rim && c.local === local);
/** An unqualified attribute (`type`, `id`, ...). */
const attr = (e: XmlElement, name: string): string | undefined =>
  e.attrs.find((a) => a.ns === '' && a.local === name)?.value;
const xsiType = (e: XmlElement): string | undefined =>
  e.attrs.find((a) => a.ns === NS.xsi && a.local === 'type')?.value;
const href = (e: XmlElement): string | undefined => e.attrs.find((a) => a.local === 'href')?.value;

/** The objects of the v2.0 package: [xsi:type, id, classificationNode | association type, source, target]. */
function packageObjects(
  regrep: string,
): { type: string; id: string; node?: string; source?: string; target?: string; href?: string }[] {
  const root = parseXml(Buffer.from(regrep, 'utf8'));
  const [list] = kids(root, 'RegistryObjectList');
  const packages = kids(list!, 'RegistryObject');
  expect(packages.map((p) => xsiType(p))).toEqual(['rim:RegistryPackageType']);
  const [inner] = kids(packages[0]!, 'RegistryObjectList');
  return kids(inner!, 'RegistryObject').map((o) => {
    const type = xsiType(o)!;
    const classification = kids(o, 'Classification')[0];
    const ref = kids(o, 'RepositoryItemRef')[0];
    return {
      type,
      id: attr(o, 'id')!,
      ...(classification === undefined ? {} : { node: attr(classification, 'classificationNode') }),
      ...(type === 'rim:AssociationType'
        ? { node: attr(o, 'type'), source: attr(o, 'sourceObject'), target: attr(o, 'targetObject') }
        : {}),
      ...(ref === undefined ? {} : { href: href(ref) }),
    };
  });
}

describe('a person with two diplomas', () => {
  test('v2.0, XML with a human-readable version: two main evidences, each with its PDF associated', async () => {
    const result = await answerRequest(inbound(V2, userMessage({}, true)), testDeps());
    expect(result.summary).toMatchObject({ outcome: 'evidence', detail: undefined });
    const { regrep, attachments, userMessage: um } = result.outbound;
    judged(regrep);
    expect(attachments.map((a) => a.mimeType)).toEqual([
      'application/xml',
      'application/pdf',
      'application/xml',
      'application/pdf',
    ]);
    // Every part is named by one RepositoryItemRef and one PartInfo.
    expect(um.payloads.slice(1).map((p) => p.href)).toEqual(attachments.map((a) => a.href));
    const objects = packageObjects(regrep);
    expect(objects.map((o) => [o.type, o.node])).toEqual([
      ['rim:ExtrinsicObjectType', 'MainEvidence'],
      ['rim:ExtrinsicObjectType', 'HumanReadableVersion'],
      ['rim:AssociationType', 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HumanReadableVersion'],
      ['rim:ExtrinsicObjectType', 'MainEvidence'],
      ['rim:ExtrinsicObjectType', 'HumanReadableVersion'],
      ['rim:AssociationType', 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HumanReadableVersion'],
    ]);
    // Each PDF points at its own main evidence.
    expect(objects[2]).toMatchObject({ source: objects[1]!.id, target: objects[0]!.id });
    expect(objects[5]).toMatchObject({ source: objects[4]!.id, target: objects[3]!.id });
    expect(new Set(objects.map((o) => o.id)).size).toBe(6);
    expect(objects.filter((o) => o.href !== undefined).map((o) => o.href)).toEqual(attachments.map((a) => a.href));
    // The two diplomas, oldest first (records.orderBy GraduationDate), each in its XML and its PDF.
    const xmls = [attachments[0]!, attachments[2]!].map((a) => Buffer.from(a.bytes).toString('utf8'));
    expect(xmls[0]).toContain('B 0047211');
    expect(xmls[1]).toContain('MD 0020318');
    for (const pdf of [attachments[1]!, attachments[3]!])
      expect(Buffer.from(pdf.bytes).subarray(0, 5).toString()).toBe('%PDF-');
    // Two evidences, two identifiers.
    const ids = [...regrep.matchAll(/<sdg:Evidence>\s*<sdg:Identifier>([^<]+)</g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(4);
  });

  test('the same request in v1.2: two evidences in a flat list, nothing associated', async () => {
    const result = await answerRequest(inbound(V12), testDeps());
    expect(result.summary.outcome).toBe('evidence');
    const { regrep, attachments } = result.outbound;
    judged(regrep);
    expect(attachments.map((a) => a.mimeType)).toEqual(['application/xml', 'application/xml']);
    expect(regrep).not.toContain('RegistryPackageType');
    expect(regrep).not.toContain('AssociationType');
    expect(regrep.match(/xsi:type="rim:ExtrinsicObjectType"/g)).toHaveLength(2);
  });

  test('the same request in v1.0: two evidences, and the official v1.0 Schematron agrees', async () => {
    const v10 = V12.replace('<rim:Value>oots-edm:v1.2</rim:Value>', '<rim:Value>oots-edm:v1.0</rim:Value>');
    const result = await answerRequest(inbound(v10), testDeps());
    judged(result.outbound.regrep);
    expect(result.outbound.attachments).toHaveLength(2);
    expect(
      runOfficial('RESP', result.outbound.regrep).filter(
        (f) => f.role === 'error' && !['R-EDM-RESP-C017', 'R-EDM-RESP-C022', 'R-EDM-RESP-C042'].includes(f.id ?? ''),
      ),
    ).toEqual([]);
  });
});

describe('languages and translations (v2.0)', () => {
  const withLanguage = (lang: string, extra = ''): string =>
    V2.replace(HRV, `<sdg:Language>${lang}</sdg:Language>${HRV}${extra}`);

  test('Language EN: the human-readable version is the English rendering', async () => {
    const result = await answerRequest(inbound(withLanguage('EN'), userMessage({}, true)), testDeps());
    judged(result.outbound.regrep);
    expect(result.outbound.regrep).toMatch(
      /<sdg:Format>application\/pdf<\/sdg:Format>\s*<sdg:Language>EN<\/sdg:Language>\s*<\/sdg:Distribution>/,
    );
    expect(result.outbound.regrep).not.toMatch(/<sdg:Format>application\/pdf<\/sdg:Format>\s*<sdg:Language>LV/);
  });

  test('a Translation of the XML (in Latvian) is the English PDF', async () => {
    const xml = withLanguage('LV', '<sdg:AssociatedDocumentRequest>Translation</sdg:AssociatedDocumentRequest>');
    const result = await answerRequest(inbound(xml, userMessage({}, true)), testDeps());
    judged(result.outbound.regrep);
    const nodes = packageObjects(result.outbound.regrep).map((o) => o.node);
    expect(nodes.filter((n) => n === 'Translation')).toHaveLength(2);
    expect(nodes.filter((n) => n === 'HumanReadableVersion')).toHaveLength(2);
    expect(result.outbound.attachments).toHaveLength(6);
  });

  test('asked and not offered (an Annex; a human-readable version of a PDF): the evidence alone, the summary names them', async () => {
    const pdf = V2.replace('<sdg:Format>application/xml</sdg:Format>', '<sdg:Format>application/pdf</sdg:Format>')
      .replace(/<sdg:ConformsTo>[^<]*<\/sdg:ConformsTo>/, '')
      .replace(HRV, `${HRV}<sdg:AssociatedDocumentRequest>Annex</sdg:AssociatedDocumentRequest>`);
    const result = await answerRequest(inbound(pdf, userMessage({}, true)), testDeps());
    judged(result.outbound.regrep);
    expect(result.summary).toMatchObject({
      outcome: 'evidence',
      detail: 'associated documents not offered: HumanReadableVersion, Annex',
    });
    expect(result.outbound.attachments.map((a) => a.mimeType)).toEqual(['application/pdf', 'application/pdf']);
    expect(packageObjects(result.outbound.regrep).map((o) => o.node)).toEqual(['MainEvidence', 'MainEvidence']);
  });
});
