/**
 * Synthetic inputs for the builder tests: a Latvian evidence provider (invented ids) and
 * evidences derived from a parsed request. Fixed ids and times so outputs are reproducible.
 */
import type { DeferredResponseInput, EvidenceInput, QueryResponseInput } from '../../../src/edm/build/index.js';
import { requestEcho } from '../../../src/edm/build/index.js';
import { minimumDataSet } from '../../../src/edm/subject.js';
import type { Agent, QueryRequest } from '../../../src/edm/model.js';

export const ISSUED = '2024-05-06T07:08:09.000Z';
export const RESPONSE_ID = '0b5e3c1a-7d2f-4e8a-9c61-5f3b2a1d0e01';

export const LV_PROVIDER: Agent = {
  identifier: { value: '90000012827', schemeID: 'urn:cef.eu:names:identifier:EAS:9939' },
  names: [
    { lang: 'LV', value: 'Paraugu reģistru iestāde' },
    { lang: 'EN', value: 'Sample Registers Authority' },
  ],
  address: {
    fullAddress: 'Parauga iela 1, Rīga, LV-1001',
    postCode: 'LV-1001',
    postCityName: 'Rīga',
    adminUnitLevel1: 'LV',
    adminUnitLevel2: 'LV006',
  },
  classification: undefined,
};

const uuid = (n: number): string => `0b5e3c1a-7d2f-4e8a-9c61-${n.toString(16).padStart(12, '0')}`;

export type EvidenceKind = 'pdf' | 'xml';

export function evidenceFor(req: QueryRequest, kind: EvidenceKind, n: number): EvidenceInput {
  const type = req.evidenceRequest;
  const requested = type?.distributedAs[0];
  return {
    registryObjectId: `urn:uuid:${uuid(100 + n)}`,
    evidenceId: uuid(200 + n),
    isAbout: minimumDataSet(req.subject!),
    issuingAuthority: LV_PROVIDER,
    isConformantTo: {
      evidenceTypeClassification: type!.evidenceTypeClassification!,
      titles: type!.titles,
      descriptions: type!.descriptions,
    },
    issuingDate: '2024-05-01',
    distribution:
      kind === 'pdf'
        ? { format: 'application/pdf', languages: ['LV'] }
        : {
            format: 'application/xml',
            languages: ['LV'],
            // The requested data model when the request names one; otherwise the v1.0 sample's.
            conformsTo:
              requested?.conformsTo ?? 'https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0',
          },
    validityPeriod: { startDate: '2024-05-01', endDate: '2025-05-01' },
    // Hyphen-free: the v1.0 snapshot checks `^cid:[a-z0-9]*@` (R-EDM-RESP-C042).
    repositoryItem: {
      href: `cid:${uuid(300 + n).replaceAll('-', '')}@oots.example.lv`,
      title: kind === 'pdf' ? 'Evidence.pdf' : 'Evidence.xml',
    },
    role: n === 0 ? 'MainEvidence' : 'HumanReadableVersion',
    classificationId: `urn:uuid:${uuid(400 + n)}`,
  };
}

export function responseInput(req: QueryRequest, kinds: readonly EvidenceKind[]): QueryResponseInput {
  return {
    ...requestEcho(req),
    responseId: RESPONSE_ID,
    issueDateTime: ISSUED,
    evidenceProvider: LV_PROVIDER,
    evidences: kinds.map((k, i) => evidenceFor(req, k, i)),
    packageId: `urn:uuid:${uuid(500)}`,
  };
}

export function deferredInput(req: QueryRequest): DeferredResponseInput {
  return {
    ...requestEcho(req),
    responseId: RESPONSE_ID,
    issueDateTime: ISSUED,
    evidenceProvider: LV_PROVIDER,
    responseAvailableDateTime: '2024-05-07T07:08:09.000Z',
  };
}
