/**
 * v2.0 associated documents in the response builder, element by element against the oots-france
 * reference (reponse.xml, one MainEvidence in a RegistryPackage): the main evidence keeps the
 * reference's shape; its human-readable version is the same ExtrinsicObject less what
 * R-EDM-RESP-S063 forbids, classified HumanReadableVersion, followed by its association to the
 * main evidence (R-EDM-RESP-S050…S061). Our response rules judge the result.
 */
import { buildQueryResponse, type AssociatedInput } from '../../../src/edm/build/index.js';
import { parseQueryRequest } from '../../../src/edm/parse-request.js';
import { validateMessage } from '../../../src/edm/validate.js';
import { parseXml } from '../../../src/edm/xml/parse.js';
import { sample } from '../../support/samples.js';
import { LV_PROVIDER, responseInput } from './build-fixtures.js';
import { shape } from './build-shape.js';

const req = parseQueryRequest(parseXml(sample('v2.0-requete').load()));
const agent = { ...LV_PROVIDER, names: [LV_PROVIDER.names[0]!], address: { adminUnitLevel1: 'LV' } };
const OBJECT =
  '/query:QueryResponse/rim:RegistryObjectList/rim:RegistryObject/rim:RegistryObjectList/rim:RegistryObject';
const FORBIDDEN = ['/sdg:IsAbout', '/sdg:IssuingAuthority', '/sdg:IsConformantTo', '/sdg:IssuingDate'];

const hrv: AssociatedInput = {
  registryObjectId: 'urn:uuid:0b5e3c1a-7d2f-4e8a-9c61-000000000601',
  evidenceId: '0b5e3c1a-7d2f-4e8a-9c61-000000000602',
  role: 'HumanReadableVersion',
  classificationId: 'urn:uuid:0b5e3c1a-7d2f-4e8a-9c61-000000000603',
  distribution: { format: 'application/pdf' },
  repositoryItem: { href: 'cid:0b5e3c1a7d2f4e8a9c61000000000604@oots.example.lv', title: 'Evidence.pdf' },
  associationId: 'urn:uuid:0b5e3c1a-7d2f-4e8a-9c61-000000000605',
};

/** The reference's main evidence, as the oots-france test of build-responses.test.ts writes it. */
function mainLikeReference(associated: readonly AssociatedInput[] | undefined) {
  const input = responseInput(req, ['pdf']);
  const e = input.evidences[0]!;
  return {
    ...input,
    evidenceProvider: agent,
    evidences: [
      {
        ...e,
        issuingAuthority: agent,
        isConformantTo: { ...e.isConformantTo, descriptions: [] },
        distribution: { format: 'application/pdf' },
        validityPeriod: undefined,
        ...(associated === undefined ? {} : { associated }),
      },
    ],
  };
}

test('a main evidence with its human-readable version ~ reponse.xml, element by element', () => {
  const reference = shape(parseXml(sample('v2.0-reponse').load()));
  const mainBlock = reference.filter((l) => l.startsWith(OBJECT));
  const before = reference.slice(0, reference.indexOf(mainBlock[0]!));
  const after = reference.slice(reference.indexOf(mainBlock.at(-1)!) + 1);
  const hrvBlock = mainBlock
    .filter((l) => !FORBIDDEN.some((f) => l.includes(f)))
    .map((l) => l.replace('classificationNode=MainEvidence', 'classificationNode=HumanReadableVersion'));
  const association = [
    OBJECT,
    `${OBJECT}@id`,
    `${OBJECT}@sourceObject`,
    `${OBJECT}@targetObject`,
    `${OBJECT}@type=rim:AssociationType`,
    `${OBJECT}@type=urn:oasis:names:tc:ebxml-regrep:AssociationType:HumanReadableVersion`,
  ];
  const built = buildQueryResponse(mainLikeReference([hrv]));
  expect(shape(parseXml(built))).toEqual([...before, ...mainBlock, ...hrvBlock, ...association, ...after]);
  expect(built).toContain(
    `sourceObject="${hrv.registryObjectId}" targetObject="${mainLikeReference(undefined).evidences[0]!.registryObjectId}"`,
  );
  expect(validateMessage(built).errors).toEqual([]);
});

test('the rules catch an association that does not point at the main evidence (R-EDM-RESP-S057)', () => {
  const built = buildQueryResponse(mainLikeReference([hrv]));
  const wrong = built.replace(/targetObject="[^"]+"/, `targetObject="${hrv.registryObjectId}"`);
  expect(validateMessage(wrong).errors.map((v) => v.rule)).toContain('R-EDM-RESP-S057');
});

test('v1.x writes no associated document', () => {
  const v1 = parseQueryRequest(parseXml(sample('TC01_Request').load()));
  const input = responseInput(v1, ['pdf']);
  const e = { ...input.evidences[0]!, role: undefined, associated: [hrv] };
  const built = buildQueryResponse({ ...input, evidences: [e] });
  expect(built).not.toContain(hrv.registryObjectId);
  expect(built).not.toContain('AssociationType');
});
